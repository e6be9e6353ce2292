"""The database refuses to change, delete or empty a closing, whoever writes: a closing is
signed once and kept as it is (a changed one would fail its signature anyway; this keeps it
from being changed at all). PostgreSQL: migration 0002; SQLite: after each migrate
(core.triggers)."""

from comptoir.core.triggers import install_sqlite, written_once_postgresql, written_once_sqlite

POSTGRESQL = written_once_postgresql("closings_closing", "closings_refuse_change", "a closing")

POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS closings_closing_no_truncate ON closings_closing;
DROP TRIGGER IF EXISTS closings_closing_immutable ON closings_closing;
DROP FUNCTION IF EXISTS closings_refuse_change();
"""

SQLITE = written_once_sqlite("closings_closing", "a closing")


def install(connection) -> None:
    if connection.vendor == "sqlite":
        install_sqlite(connection, SQLITE)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(POSTGRESQL)
