"""An import row stores its texts only once edited: until then they are read from its cells
through the batch's layout (a third less to write and rewrite per row)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('imports', '0003_rows_link_by_reference'),
    ]

    operations = [
        migrations.AlterField(
            model_name='importrow',
            name='data',
            field=models.JSONField(blank=True, default=None, null=True),
        ),
    ]
