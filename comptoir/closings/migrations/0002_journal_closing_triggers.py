"""PostgreSQL refuses to change, delete or empty a closing (SQLite's triggers are made after
each migrate: core.triggers)."""

from django.db import migrations


def install(apps, schema_editor):
    from comptoir.closings.triggers import POSTGRESQL

    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL, params=None)


def remove(apps, schema_editor):
    from comptoir.closings.triggers import POSTGRESQL_DROP

    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("closings", "0001_journal_closings"), ("core", "0015_journal_triggers")]

    operations = [migrations.RunPython(install, remove)]
