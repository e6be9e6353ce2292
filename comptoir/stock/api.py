from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.pagination import paginate

from comptoir.core.schemas import ErrorOut
from comptoir.sales.models import SalesOrder
from comptoir.stock import services
from comptoir.stock.models import DeliveryNote
from comptoir.stock.schemas import DeliveryIn, DeliveryOut

router = Router(tags=["deliveries"])
ERRORS = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _delivery(pk: int) -> DeliveryNote:
    return get_object_or_404(DeliveryNote.objects.prefetch_related("lines"), pk=pk)


@router.post("/orders/{pk}/deliveries", response={201: DeliveryOut, **ERRORS})
def deliver_order(request, pk: int, payload: DeliveryIn):
    order = get_object_or_404(SalesOrder, pk=pk)
    quantities = (
        None if payload.lines is None else {row.line: row.quantity for row in payload.lines}
    )
    delivery = services.create_delivery(order, quantities, ship=payload.ship, by=request.user)
    return Status(201, _delivery(delivery.pk))


@router.get("/deliveries", response=list[DeliveryOut])
@paginate
def list_deliveries(request, order_id: int | None = None, status: str | None = None):
    deliveries = DeliveryNote.objects.prefetch_related("lines")
    if order_id:
        deliveries = deliveries.filter(order_id=order_id)
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries


@router.get("/deliveries/{pk}", response={200: DeliveryOut, 404: ErrorOut})
def get_delivery(request, pk: int):
    return _delivery(pk)


@router.post("/deliveries/{pk}/ship", response={200: DeliveryOut, **ERRORS})
def ship_delivery(request, pk: int):
    services.ship_delivery(_delivery(pk), by=request.user)
    return _delivery(pk)


@router.post("/deliveries/{pk}/cancel", response={200: DeliveryOut, **ERRORS})
def cancel_delivery(request, pk: int):
    services.cancel_delivery(_delivery(pk), by=request.user)
    return _delivery(pk)
