from django.db import migrations, models


class Migration(migrations.Migration):
    """Credit notes issued before gave their quantities back to the order: they keep doing so
    (added with True); new ones are price reductions unless they say otherwise."""

    dependencies = [
        ("billing", "0011_permissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="invoice",
            name="invoice_again",
            field=models.BooleanField(default=True, verbose_name="to invoice again"),
        ),
        migrations.AlterField(
            model_name="invoice",
            name="invoice_again",
            field=models.BooleanField(default=False, verbose_name="to invoice again"),
        ),
    ]
