"""The VATEX code of each invoice line (BT-121), as its tax stated it when priced.

Added in place (ALTER TABLE … ADD COLUMN) on every database: Django would rebuild the table on
SQLite, and a rebuilt table loses the triggers that guard issued invoices' lines."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0015_dates_supply_period"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE billing_invoiceline "
                    "ADD COLUMN vat_exemption_code varchar(30) NOT NULL DEFAULT ''",
                    "ALTER TABLE billing_invoiceline DROP COLUMN vat_exemption_code",
                )
            ],
            state_operations=[
                migrations.AddField(
                    model_name="invoiceline",
                    name="vat_exemption_code",
                    field=models.CharField(blank=True, max_length=30),
                ),
            ],
        ),
    ]
