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
        new, grown = [], []
        for line in lines:
            held = existing.get(line.pk)
            wanted = line.quantity - line.quantity_delivered - (held.quantity if held else ZERO)
            level = levels[(line.item_id, warehouse.pk)]
            free = level.on_hand - level.reserved
            take = wanted if company.allow_negative_stock else min(wanted, max(free, ZERO))
            if take <= 0:
                continue
            level.reserved += take
            if held is None:
                new.append(
                    StockReservation(
                        order_line=line, item_id=line.item_id, warehouse=warehouse, quantity=take
                    )
                )
            elif held.warehouse_id == warehouse.pk:
                held.quantity += take
                grown.append(held)
            else:  # the default warehouse changed since: keep the line's place as it was
                level.reserved -= take
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
