"""PostgreSQL refuses to change, delete or empty the journal's entries, and to move a numbering
sequence backward (SQLite's triggers are made after each migrate: core.triggers)."""

from django.db import migrations


def install(apps, schema_editor):
    from comptoir.core.triggers import POSTGRESQL

    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL, params=None)


def remove(apps, schema_editor):
    from comptoir.core.triggers import POSTGRESQL_DROP

    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0014_journal_content_lz4")]

    operations = [migrations.RunPython(install, remove)]
