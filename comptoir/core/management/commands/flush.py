"""Django's flush, with the database's guards set aside while every table is emptied (SQLite
deletes row by row, which the triggers of issued documents refuse; PostgreSQL refuses to
TRUNCATE them)."""

from django.core.management.commands.flush import Command as Flush
from django.db import DEFAULT_DB_ALIAS, connections

from comptoir.core.triggers import lifted


class Command(Flush):
    def handle(self, **options):
        with lifted(connections[options.get("database") or DEFAULT_DB_ALIAS]):
            return super().handle(**options)
