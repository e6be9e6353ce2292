"""Every state change of purchases: orders to suppliers, receipts into stock, special orders
and drop shipments of sales order lines."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.catalog.models import Item
from comptoir.core.bulk import update_rows
from comptoir.core.documents import read_line_quantities
from comptoir.core.errors import BusinessError
from comptoir.core.money import (
    MAX_QUANTITY,
    format_quantity,
    parse_decimal,
    round_price,
    round_quantity,
)
from comptoir.core.numbering import take_numbers
from comptoir.core.transitions import check_transition
from comptoir.core.validation import create_validated, full_clean_or_raise
from comptoir.purchasing.errors import PurchaseError
from comptoir.purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier
from comptoir.sales.models import SalesOrder, SalesOrderLine
from comptoir.stock.models import StockMove, StockReservation, Warehouse
from comptoir.stock.services import Move, create_deliveries, default_warehouse, post_moves
from comptoir.stock.services.reservations import add_reservations, release


@dataclass
class PurchaseLine:
    item: Item
    quantity: Decimal
    unit_cost: Decimal | None = None
    sales_order_line: SalesOrderLine | None = None


SUPPLIER_FIELDS = {"code", "name", "email", "siren", "vat_id", "lead_time_days", "active"}


def create_supplier(**fields) -> Supplier:
    with transaction.atomic():
        return create_validated(
            Supplier, **{k: v for k, v in fields.items() if k in SUPPLIER_FIELDS}
        )


def update_supplier(supplier: Supplier, **fields) -> Supplier:
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
        for name, value in fields.items():
            if name in SUPPLIER_FIELDS:
                setattr(supplier, name, value)
        full_clean_or_raise(supplier)
        supplier.save()
        return supplier


def cancel_purchase_order(order: PurchaseOrder, *, by=None) -> PurchaseOrder:
    """Nothing is expected any more (what was received stays received)."""
    with transaction.atomic():
        order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
        check_transition(order, PurchaseOrder.Status.CANCELLED)
        order.status = PurchaseOrder.Status.CANCELLED
        order.save(update_fields=["status"])
        return order


def create_purchase_order(
    supplier: Supplier,
    lines: list[PurchaseLine],
    *,
    expected_date=None,
    warehouse: Warehouse | None = None,
    drop_ship: bool = False,
    sales_order: SalesOrder | None = None,
    by=None,
) -> PurchaseOrder:
    """A draft order to a supplier; expected after its lead time unless a date is given."""
    if not lines:
        raise BusinessError(PurchaseError.NO_LINES, _("A purchase order needs lines."), "lines")
    today = timezone.localdate()
    with transaction.atomic():
        order = PurchaseOrder.objects.create(
            supplier=supplier,
            date=today,
            expected_date=expected_date or today + timedelta(days=supplier.lead_time_days),
            warehouse=None if drop_ship else (warehouse or default_warehouse()),
            drop_ship=drop_ship,
            sales_order=sales_order,
            ship_to=sales_order.shipping_address if drop_ship and sales_order else {},
            created_by=by,
        )
        rows = []
        for index, line in enumerate(lines):
            where = f"lines[{index}]"
            if line.item.kind != Item.Kind.GOODS:
                raise BusinessError(
                    PurchaseError.NOT_FOR_STOCK,
                    _("%(code)s is not goods: it is not bought.") % {"code": line.item.code},
                    f"{where}.item",
                )
            quantity = round_quantity(
                parse_decimal(line.quantity, field=f"{where}.quantity", maximum=MAX_QUANTITY)
            )
            if quantity <= 0:
                raise BusinessError(
                    PurchaseError.TOO_MUCH,
                    _("The quantity must be greater than zero."),
                    f"{where}.quantity",
                )
            cost = line.unit_cost if line.unit_cost is not None else line.item.cost_price
            rows.append(
                PurchaseOrderLine(
                    order=order,
                    item=line.item,
                    description=line.item.name,
                    quantity=quantity,
                    unit_cost=round_price(cost),
                    sales_order_line=line.sales_order_line,
                )
            )
        PurchaseOrderLine.objects.bulk_create(rows)
        return order


def confirm_purchase_order(order: PurchaseOrder, *, by=None) -> PurchaseOrder:
    """Sent to the supplier: numbered; its goods are now expected."""
    with transaction.atomic():
        order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
        check_transition(order, PurchaseOrder.Status.CONFIRMED)
        order.status = PurchaseOrder.Status.CONFIRMED
        order.number = take_numbers("purchase", timezone.localdate())[0]
        order.save(update_fields=["status", "number"])
        return order


def receive_purchase(
    order: PurchaseOrder, quantities: dict | None = None, *, by=None, day=None
) -> list[StockMove]:
    """Goods received from the supplier ({line id: quantity}; None: all that is expected)
    into the order's warehouse; what was bought for a sales order line is reserved for it."""
    with transaction.atomic():
        order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
        if order.status != PurchaseOrder.Status.CONFIRMED or order.drop_ship:
            raise BusinessError(
                PurchaseError.NOT_CONFIRMED,
                _("Only a confirmed purchase order for our warehouse is received."),
                "status",
            )
        lines = {line.pk: line for line in order.lines.select_related("item", "sales_order_line")}
        if quantities is None:
            quantities = {pk: line.quantity_to_receive for pk, line in lines.items()}
        received = _received(lines, quantities)
        moves = [
            Move(
                line.item,
                order.warehouse,
                quantity,
                StockMove.Kind.RECEIPT,
                date=day,
                unit_cost=line.unit_cost,
                reference=order.number,
                reason=str(order.supplier),
            )
            for line, quantity in received
        ]
        posted = post_moves(moves, by=by)
        _reserve_special_orders(order.warehouse, received)
        _close_if_complete(order)
        return posted


def _received(lines: dict, quantities: dict) -> list[tuple[PurchaseOrderLine, Decimal]]:
    received = read_line_quantities(
        quantities,
        lines,
        lambda line: line.quantity_to_receive,
        unknown=lambda line_id, field: BusinessError(
            PurchaseError.WRONG_LINE, _("This line is not a line of the order."), field
        ),
        excess=lambda line, quantity, field: BusinessError(
            PurchaseError.TOO_MUCH,
            _("%(qty)s is more than the %(left)s still expected.")
            % {"qty": format_quantity(quantity), "left": format_quantity(line.quantity_to_receive)},
            field,
        ),
    )
    for line, quantity in received:
        line.quantity_received += quantity
    if not received:
        raise BusinessError(PurchaseError.NO_LINES, _("Nothing was received."), "lines")
    update_rows(
        PurchaseOrderLine,
        ["quantity_received"],
        [(line.pk, line.quantity_received) for line, _q in received],
    )
    return received


def _close_if_complete(order: PurchaseOrder) -> None:
    if not any(line.quantity_to_receive > 0 for line in order.lines.all()):
        order.status = PurchaseOrder.Status.RECEIVED
        order.save(update_fields=["status"])


def _reserve_special_orders(warehouse, received) -> None:
    """Goods bought for a sales order line are set aside for it as they arrive."""
    add_reservations(
        warehouse,
        [(line.sales_order_line, q) for line, q in received if line.sales_order_line_id],
    )


def order_for_sales_lines(
    lines: list[SalesOrderLine], supplier: Supplier, *, drop_ship: bool = False, by=None
) -> PurchaseOrder:
    """A special order (bought for these sales order lines, received into our warehouse,
    then delivered) or a drop shipment (the supplier delivers the customer), confirmed."""
    orders = {line.order_id for line in lines}
    if len(orders) != 1:
        raise BusinessError(
            PurchaseError.WRONG_LINE, _("One purchase serves one sales order."), "lines"
        )
    sales_order = lines[0].order
    wanted = [
        PurchaseLine(line.item, line.quantity - line.quantity_delivered, sales_order_line=line)
        for line in lines
        if line.item is not None and line.quantity > line.quantity_delivered
    ]
    with transaction.atomic():
        order = create_purchase_order(
            supplier, wanted, drop_ship=drop_ship, sales_order=sales_order, by=by
        )
        if drop_ship:  # nothing leaves our warehouses for these lines
            reservations = StockReservation.objects.filter(order_line__in=lines)
            release({r: r.quantity for r in reservations})
        return confirm_purchase_order(order, by=by)


def confirm_drop_shipment(order: PurchaseOrder, quantities: dict | None = None, *, by=None):
    """The supplier has delivered the customer: the sales order lines are delivered, with a
    delivery note that moves nothing in our warehouses."""
    with transaction.atomic():
        order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
        if not order.drop_ship or order.status != PurchaseOrder.Status.CONFIRMED:
            raise BusinessError(
                PurchaseError.NOT_DROP_SHIP,
                _("Only a confirmed drop shipment is confirmed as delivered."),
                "status",
            )
        lines = {line.pk: line for line in order.lines.all()}
        if quantities is None:
            quantities = {pk: line.quantity_to_receive for pk, line in lines.items()}
        received = _received(lines, quantities)
        deliveries = create_deliveries(
            [(order.sales_order, {line.sales_order_line_id: q for line, q in received})],
            by=by,
            drop_ship=True,
            unit_costs={line.sales_order_line_id: line.unit_cost for line, _q in received},
        )
        _close_if_complete(order)
        return deliveries[0]
