from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0014_issued_invoice_triggers"),
    ]

    operations = [
        migrations.AddField(
            model_name="invoice",
            name="supply_end_date",
            field=models.DateField(
                blank=True, null=True, verbose_name="end of the period of supply"
            ),
        ),
    ]
