"""The lines of the invoices and credit notes issued before their cost was kept cost their
quantity × their item's cost price today (down payments and their deductions, nothing).

The cost is no part of what an issued invoice states nor of its seal: on PostgreSQL, the guard
of issued lines is set aside for this one statement, inside the migration's transaction."""

from django.db import migrations

CHUNK = 5000
GUARD = "billing_invoiceline_update"


def cost_issued_lines(apps, schema_editor):
    from comptoir.core.bulk import update_rows
    from comptoir.stock.valuation import cost_of

    InvoiceLine = apps.get_model("billing", "InvoiceLine")
    rows = (
        InvoiceLine.objects.filter(
            invoice__status="issued",
            item__isnull=False,
            deducted_line__isnull=True,
            invoice__kind__in=("invoice", "credit_note"),
        )
        .order_by("pk")
        .values_list("pk", "quantity", "item__cost_price")
    )
    costs = [(pk, cost_of(quantity, price)) for pk, quantity, price in rows.iterator(CHUNK)]
    if not costs:
        return
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:  # a table is altered only once the checks deferred so far have run
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute(f"ALTER TABLE billing_invoiceline DISABLE TRIGGER {GUARD}")
    for start in range(0, len(costs), CHUNK):
        update_rows(InvoiceLine, ["cost_amount"], costs[start : start + CHUNK])
    if postgresql:
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute(f"ALTER TABLE billing_invoiceline ENABLE TRIGGER {GUARD}")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0022_invoiceline_cost_amount"),
        ("catalog", "0007_item_variants"),
    ]

    operations = [migrations.RunPython(cost_issued_lines, migrations.RunPython.noop)]
