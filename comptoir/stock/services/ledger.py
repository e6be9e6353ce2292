"""The stock ledger: posting moves, and the balances they keep per item and warehouse.

Moves are posted in batches: the balances they touch are created if missing, locked in id
order (two deliveries of the last units wait for each other, the second finds none left),
checked against negative stock, valued (each move's unit cost, each balance's average cost:
``stock.valuation``), then the moves are inserted and the balances written in one statement
each.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.catalog.models import Item
from comptoir.core.bulk import insert_objects, new_instances, update_rows
from comptoir.core.errors import BusinessError
from comptoir.core.models import Company
from comptoir.core.money import MAX_QUANTITY, format_quantity, parse_decimal, round_quantity
from comptoir.core.validation import full_clean_or_raise
from comptoir.stock.errors import StockError
from comptoir.stock.models import StockLevel, StockMove, Warehouse
from comptoir.stock.valuation import value_moves


@dataclass
class Move:
    """A move to post: ``quantity`` is positive into the warehouse, negative out of it."""

    item: Item
    warehouse: Warehouse
    quantity: Decimal
    kind: str
    date: object = None
    unit_cost: Decimal | None = None
    reason: str = ""
    reference: str = ""
    delivery_line: object = None
    return_line: object = None
    releases: Decimal = Decimal("0")  # reserved goods this move takes (a delivery's own)
    cost_from: "Move | None" = None  # a transfer's arrival comes in at what its leaving cost


def post_moves(moves: list[Move], *, by=None) -> list[StockMove]:
    """Post moves to the ledger and their balances; refuses what would take a warehouse below
    zero (unless the company allows negative stock)."""
    if not moves:
        return []
    with transaction.atomic():
        deltas: dict[tuple[int, int], Decimal] = {}
        released: dict[tuple[int, int], Decimal] = {}
        protected: set[tuple[int, int]] = set()  # deliveries and transfers leave reservations
        for index, move in enumerate(moves):
            _check_move(move, f"moves[{index}]")
            key = (move.item.pk, move.warehouse.pk)
            deltas[key] = deltas.get(key, Decimal("0")) + move.quantity
            released[key] = released.get(key, Decimal("0")) + move.releases
            if move.kind in (StockMove.Kind.DELIVERY, StockMove.Kind.TRANSFER):
                protected.add(key)
        levels = _locked_levels(deltas)
        averages = value_moves(moves, levels)
        allow_negative = Company.get().allow_negative_stock
        changed = []
        for key, delta in deltas.items():
            level = levels[key]
            on_hand = level.on_hand + delta
            reserved = max(level.reserved - released[key], Decimal("0"))
            floor = reserved if key in protected else Decimal("0")
            if delta < 0 and on_hand < floor and not allow_negative:
                move = next(m for m in moves if (m.item.pk, m.warehouse.pk) == key)
                raise _not_enough(move, level, reserved if key in protected else None, -delta)
            changed.append((level.pk, on_hand, reserved, averages[key]))
        today = timezone.localdate()
        rows = insert_objects(
            new_instances(
                StockMove,
                [
                    {
                        "item": m.item,
                        "warehouse": m.warehouse,
                        "quantity": m.quantity,
                        "kind": m.kind,
                        "date": m.date or today,
                        "unit_cost": m.unit_cost,
                        "reason": m.reason[:200],
                        "reference": m.reference[:40],
                        "delivery_line": m.delivery_line,
                        "return_line": m.return_line,
                        "created_by": by,
                    }
                    for m in moves
                ],
            ),
            returning=True,
        )
        update_rows(StockLevel, ["on_hand", "reserved", "average_cost"], changed)
        return rows


def _not_enough(move: Move, level: StockLevel, reserved, needed) -> BusinessError:
    values = {
        "item": move.item.code,
        "warehouse": move.warehouse.code,
        "on_hand": format_quantity(level.on_hand),
        "needed": format_quantity(needed),
    }
    if reserved:
        values["reserved"] = format_quantity(reserved)
        message = _(
            "Not enough stock of %(item)s in %(warehouse)s: %(on_hand)s on hand of which "
            "%(reserved)s are reserved for other orders, %(needed)s needed."
        )
    else:
        message = _(
            "Not enough stock of %(item)s in %(warehouse)s: %(on_hand)s on hand, %(needed)s needed."
        )
    return BusinessError(StockError.NOT_ENOUGH, message % values, "quantity")


def _check_move(move: Move, where: str) -> None:
    move.quantity = round_quantity(
        parse_decimal(move.quantity, field=f"{where}.quantity", maximum=MAX_QUANTITY)
    )
    if move.quantity == 0:
        raise BusinessError(
            StockError.ZERO_QUANTITY, _("A stock move needs a quantity."), f"{where}.quantity"
        )
    if move.item.is_service:
        raise BusinessError(
            StockError.SERVICE_NOT_STOCKED,
            _("%(item)s is a service: it has no stock.") % {"item": move.item.code},
            f"{where}.item",
        )
    if move.item.is_bundle:
        raise BusinessError(
            StockError.BUNDLE_NOT_STOCKED,
            _("%(item)s is a bundle: its components are in stock, not it.")
            % {"item": move.item.code},
            f"{where}.item",
        )
    if move.item.is_template:
        raise BusinessError(
            StockError.TEMPLATE_NOT_STOCKED,
            _("%(item)s is a model: its variants are in stock, not it.") % {"item": move.item.code},
            f"{where}.item",
        )
    if move.kind not in StockMove.Kind.values:
        raise BusinessError(StockError.UNKNOWN_KIND, _("Unknown kind of move."), f"{where}.kind")


def _locked_levels(keys) -> dict[tuple[int, int], StockLevel]:
    """The balances of these (item id, warehouse id) pairs, created when missing, locked."""
    if not keys:
        return {}  # (an empty filter would lock every balance)
    StockLevel.objects.bulk_create(
        [StockLevel(item_id=item, warehouse_id=warehouse) for item, warehouse in keys],
        ignore_conflicts=True,
    )
    pairs = Q()
    for item, warehouse in keys:
        pairs |= Q(item_id=item, warehouse_id=warehouse)
    locked = StockLevel.objects.select_for_update().filter(pairs).order_by("pk")
    return {(level.item_id, level.warehouse_id): level for level in locked}


def default_warehouse() -> Warehouse:
    """The company's default warehouse; the first one is made when there is none."""
    warehouse = Warehouse.objects.filter(is_default=True).first()
    if warehouse is None:
        warehouse, _created = Warehouse.objects.get_or_create(
            code="PRINC", defaults={"name": _("Main warehouse"), "is_default": True}
        )
    return warehouse


WAREHOUSE_FIELDS = {
    "code",
    "name",
    "address_line1",
    "postal_code",
    "city",
    "country",
    "is_default",
    "active",
}


def save_warehouse(warehouse: Warehouse | None = None, **fields) -> Warehouse:
    """Create or change a warehouse; the one marked default takes over from the former."""
    with transaction.atomic():
        if warehouse is None:
            warehouse = Warehouse()
        else:
            warehouse = Warehouse.objects.select_for_update().get(pk=warehouse.pk)
        for name, value in fields.items():
            if name in WAREHOUSE_FIELDS:
                setattr(warehouse, name, value)
        full_clean_or_raise(warehouse, exclude=["is_default"])
        if warehouse.is_default:
            Warehouse.objects.filter(is_default=True).exclude(pk=warehouse.pk).update(
                is_default=False
            )
        warehouse.save()
        return warehouse


def receive(item: Item, quantity, *, warehouse: Warehouse | None = None, by=None, **fields):
    """Goods received into a warehouse (a purchase, an opening stock)."""
    move = Move(item, warehouse or default_warehouse(), quantity, StockMove.Kind.RECEIPT, **fields)
    return post_moves([move], by=by)[0]


def transfer(item: Item, quantity, source: Warehouse, target: Warehouse, *, by=None, **fields):
    """Goods moved between two warehouses: one move out, one move in."""
    if source.pk == target.pk:
        raise BusinessError(
            StockError.SAME_WAREHOUSE,
            _("A transfer goes to another warehouse."),
            "target",
        )
    quantity = parse_decimal(quantity, field="quantity", maximum=MAX_QUANTITY)
    if quantity <= 0:
        raise BusinessError(
            StockError.ZERO_QUANTITY, _("A transfer moves a positive quantity."), "quantity"
        )
    kind = StockMove.Kind.TRANSFER
    leaving = Move(item, source, -quantity, kind, **fields)
    return post_moves(
        [leaving, Move(item, target, quantity, kind, cost_from=leaving, **fields)], by=by
    )


def count_inventory(
    counts: list[tuple[Item, Decimal]], warehouse: Warehouse, *, by=None, day=None, reason=""
) -> list[StockMove]:
    """An inventory count: each item's counted quantity becomes its stock, through one
    adjustment move per item whose count differs from what the ledger says."""
    with transaction.atomic():
        keys = {(item.pk, warehouse.pk) for item, _counted in counts}
        levels = _locked_levels(keys)
        moves = []
        for index, (item, counted) in enumerate(counts):
            counted = round_quantity(
                parse_decimal(counted, field=f"counts[{index}].quantity", maximum=MAX_QUANTITY)
            )
            if counted < 0:
                raise BusinessError(
                    StockError.NEGATIVE_COUNT,
                    _("A counted quantity cannot be negative."),
                    f"counts[{index}].quantity",
                )
            difference = counted - levels[(item.pk, warehouse.pk)].on_hand
            if difference:
                moves.append(
                    Move(
                        item,
                        warehouse,
                        difference,
                        StockMove.Kind.ADJUSTMENT,
                        date=day,
                        reason=reason or _("Inventory count"),
                    )
                )
        return post_moves(moves, by=by)
