"""The invoices issued before the summary tables existed, added to them."""

from django.db import migrations


def add_issued(apps, schema_editor):
    # The live code (the rebuild reads the documents as the application does); with no
    # issued invoice, nothing to do.
    Invoice = apps.get_model("billing", "Invoice")
    if not Invoice.objects.filter(status="issued").exists():
        return
    from comptoir.reports.facts import rebuild

    rebuild()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_sales_summaries"), ("billing", "__latest__")]

    operations = [migrations.RunPython(add_issued, migrations.RunPython.noop)]
