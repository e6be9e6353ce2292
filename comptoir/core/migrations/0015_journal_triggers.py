"""The database itself refuses to change, delete or empty the journal's entries, on SQLite as
on PostgreSQL."""

from django.db import migrations


def install(apps, schema_editor):
    from comptoir.core.triggers import install_journal

    install_journal(schema_editor.connection)


def remove(apps, schema_editor):
    from comptoir.core.triggers import JOURNAL_POSTGRESQL_DROP, JOURNAL_SQLITE, drop_sqlite

    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        drop_sqlite(connection, JOURNAL_SQLITE)
    elif connection.vendor == "postgresql":
        schema_editor.execute(JOURNAL_POSTGRESQL_DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0014_journal_content_lz4")]

    operations = [migrations.RunPython(install, remove)]
