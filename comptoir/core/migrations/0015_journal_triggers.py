"""PostgreSQL refuses to change, delete or empty the journal's entries (SQLite's triggers are
made after each migrate: core.triggers)."""

from django.db import migrations


def install(apps, schema_editor):
    from comptoir.core.triggers import JOURNAL_POSTGRESQL

    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(JOURNAL_POSTGRESQL, params=None)


def remove(apps, schema_editor):
    from comptoir.core.triggers import JOURNAL_POSTGRESQL_DROP

    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(JOURNAL_POSTGRESQL_DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0014_journal_content_lz4")]

    operations = [migrations.RunPython(install, remove)]
