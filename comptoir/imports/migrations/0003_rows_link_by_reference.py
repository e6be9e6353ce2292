"""Import rows link to their document through their partner reference, and processing
rewrites them in place: no index on the columns it changes, and room left in each page."""

import django.db.models.deletion
from django.db import migrations, models


def room_for_in_place_updates(apps, schema_editor):
    """PostgreSQL: pages filled to 45 %, so that processing rewrites each row in its page."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE imports_importrow SET (fillfactor = 45)")


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0002_importpartner_print_layout"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="importrow",
            name="imports_imp_batch_i_5ca82e_idx",
        ),
        migrations.RemoveField(
            model_name="importrow",
            name="document",
        ),
        migrations.AlterField(
            model_name="importrow",
            name="batch",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="rows",
                to="imports.importbatch",
            ),
        ),
        migrations.AddConstraint(
            model_name="importrow",
            constraint=models.UniqueConstraint(
                fields=("batch", "line"), name="import_row_line_once"
            ),
        ),
        migrations.RunPython(room_for_in_place_updates, migrations.RunPython.noop),
    ]
