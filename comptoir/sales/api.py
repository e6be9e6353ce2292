from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status
from ninja.pagination import paginate

from comptoir.core import access
from comptoir.core.schemas import ERRORS, ErrorOut, Id
from comptoir.pricing.documents import read_document_input, read_document_patch
from comptoir.sales import services
from comptoir.sales.models import Quotation, SalesOrder
from comptoir.sales.schemas import (
    DocumentFilter,
    DocumentPatch,
    OrderIn,
    OrderOut,
    QuotationIn,
    QuotationOut,
)

router = Router()


def _quotations(request):
    """The quotations of the customers the token's user sees."""
    return access.owned(Quotation.objects.prefetch_related("lines"), request.user)


def _orders(request):
    return access.owned(SalesOrder.objects.prefetch_related("lines"), request.user)


def _quotation(request, pk: int) -> Quotation:
    return get_object_or_404(_quotations(request), pk=pk)


def _order(request, pk: int) -> SalesOrder:
    return get_object_or_404(_orders(request), pk=pk)


# Quotations -------------------------------------------------------------------------------------


@router.get("/quotations", response=list[QuotationOut], tags=["quotations"])
@paginate
def list_quotations(request, filters: Query[DocumentFilter]):
    return filters.filter(_quotations(request))


@router.post("/quotations", response={201: QuotationOut, **ERRORS}, tags=["quotations"])
def create_quotation(request, payload: QuotationIn):
    data = payload.dict()
    valid_until = data.pop("valid_until")
    doc = read_document_input(data, request.user)
    quotation = services.create_quotation(
        doc.customer, doc.lines, by=request.user, valid_until=valid_until, **doc.header
    )
    return Status(201, _quotation(request, quotation.pk))


@router.get("/quotations/{pk}", response={200: QuotationOut, 404: ErrorOut}, tags=["quotations"])
def get_quotation(request, pk: Id):
    return _quotation(request, pk)


@router.patch("/quotations/{pk}", response={200: QuotationOut, **ERRORS}, tags=["quotations"])
def update_quotation(request, pk: Id, payload: DocumentPatch):
    services.update_quotation(
        _quotation(request, pk),
        **read_document_patch(payload.dict(exclude_unset=True)),
        by=request.user,
    )
    return _quotation(request, pk)


def _quotation_action(name: str, service):
    @router.post(
        f"/quotations/{{pk}}/{name}",
        response={200: QuotationOut, **ERRORS},
        tags=["quotations"],
        operation_id=f"quotation_{name}",
    )
    def action(request, pk: Id):
        service(_quotation(request, pk), by=request.user)
        return _quotation(request, pk)


_quotation_action("send", services.send_quotation)
_quotation_action("accept", services.accept_quotation)
_quotation_action("refuse", services.refuse_quotation)


@router.post("/quotations/{pk}/order", response={201: OrderOut, **ERRORS}, tags=["quotations"])
def convert_to_order(request, pk: Id):
    order = services.convert_quotation_to_order(_quotation(request, pk), by=request.user)
    return Status(201, _order(request, order.pk))


# Sales orders -----------------------------------------------------------------------------------


@router.get("/orders", response=list[OrderOut], tags=["orders"])
@paginate
def list_orders(request, filters: Query[DocumentFilter]):
    return filters.filter(_orders(request))


@router.post("/orders", response={201: OrderOut, **ERRORS}, tags=["orders"])
def create_order(request, payload: OrderIn):
    data = payload.dict()
    confirm = data.pop("confirm")
    doc = read_document_input(data, request.user)
    order = services.create_order(doc.customer, doc.lines, by=request.user, **doc.header)
    if confirm:
        services.confirm_order(order, by=request.user)
    return Status(201, _order(request, order.pk))


@router.get("/orders/{pk}", response={200: OrderOut, 404: ErrorOut}, tags=["orders"])
def get_order(request, pk: Id):
    return _order(request, pk)


@router.patch("/orders/{pk}", response={200: OrderOut, **ERRORS}, tags=["orders"])
def update_order(request, pk: Id, payload: DocumentPatch):
    services.update_order(
        _order(request, pk),
        **read_document_patch(payload.dict(exclude_unset=True)),
        by=request.user,
    )
    return _order(request, pk)


@router.post("/orders/{pk}/confirm", response={200: OrderOut, **ERRORS}, tags=["orders"])
def confirm_order(request, pk: Id):
    services.confirm_order(_order(request, pk), by=request.user)
    return _order(request, pk)


@router.post("/orders/{pk}/cancel", response={200: OrderOut, **ERRORS}, tags=["orders"])
def cancel_order(request, pk: Id):
    services.cancel_order(_order(request, pk), by=request.user)
    return _order(request, pk)
