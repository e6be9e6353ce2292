"""An index of the order lines delivered beyond what is invoiced: the few lines the « À
facturer » report and the dashboard's « Livré, non facturé » read, found without scanning every
order line (a partial index; SQLite and PostgreSQL both have them)."""

from django.db import migrations

INDEX = "reports_uninvoiced_lines"


class Migration(migrations.Migration):
    dependencies = [("sales", "0009_quotationline_is_shipping_salesorderline_is_shipping")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {INDEX} ON sales_salesorderline (order_id) "
            "WHERE quantity_delivered > quantity_invoiced",
            f"DROP INDEX {INDEX}",
        )
    ]
