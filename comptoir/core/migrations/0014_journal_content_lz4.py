"""PostgreSQL: the journal's sealed contents (about 2 kB each, the size at which the server
compresses a value) compressed with lz4 rather than pglz, which took half the time of
storing an issuing's journal entries. Values already stored stay as they are."""

from django.db import migrations


def compress_with_lz4(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
            "AND 'lz4' = ANY(enumvals)"
        )
        if cursor.fetchone() is None:
            return  # a server built without lz4 keeps pglz
    schema_editor.execute("ALTER TABLE core_journalentry ALTER COLUMN content SET COMPRESSION lz4")


class Migration(migrations.Migration):
    dependencies = [("core", "0013_own_customers_only")]

    operations = [migrations.RunPython(compress_with_lz4, migrations.RunPython.noop)]
