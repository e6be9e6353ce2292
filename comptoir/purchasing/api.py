from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from comptoir.catalog.models import Item
from comptoir.core import access
from comptoir.core.schemas import ERRORS, ErrorOut, Id
from comptoir.pricing.documents import find_by_id_or_code
from comptoir.purchasing import services
from comptoir.purchasing.models import PurchaseOrder, Supplier
from comptoir.purchasing.schemas import (
    PurchaseOrderIn,
    PurchaseOrderOut,
    ReceiptIn,
    SalesPurchaseIn,
    SupplierIn,
    SupplierOut,
)
from comptoir.sales.models import SalesOrder
from comptoir.stock.models import Warehouse
from comptoir.stock.schemas import DeliveryOut

router = Router(tags=["purchasing"])


def _supplier(key) -> Supplier:
    return find_by_id_or_code(Supplier, key, _("Supplier"), "supplier")


def _order(pk: int) -> PurchaseOrder:
    return get_object_or_404(PurchaseOrder.objects.prefetch_related("lines"), pk=pk)


@router.get("/suppliers", response=list[SupplierOut])
@paginate
def list_suppliers(request):
    return Supplier.objects.all()


@router.post("/suppliers", response={201: SupplierOut, **ERRORS})
def create_supplier(request, payload: SupplierIn):
    return Status(201, services.create_supplier(**payload.dict()))


@router.get("/purchase-orders", response=list[PurchaseOrderOut])
@paginate
def list_purchase_orders(request, status: str | None = None):
    orders = PurchaseOrder.objects.prefetch_related("lines")
    return orders.filter(status=status) if status else orders


@router.post("/purchase-orders", response={201: PurchaseOrderOut, **ERRORS})
def create_purchase_order(request, payload: PurchaseOrderIn):
    lines = [
        services.PurchaseLine(
            find_by_id_or_code(Item, row.item, _("Item"), f"lines[{index}].item"),
            row.quantity,
            row.unit_cost,
        )
        for index, row in enumerate(payload.lines)
    ]
    warehouse = (
        None
        if payload.warehouse is None
        else find_by_id_or_code(Warehouse, payload.warehouse, _("Warehouse"), "warehouse")
    )
    order = services.create_purchase_order(
        _supplier(payload.supplier),
        lines,
        expected_date=payload.expected_date,
        warehouse=warehouse,
        by=request.user,
    )
    if payload.confirm:
        services.confirm_purchase_order(order, by=request.user)
    return Status(201, _order(order.pk))


@router.get("/purchase-orders/{pk}", response={200: PurchaseOrderOut, 404: ErrorOut})
def get_purchase_order(request, pk: Id):
    return _order(pk)


@router.post("/purchase-orders/{pk}/confirm", response={200: PurchaseOrderOut, **ERRORS})
def confirm_purchase_order(request, pk: Id):
    services.confirm_purchase_order(_order(pk), by=request.user)
    return _order(pk)


@router.post("/purchase-orders/{pk}/cancel", response={200: PurchaseOrderOut, **ERRORS})
def cancel_purchase_order(request, pk: Id):
    services.cancel_purchase_order(_order(pk), by=request.user)
    return _order(pk)


def _quantities(payload: ReceiptIn):
    return None if payload.lines is None else {row.line: row.quantity for row in payload.lines}


@router.post("/purchase-orders/{pk}/receipts", response={200: PurchaseOrderOut, **ERRORS})
def receive_purchase(request, pk: Id, payload: ReceiptIn):
    """Goods received into our warehouse."""
    services.receive_purchase(_order(pk), _quantities(payload), by=request.user)
    return _order(pk)


@router.post("/purchase-orders/{pk}/drop-shipment-delivered", response={201: DeliveryOut, **ERRORS})
def confirm_drop_shipment(request, pk: Id, payload: ReceiptIn):
    """The supplier delivered the customer: the delivery note of the sales order."""
    delivery = services.confirm_drop_shipment(_order(pk), _quantities(payload), by=request.user)
    return Status(201, delivery)


@router.post("/orders/{pk}/purchases", response={201: PurchaseOrderOut, **ERRORS})
def purchase_for_order(request, pk: Id, payload: SalesPurchaseIn):
    """A special order (or a drop shipment) for what a sales order still needs."""
    sales_order = access.get_owned(SalesOrder.objects.all(), request.user, pk=pk)
    goods = [line for line in sales_order.lines.all() if not line.is_service]
    order = services.order_for_sales_lines(
        goods, _supplier(payload.supplier), drop_ship=payload.drop_ship, by=request.user
    )
    return Status(201, _order(order.pk))
