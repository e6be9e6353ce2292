"""The stock held before valuation is valued at its items' cost price (where no average
exists yet), and the lines of the deliveries shipped before it cost quantity × cost price."""

from django.db import migrations
from django.db.models import OuterRef, Subquery

CHUNK = 5000


def value_existing_stock(apps, schema_editor):
    from comptoir.core.bulk import update_rows
    from comptoir.stock.valuation import cost_of

    Item = apps.get_model("catalog", "Item")
    StockLevel = apps.get_model("stock", "StockLevel")
    DeliveryNoteLine = apps.get_model("stock", "DeliveryNoteLine")
    StockLevel.objects.filter(average_cost__isnull=True).update(
        average_cost=Subquery(Item.objects.filter(pk=OuterRef("item_id")).values("cost_price")[:1])
    )
    rows = (
        DeliveryNoteLine.objects.filter(delivery__status="shipped", item__isnull=False)
        .order_by("pk")
        .values_list("pk", "quantity", "item__cost_price")
    )
    costs = [(pk, cost_of(quantity, price)) for pk, quantity, price in rows.iterator(CHUNK)]
    for start in range(0, len(costs), CHUNK):
        update_rows(DeliveryNoteLine, ["cost_amount"], costs[start : start + CHUNK])

class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0007_item_variants"),
        ("stock", "0007_deliverynoteline_cost_amount_stocklevel_average_cost"),
    ]

    operations = [migrations.RunPython(value_existing_stock, migrations.RunPython.noop)]
