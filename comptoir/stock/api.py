from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from comptoir.catalog.models import Item
from comptoir.core import access
from comptoir.core.errors import BusinessError
from comptoir.core.schemas import ERRORS, ErrorOut, Id
from comptoir.pricing.documents import find_by_id_or_code
from comptoir.sales.models import SalesOrder
from comptoir.stock import services
from comptoir.stock.errors import StockError
from comptoir.stock.models import CustomerReturn, DeliveryNote, StockMove, Warehouse
from comptoir.stock.queries import stock_figures
from comptoir.stock.schemas import (
    CountIn,
    DeliveryIn,
    DeliveryOut,
    MoveIn,
    MoveOut,
    ReturnIn,
    ReturnOut,
    StockFiguresOut,
    TransferIn,
    WarehouseIn,
    WarehouseOut,
)

router = Router(tags=["deliveries"])


def _delivery(request, pk: int, queryset=None) -> DeliveryNote:
    """The delivery note, among those of the customers the token's user sees."""
    queryset = DeliveryNote.objects.prefetch_related("lines") if queryset is None else queryset
    return access.get_owned(queryset, request.user, pk=pk)


@router.post("/orders/{pk}/deliveries", response={201: DeliveryOut, **ERRORS})
def deliver_order(request, pk: Id, payload: DeliveryIn):
    order = access.get_owned(SalesOrder.objects.all(), request.user, pk=pk)
    quantities = (
        None if payload.lines is None else {row.line: row.quantity for row in payload.lines}
    )
    delivery = services.create_delivery(order, quantities, ship=payload.ship, by=request.user)
    return Status(201, _delivery(request, delivery.pk))


@router.get("/deliveries", response=list[DeliveryOut])
@paginate
def list_deliveries(request, order_id: Id | None = None, status: str | None = None):
    deliveries = access.owned(DeliveryNote.objects.prefetch_related("lines"), request.user)
    if order_id:
        deliveries = deliveries.filter(order_id=order_id)
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries


@router.get("/deliveries/{pk}", response={200: DeliveryOut, 404: ErrorOut})
def get_delivery(request, pk: Id):
    return _delivery(request, pk)


@router.post("/deliveries/{pk}/ship", response={200: DeliveryOut, **ERRORS})
def ship_delivery(request, pk: Id):
    services.ship_delivery(_delivery(request, pk), by=request.user)
    return _delivery(request, pk)


@router.post("/deliveries/{pk}/cancel", response={200: DeliveryOut, **ERRORS})
def cancel_delivery(request, pk: Id):
    services.cancel_delivery(_delivery(request, pk), by=request.user)
    return _delivery(request, pk)


@router.post("/deliveries/{pk}/returns", response={201: ReturnOut, **ERRORS})
def receive_return(request, pk: Id, payload: ReturnIn):
    """Goods back from the customer against a shipped delivery (stock in)."""
    delivery = _delivery(request, pk, DeliveryNote.objects.all())
    customer_return = services.receive_return(
        delivery,
        {row.line: row.quantity for row in payload.lines},
        reason=payload.reason,
        warehouse=None if payload.warehouse is None else _warehouse(payload.warehouse),
        by=request.user,
    )
    return Status(201, _return(request, customer_return.pk))


def _return(request, pk: int) -> CustomerReturn:
    returns = CustomerReturn.objects.prefetch_related("lines")
    return access.get_owned(returns, request.user, pk=pk)


@router.get("/returns/{pk}", response={200: ReturnOut, 404: ErrorOut})
def get_return(request, pk: Id):
    return _return(request, pk)


# Stock ------------------------------------------------------------------------------------------


def _item(key, field: str = "item") -> Item:
    return find_by_id_or_code(Item, key, _("Item"), field)


def _warehouse(key, field: str = "warehouse") -> Warehouse:
    if key in (None, ""):
        return services.default_warehouse()
    return find_by_id_or_code(Warehouse, key, _("Warehouse"), field)


@router.get("/warehouses", response=list[WarehouseOut], tags=["stock"])
def list_warehouses(request):
    return Warehouse.objects.all()


@router.post("/warehouses", response={201: WarehouseOut, **ERRORS}, tags=["stock"])
def create_warehouse(request, payload: WarehouseIn):
    return Status(201, services.save_warehouse(**payload.dict()))


@router.put("/warehouses/{pk}", response={200: WarehouseOut, **ERRORS}, tags=["stock"])
def update_warehouse(request, pk: Id, payload: WarehouseIn):
    return services.save_warehouse(get_object_or_404(Warehouse, pk=pk), **payload.dict())


@router.get("/stock", response={200: list[StockFiguresOut], 404: ErrorOut}, tags=["stock"])
@paginate
def list_stock(request, item: str | None = None, warehouse: str | None = None, q: str = ""):
    """On hand, reserved, available, ordered and projected per item and warehouse."""
    return stock_figures(
        item_ids=None if item is None else [_item(item).pk],
        warehouse_ids=None if warehouse is None else [_warehouse(warehouse).pk],
        search=q,
    )


@router.get("/stock/moves", response={200: list[MoveOut], 404: ErrorOut}, tags=["stock"])
@paginate
def list_moves(request, item: str | None = None, warehouse: str | None = None):
    moves = StockMove.objects.order_by("-date", "-id")
    if item is not None:
        moves = moves.filter(item=_item(item))
    if warehouse is not None:
        moves = moves.filter(warehouse=_warehouse(warehouse))
    return moves


@router.post("/stock/moves", response={201: MoveOut, **ERRORS}, tags=["stock"])
def post_move(request, payload: MoveIn):
    """A receipt or an adjustment (transfers and counts have their own endpoints)."""
    if payload.kind not in (StockMove.Kind.RECEIPT, StockMove.Kind.ADJUSTMENT):
        raise BusinessError(
            StockError.UNKNOWN_KIND, _("A move posted here is a receipt or an adjustment."), "kind"
        )
    move = services.Move(
        _item(payload.item),
        _warehouse(payload.warehouse),
        payload.quantity,
        payload.kind,
        date=payload.date,
        unit_cost=payload.unit_cost,
        reason=payload.reason,
    )
    (posted,) = services.post_moves([move], by=request.user)
    return Status(201, posted)


@router.post("/stock/transfers", response={201: list[MoveOut], **ERRORS}, tags=["stock"])
def post_transfer(request, payload: TransferIn):
    moves = services.transfer(
        _item(payload.item),
        payload.quantity,
        _warehouse(payload.source, "source"),
        _warehouse(payload.target, "target"),
        by=request.user,
        date=payload.date,
        reason=payload.reason,
    )
    return Status(201, moves)


@router.post("/stock/counts", response={201: list[MoveOut], **ERRORS}, tags=["stock"])
def post_count(request, payload: CountIn):
    """An inventory count: the adjustments it made (none where the count matched)."""
    counts = [
        (_item(row.item, f"counts[{index}].item"), row.quantity)
        for index, row in enumerate(payload.counts)
    ]
    moves = services.count_inventory(
        counts, _warehouse(payload.warehouse), by=request.user, reason=payload.reason
    )
    return Status(201, moves)
