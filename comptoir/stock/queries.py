"""Stock figures per item and warehouse, read from the ledger's balances in one query."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest

from comptoir.catalog.models import Item
from comptoir.catalog.queries import bundle_components
from comptoir.sales.models import SalesOrder, SalesOrderLine
from comptoir.stock.models import StockLevel, StockMove
from comptoir.stock.valuation import cost_of

ZERO = Decimal("0")
QUANTITY = DecimalField(max_digits=13, decimal_places=3)


@dataclass(frozen=True)
class StockFigures:
    item_id: int
    item_code: str
    item_name: str
    warehouse_id: int
    warehouse_code: str
    on_hand: Decimal  # what the ledger holds
    reserved: Decimal  # set aside for confirmed orders
    demand: Decimal  # confirmed orders still to deliver (counted at the default warehouse)
    incoming: Decimal  # expected receipts
    average_cost: Decimal | None = None  # the weighted average cost of a unit (stock.valuation)
    warehouse_name: str = ""

    @property
    def value(self) -> Decimal | None:
        """What the stock held is worth at its average cost (none below zero)."""
        if self.average_cost is None:
            return None
        return cost_of(max(self.on_hand, ZERO), self.average_cost)

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved

    @property
    def projected(self) -> Decimal:
        """What will be left once the expected goods are in and the orders are out; the
        reserved part of the demand is already counted in it."""
        return self.on_hand + self.incoming - max(self.demand, self.reserved)


def with_figures(levels):
    """Balances annotated with their figures: ``demand`` (confirmed orders still to deliver,
    counted at the default warehouse), ``incoming`` (expected receipts), ``available`` and
    ``projected``."""
    open_lines = (
        SalesOrderLine.objects.filter(
            item=OuterRef("item"), order__status=SalesOrder.Status.CONFIRMED, is_service=False
        )
        .order_by()
        .values("item")
        .annotate(q=Sum(F("quantity") - F("quantity_delivered")))
        .values("q")
    )
    demand = Case(
        When(
            warehouse__is_default=True,
            then=Coalesce(Subquery(open_lines, output_field=QUANTITY), Value(ZERO)),
        ),
        default=Value(ZERO),
        output_field=QUANTITY,
    )
    # Expected receipts: confirmed purchase lines into this warehouse (purchasing's lines,
    # read through the item's relation).
    expected = (
        Item.objects.filter(pk=OuterRef("item"))
        .annotate(
            q=Sum(
                F("purchase_lines__quantity") - F("purchase_lines__quantity_received"),
                filter=Q(
                    purchase_lines__order__status="confirmed",
                    purchase_lines__order__warehouse=OuterRef("warehouse"),
                ),
            )
        )
        .values("q")
    )
    return levels.annotate(
        demand=demand,
        incoming=Coalesce(Subquery(expected, output_field=QUANTITY), Value(ZERO)),
        available=ExpressionWrapper(F("on_hand") - F("reserved"), output_field=QUANTITY),
        projected=ExpressionWrapper(
            F("on_hand") + F("incoming") - Greatest(F("demand"), F("reserved")),
            output_field=QUANTITY,
        ),
    )


def stock_figures(*, item_ids=None, warehouse_ids=None, search: str = "") -> list[StockFigures]:
    """The figures of each (item, warehouse) the ledger knows, in one indexed query."""
    levels = StockLevel.objects.all()
    if item_ids is not None:
        levels = levels.filter(item_id__in=item_ids)
    if warehouse_ids is not None:
        levels = levels.filter(warehouse_id__in=warehouse_ids)
    if search:
        levels = levels.filter(Q(item__code__icontains=search) | Q(item__name__icontains=search))
    rows = (
        with_figures(levels)
        .order_by("item__code", "warehouse__code")
        .values_list(
            "item_id",
            "item__code",
            "item__name",
            "warehouse_id",
            "warehouse__code",
            "on_hand",
            "reserved",
            "demand",
            "incoming",
            "average_cost",
            "warehouse__name",
        )
    )
    return [StockFigures(*row) for row in rows]


def ledger_differences() -> list[tuple[int, int, Decimal, Decimal]]:
    """(item id, warehouse id, balance, sum of the moves) wherever they differ: none, unless
    something wrote to the tables behind the services' back."""
    moved = {
        (item, warehouse): total
        for item, warehouse, total in StockMove.objects.order_by()
        .values_list("item_id", "warehouse_id")
        .annotate(total=Sum("quantity"))
    }
    differences = []
    for item, warehouse, on_hand in StockLevel.objects.values_list(
        "item_id", "warehouse_id", "on_hand"
    ):
        total = moved.pop((item, warehouse), ZERO)
        if total != on_hand:
            differences.append((item, warehouse, on_hand, total))
    differences += [(item, warehouse, ZERO, total) for (item, warehouse), total in moved.items()]
    return differences


def last_moves(item, limit: int = 50, warehouse=None):
    """An item's latest moves (the ledger's first page), newest first, from its index."""
    moves = StockMove.objects.filter(item=item).select_related("warehouse")
    if warehouse is not None:
        moves = moves.filter(warehouse=warehouse)
    return moves.order_by("-date", "-id")[:limit]


@dataclass
class PickLine:
    item_code: str
    item_name: str
    unit: str
    quantity: Decimal
    deliveries: list[tuple[str, Decimal]]  # (delivery number, quantity) to pack


@dataclass
class PickGroup:
    warehouse: str
    lines: list[PickLine]


def picking_list(delivery_ids) -> list[PickGroup]:
    """What to pick for these deliveries: per warehouse, each item once with its total and
    the deliveries it goes into (services are never picked)."""
    from comptoir.stock.models import DeliveryNoteLine

    rows = list(
        DeliveryNoteLine.objects.filter(delivery_id__in=delivery_ids, item__isnull=False)
        .order_by("delivery__warehouse__code", "item__code", "delivery__number", "pk")
        .values_list(
            "delivery__warehouse__code",
            "delivery__warehouse__name",
            "item_id",
            "item__code",
            "item__name",
            "item__unit__code",
            "delivery__number",
            "delivery_id",
            "quantity",
        )
    )
    bundles = bundle_components({row[2] for row in rows})
    picks = []  # a bundle is picked as its components
    for code, name, item_id, item, item_name, unit, number, delivery_id, quantity in rows:
        parts = bundles.get(item_id)
        if parts is None:
            picks.append((code, name, item, item_name, unit, number, delivery_id, quantity))
        else:
            picks += [
                (code, name, c.code, c.name, c.unit.code, number, delivery_id, quantity * per)
                for c, per in parts
            ]
    picks.sort(key=lambda pick: (pick[0] or "", pick[2]))
    groups: dict[str, PickGroup] = {}
    lines: dict[tuple[str, str], PickLine] = {}
    for code, name, item, item_name, unit, number, delivery_id, quantity in picks:
        where = f"{code} — {name}" if code else "—"
        group = groups.setdefault(where, PickGroup(where, []))
        line = lines.get((where, item))
        if line is None:
            line = lines[(where, item)] = PickLine(item, item_name, unit, ZERO, [])
            group.lines.append(line)
        line.quantity += quantity
        line.deliveries.append((number or f"#{delivery_id}", quantity))
    return list(groups.values())
