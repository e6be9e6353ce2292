"""Reservations: goods set aside for confirmed orders (company option), never more than what
is available unless negative stock is allowed; released when the order is cancelled, taken by
the deliveries that ship them."""

from decimal import Decimal

from django.db import transaction

from comptoir.catalog.models import Item
from comptoir.core.bulk import update_rows
from comptoir.core.models import Company
from comptoir.sales.models import SalesOrderLine
from comptoir.stock.models import StockLevel, StockReservation
from comptoir.stock.services.ledger import _locked_levels, default_warehouse

ZERO = Decimal("0")


def reserve_for_orders(orders, **_signal) -> list[StockReservation]:
    """Set aside, in the default warehouse, what each goods line of the orders still needs."""
    company = Company.get()
    if not (company.stock_management and company.reserve_on_confirm):
        return []
    with transaction.atomic():
        lines = list(
            # Bundles are not reserved (their components are stocked, not they).
            SalesOrderLine.objects.filter(
                order__in=orders, is_service=False, item__kind=Item.Kind.GOODS
            ).order_by("pk")
        )
        existing = StockReservation.objects.in_bulk(
            [line.pk for line in lines], field_name="order_line_id"
        )
        warehouse = default_warehouse()
        levels = _locked_levels({(line.item_id, warehouse.pk) for line in lines})
        wanted, taken = [], {}
        for line in lines:
            held = existing.get(line.pk)
            if held is not None and held.warehouse_id != warehouse.pk:
                continue  # the default warehouse changed since: the line keeps its place
            needed = line.quantity - line.quantity_delivered - (held.quantity if held else ZERO)
            key = (line.item_id, warehouse.pk)
            free = levels[key].on_hand - levels[key].reserved - taken.get(key, ZERO)
            take = needed if company.allow_negative_stock else min(needed, max(free, ZERO))
            if take > 0:
                taken[key] = taken.get(key, ZERO) + take
                wanted.append((line, take))
        return add_reservations(warehouse, wanted, levels)


def add_reservations(
    warehouse, wanted: list[tuple[SalesOrderLine, Decimal]], levels: dict | None = None
) -> list:
    """Set these quantities aside in ``warehouse`` for these order lines (checked by the
    caller), adding to what each line holds there. ``levels``: their balances, when the
    caller has locked them already."""
    if not wanted:
        return []
    with transaction.atomic():
        if levels is None:
            levels = _locked_levels({(line.item_id, warehouse.pk) for line, _q in wanted})
        held = StockReservation.objects.in_bulk(
            [line.pk for line, _q in wanted], field_name="order_line_id"
        )
        new, grown = [], []
        for line, quantity in wanted:
            levels[(line.item_id, warehouse.pk)].reserved += quantity
            reservation = held.get(line.pk)
            if reservation is None:
                reservation = held[line.pk] = StockReservation(
                    order_line_id=line.pk, item_id=line.item_id, warehouse=warehouse, quantity=0
                )
                new.append(reservation)
            elif reservation not in grown:
                grown.append(reservation)
            reservation.quantity += quantity
        StockReservation.objects.bulk_create(new)
        update_rows(StockReservation, ["quantity"], [(r.pk, r.quantity) for r in grown])
        update_rows(StockLevel, ["reserved"], [(lv.pk, lv.reserved) for lv in levels.values()])
        return new + grown


def release_for_orders(orders, **_signal) -> None:
    """Give back what was set aside for these orders (cancelled)."""
    reservations = StockReservation.objects.filter(order_line__order__in=orders)
    release({r: r.quantity for r in reservations})


def release(taken: dict[StockReservation, Decimal]) -> None:
    """Lower reservations by the given quantities, and their balances' ``reserved``; a
    reservation brought to nothing goes."""
    taken = {r: q for r, q in taken.items() if q > 0}
    if not taken:
        return
    with transaction.atomic():
        levels = _locked_levels({(r.item_id, r.warehouse_id) for r in taken})
        for reservation, quantity in taken.items():
            level = levels[(reservation.item_id, reservation.warehouse_id)]
            level.reserved = max(level.reserved - quantity, ZERO)
            reservation.quantity -= quantity
        update_rows(StockLevel, ["reserved"], [(lv.pk, lv.reserved) for lv in levels.values()])
        save_reservation_quantities(list(taken))


def save_reservation_quantities(reservations: list[StockReservation]) -> None:
    """Write reservations' new quantities; those brought to nothing go."""
    StockReservation.objects.filter(pk__in=[r.pk for r in reservations if r.quantity <= 0]).delete()
    update_rows(
        StockReservation, ["quantity"], [(r.pk, r.quantity) for r in reservations if r.quantity > 0]
    )
