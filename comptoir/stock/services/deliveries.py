"""Delivery notes: created against orders, shipped (posting their stock moves when stock
management is on, and updating the orders' progress by lineage), cancelled."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.catalog.queries import stocked_parts
from comptoir.core import audit
from comptoir.core.bulk import update_rows
from comptoir.core.errors import BusinessError
from comptoir.core.models import Company
from comptoir.core.money import format_quantity, parse_decimal, round_amount, round_quantity
from comptoir.core.numbering import take_numbers
from comptoir.core.transitions import check_transition
from comptoir.sales.models import SalesOrder, SalesOrderLine
from comptoir.sales.services import refresh_order_progress
from comptoir.stock import valuation
from comptoir.stock.errors import StockError
from comptoir.stock.models import (
    DeliveryNote,
    DeliveryNoteLine,
    StockMove,
    StockReservation,
    Warehouse,
)
from comptoir.stock.services.ledger import Move, default_warehouse, post_moves
from comptoir.stock.services.reservations import release, save_reservation_quantities


def _remaining_by_line(order_ids) -> dict[int, Decimal]:
    """What is left to deliver per order line: ordered − every non-cancelled delivery line
    + what customers sent back."""
    not_cancelled = ~Q(delivery_lines__delivery__status=DeliveryNote.Status.CANCELLED)
    lines = SalesOrderLine.objects.filter(order_id__in=order_ids, is_service=False).order_by()
    rows = lines.values_list("pk", "quantity").annotate(
        taken=Sum("delivery_lines__quantity", filter=not_cancelled)
    )
    returned = dict(
        lines.filter(delivery_lines__return_lines__isnull=False)
        .values_list("pk")
        .annotate(q=Sum("delivery_lines__return_lines__quantity"))
    )
    zero = Decimal("0")
    return {
        pk: quantity - (taken or zero) + (returned.get(pk) or zero) for pk, quantity, taken in rows
    }


def create_deliveries(
    requests: list[tuple[SalesOrder | list[SalesOrder], dict | None]],
    *,
    ship=True,
    by=None,
    day=None,
    warehouse: Warehouse | None = None,
    drop_ship: bool = False,
    unit_costs: dict | None = None,
):
    """One delivery note per (order, {order line id: quantity}); None delivers all that remains.
    A list of orders of one customer in place of the order makes one delivery for them all.
    With stock management, the goods leave ``warehouse`` (the default one unless given); a
    drop shipment (the supplier delivered the customer) moves nothing in our warehouses, and
    its goods cost what the supplier charges, ``unit_costs`` ({order line id: unit cost}).

    Batch-first: the orders are locked once, numbers taken once, lines inserted in bulk.
    """
    day = day or timezone.localdate()
    groups = [
        ([o.pk for o in (orders if isinstance(orders, list) else [orders])], quantities)
        for orders, quantities in requests
    ]
    with transaction.atomic():
        if warehouse is None and Company.get().stock_management and not drop_ship:
            warehouse = default_warehouse()
        ids = [pk for order_ids, _q in groups for pk in order_ids]
        orders = SalesOrder.objects.select_for_update().order_by("pk").in_bulk(ids)
        remaining = _remaining_by_line(ids)
        lines_by_id = SalesOrderLine.objects.filter(order_id__in=ids).in_bulk()
        lines_of_order: dict[int, list[int]] = {}
        for line in lines_by_id.values():
            lines_of_order.setdefault(line.order_id, []).append(line.pk)
        deliveries, all_lines = [], []
        for order_ids, quantities in groups:
            served = [orders[pk] for pk in order_ids]
            _check_deliverable(served)
            order = served[0]
            if quantities is None:
                quantities = {
                    pk: remaining[pk]
                    for order_id in order_ids
                    for pk in sorted(lines_of_order.get(order_id, []))
                    if remaining.get(pk, 0) > 0
                }
            delivery = DeliveryNote(
                order=order,
                customer_id=order.customer_id,
                warehouse=warehouse,
                drop_ship=drop_ship,
                date=day,
                shipping_address=order.shipping_address,
                created_by=by,
            )
            lines = []
            for line_id, raw_quantity in quantities.items():
                field = f"lines.{line_id}"
                quantity = round_quantity(parse_decimal(raw_quantity, field=field))
                if quantity == 0:
                    continue
                line = lines_by_id.get(int(line_id))
                if line is None or line.order_id not in order_ids:
                    raise BusinessError(
                        StockError.WRONG_ORDER,
                        _("Line %(line)s is not a line of order %(ref)s.")
                        % {"line": line_id, "ref": ", ".join(o.reference for o in served)},
                        field,
                    )
                if line.is_service:
                    raise BusinessError(
                        StockError.NOT_DELIVERABLE, _("A service is not delivered."), field
                    )
                if quantity < 0:
                    raise BusinessError(
                        StockError.TOO_MUCH,
                        _(
                            "A quantity to deliver cannot be negative: goods that come back "
                            "are a return."
                        ),
                        field,
                    )
                if quantity > remaining[line.pk]:
                    raise BusinessError(
                        StockError.TOO_MUCH,
                        _("%(qty)s is more than the %(left)s left to deliver of %(item)s.")
                        % {
                            "qty": format_quantity(quantity),
                            "left": format_quantity(remaining[line.pk]),
                            "item": line.description,
                        },
                        field,
                    )
                remaining[line.pk] -= quantity
                lines.append(
                    DeliveryNoteLine(
                        delivery=delivery,
                        source_line=line,
                        item_id=line.item_id,
                        description=line.description,
                        quantity=quantity,
                    )
                )
            if not lines:
                left = any(
                    remaining.get(pk, 0) > 0 and not lines_by_id[pk].is_service
                    for order_id in order_ids
                    for pk in lines_of_order.get(order_id, [])
                )
                raise BusinessError(
                    StockError.NOTHING_TO_DELIVER,
                    _("Type at least one quantity to deliver.")
                    if left
                    else _("Nothing is left to deliver on order %(ref)s.")
                    % {"ref": ", ".join(o.reference for o in served)},
                )
            deliveries.append(delivery)
            all_lines.extend(lines)
        for delivery, number in zip(
            deliveries, take_numbers("delivery", day, len(deliveries)), strict=True
        ):
            delivery.number = number
        DeliveryNote.objects.bulk_create(deliveries)
        audit.record(deliveries, audit.CREATED, by=by)
        DeliveryNoteLine.objects.bulk_create(all_lines)
        if ship:
            deliveries = ship_deliveries(deliveries, by=by, day=day, unit_costs=unit_costs)
        return deliveries


def _check_deliverable(orders: list[SalesOrder]) -> None:
    for order in orders:
        if order.status != SalesOrder.Status.CONFIRMED:
            raise BusinessError(
                StockError.ORDER_NOT_CONFIRMED,
                _("Order %(ref)s is not confirmed: nothing can be delivered.")
                % {"ref": order.reference},
            )
    if len({order.customer_id for order in orders}) > 1:
        raise BusinessError(
            StockError.SEVERAL_CUSTOMERS,
            _("One delivery serves the orders of one customer."),
            "orders",
        )


def create_delivery(order: SalesOrder, quantities: dict | None = None, *, ship=True, by=None):
    return create_deliveries([(order, quantities)], ship=ship, by=by)[0]


def mark_picked(deliveries: list[DeliveryNote], *, by=None) -> list[DeliveryNote]:
    """The goods of these deliveries are picked and packed: ready to ship."""
    with transaction.atomic():
        locked = DeliveryNote.objects.select_for_update().in_bulk([d.pk for d in deliveries])
        for delivery in locked.values():
            check_transition(delivery, DeliveryNote.Status.READY)
        DeliveryNote.objects.filter(pk__in=list(locked)).update(status=DeliveryNote.Status.READY)
        for delivery in locked.values():
            delivery.status = DeliveryNote.Status.READY
        audit.record(list(locked.values()), by=by)
        return list(DeliveryNote.objects.filter(pk__in=list(locked)))


def ship_deliveries(
    deliveries: list[DeliveryNote], *, by=None, day=None, unit_costs: dict | None = None
) -> list[DeliveryNote]:
    """The goods leave: a note prepared earlier takes the day it ships (``day``, today unless
    given), the date its invoice states as the date of supply. ``unit_costs``: what the goods
    that leave none of our warehouses cost, by order line id (a drop shipment's purchase)."""
    with transaction.atomic():
        ids = [d.pk for d in deliveries]
        locked = DeliveryNote.objects.select_for_update().in_bulk(ids)
        now = timezone.now()
        shipped = []
        for delivery_id in ids:
            delivery = locked[delivery_id]
            check_transition(delivery, DeliveryNote.Status.SHIPPED)
            delivery.status = DeliveryNote.Status.SHIPPED
            delivery.shipped_at = now
            delivery.date = day or timezone.localdate(now)
            shipped.append(delivery)
        DeliveryNote.objects.bulk_update(shipped, ["status", "shipped_at", "date"])
        audit.record(shipped, by=by)
        lines = list(
            DeliveryNoteLine.objects.filter(delivery__in=shipped, item__isnull=False)
            .select_related("item")
            .order_by("pk")
        )
        stocked = Company.get().stock_management
        moves = []
        if stocked:
            moves = _post_delivery_moves([d for d in shipped if not d.drop_ship], lines, by=by)
        _fix_costs(lines, moves, stocked, unit_costs or {})
        refresh_order_progress(
            DeliveryNoteLine.objects.filter(delivery__in=shipped)
            .values_list("source_line__order_id", flat=True)
            .distinct()
        )
        return shipped


def _fix_costs(
    lines: list[DeliveryNoteLine], moves: list[StockMove], stocked: bool, given: dict
) -> None:
    """What each shipped line cost: the unit costs its goods left their warehouse at; nothing
    left a warehouse, the unit cost ``given`` for its order line (a drop shipment's purchase),
    else what a unit costs today (``stock.valuation.unit_costs``: no stock management)."""
    left: dict[int, Decimal] = {}
    for move in moves:
        left[move.delivery_line_id] = left.get(move.delivery_line_id, Decimal("0")) - (
            move.quantity * move.unit_cost
        )
    today = valuation.unit_costs(
        [line.item for line in lines if line.pk not in left and line.source_line_id not in given],
        stock_management=stocked,
    )
    for line in lines:
        if line.pk in left:
            line.cost_amount = round_amount(left[line.pk])
        else:
            unit = given.get(line.source_line_id)
            line.cost_amount = valuation.cost_of(
                line.quantity, today[line.item_id] if unit is None else unit
            )
    if lines:
        update_rows(DeliveryNoteLine, ["cost_amount"], [(ln.pk, ln.cost_amount) for ln in lines])


def _post_delivery_moves(
    deliveries: list[DeliveryNote], lines: list[DeliveryNoteLine], *, by
) -> list[StockMove]:
    """The goods of shipped deliveries leave their warehouse (services are never delivered);
    what was reserved for their order lines is taken with them."""
    missing = [d for d in deliveries if d.warehouse_id is None]  # made before stock management
    if missing:
        fallback = default_warehouse()
        DeliveryNote.objects.filter(pk__in=[d.pk for d in missing]).update(warehouse=fallback)
        for delivery in missing:
            delivery.warehouse_id = fallback.pk
    warehouses = Warehouse.objects.in_bulk({d.warehouse_id for d in deliveries})
    moves = []
    by_delivery = {d.pk: d for d in deliveries}
    lines = [line for line in lines if line.delivery_id in by_delivery]
    reservations = StockReservation.objects.in_bulk(
        {line.source_line_id for line in lines}, field_name="order_line_id"
    )
    elsewhere: dict[StockReservation, Decimal] = {}  # reserved in another warehouse
    taken: list[StockReservation] = []
    parts = stocked_parts({line.item for line in lines})  # a bundle leaves as its components
    for line in lines:
        delivery = by_delivery[line.delivery_id]
        warehouse = warehouses[delivery.warehouse_id]
        reservation = reservations.get(line.source_line_id)
        releases = min(reservation.quantity, line.quantity) if reservation else Decimal("0")
        if reservation and reservation.warehouse_id != delivery.warehouse_id:
            elsewhere[reservation] = releases
            releases = Decimal("0")
        elif reservation:
            reservation.quantity -= releases
            taken.append(reservation)
        moves += [
            Move(
                item,
                warehouse,
                -line.quantity * per_unit,
                StockMove.Kind.DELIVERY,
                date=delivery.date,
                reference=delivery.number,
                delivery_line=line,
                releases=releases if item.pk == line.item_id else Decimal("0"),
            )
            for item, per_unit in parts[line.item_id]
        ]
    release(elsewhere)
    posted = post_moves(moves, by=by)
    save_reservation_quantities(taken)
    return posted


def ship_delivery(delivery: DeliveryNote, *, by=None) -> DeliveryNote:
    return ship_deliveries([delivery], by=by)[0]


def cancel_delivery(delivery: DeliveryNote, *, by=None) -> DeliveryNote:
    with transaction.atomic():
        delivery = DeliveryNote.objects.select_for_update().get(pk=delivery.pk)
        check_transition(delivery, DeliveryNote.Status.CANCELLED)
        delivery.status = DeliveryNote.Status.CANCELLED
        delivery.save(update_fields=["status"])
        return delivery
