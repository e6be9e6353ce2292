"""The delivery date promised for each line of a confirmed order.

Available to promise: what the line has reserved, then what is free in the default warehouse
now; when short, the expected date of the purchase receipts that cover the rest (in date
order, after what earlier receipts already cover); with none, today plus the item's lead
time (capable to promise). Never earlier than the date the customer asked for.

It lives beside purchases because it reads what is expected from suppliers; stock gives
what is on hand and reserved.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from comptoir.catalog.models import Item
from comptoir.core.bulk import update_rows
from comptoir.core.models import Company
from comptoir.purchasing.models import PurchaseOrder, PurchaseOrderLine
from comptoir.sales.models import SalesOrder, SalesOrderLine
from comptoir.stock.models import StockLevel, StockReservation
from comptoir.stock.services import default_warehouse

ZERO = Decimal("0")


def promise_dates(lines: list[SalesOrderLine], today=None) -> dict[int, object]:
    """{order line id: date} for goods lines still to deliver, in a few queries."""
    today = today or timezone.localdate()
    goods = [
        line
        for line in lines
        if not line.is_service and line.item_id and line.quantity > line.quantity_delivered
    ]
    if not goods:
        return {}
    warehouse = default_warehouse()
    items = {line.item_id for line in goods}
    levels = {
        level.item_id: level
        for level in StockLevel.objects.filter(item_id__in=items, warehouse=warehouse)
    }
    held = dict(
        StockReservation.objects.filter(order_line__in=goods).values_list(
            "order_line_id", "quantity"
        )
    )
    incoming: dict[int, list[tuple[object, Decimal]]] = {}
    for item_id, day, left in (
        PurchaseOrderLine.objects.filter(
            item_id__in=items,
            order__status=PurchaseOrder.Status.CONFIRMED,
            order__drop_ship=False,
            quantity__gt=F("quantity_received"),
        )
        .annotate(left=F("quantity") - F("quantity_received"))
        .order_by("order__expected_date", "pk")
        .values_list("item_id", "order__expected_date", "left")
    ):
        incoming.setdefault(item_id, []).append((day, left))
    lead_times = dict(Item.objects.filter(pk__in=items).values_list("pk", "lead_time_days"))
    free = {item: max(level.on_hand - level.reserved, ZERO) for item, level in levels.items()}
    # Orders confirmed before, still waiting without reserved goods, come first.
    for item, waiting in _others_waiting(goods, items).items():
        _take(waiting, free, incoming, item)
    promised = {}
    for line in goods:
        needed = line.quantity - line.quantity_delivered - held.get(line.pk, ZERO)
        short, day = _take(needed, free, incoming, line.item_id, today)
        if short > 0:
            day = max(day, today + timedelta(days=lead_times.get(line.item_id, 0)))
        requested = line.order.requested_delivery_date
        promised[line.pk] = max(day, requested) if requested else day
    return promised


def _take(needed: Decimal, free: dict, incoming: dict, item: int, today=None):
    """Take ``needed`` from what is free now, then from the receipts in date order: what is
    still short, and the date the rest is there."""
    from_stock = min(max(needed, ZERO), free.get(item, ZERO))
    free[item] = free.get(item, ZERO) - from_stock
    short, day = needed - from_stock, today
    receipts = incoming.get(item, [])
    while short > 0 and receipts:
        expected, left = receipts[0]
        used = min(left, short)
        short -= used
        day = max(day, expected) if day else expected
        if used == left:
            receipts.pop(0)
        else:
            receipts[0] = (expected, left - used)
    return short, day


def _others_waiting(lines: list[SalesOrderLine], items) -> dict[int, Decimal]:
    """Per item, what other confirmed orders still wait for beyond what they reserved."""
    others = SalesOrderLine.objects.filter(
        item_id__in=items, order__status=SalesOrder.Status.CONFIRMED, is_service=False
    ).exclude(order_id__in={line.order_id for line in lines})
    waiting = dict(
        others.order_by()
        .values_list("item_id")
        .annotate(q=Sum(F("quantity") - F("quantity_delivered")))
    )
    for item, reserved in (
        StockReservation.objects.filter(order_line__in=others)
        .order_by()
        .values_list("item_id")
        .annotate(q=Sum("quantity"))
    ):
        waiting[item] = waiting.get(item, ZERO) - reserved
    return {item: q for item, q in waiting.items() if q > 0}


def promise_orders(orders, **_signal) -> None:
    """Store the promised date of the lines of newly confirmed orders."""
    if not Company.get().stock_management:
        return
    with transaction.atomic():
        lines = list(
            SalesOrderLine.objects.filter(order__in=orders)
            .select_related("order")
            .order_by("order_id", "position", "pk")
        )
        dates = promise_dates(lines)
        update_rows(SalesOrderLine, ["promised_date"], list(dates.items()))
