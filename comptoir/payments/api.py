from typing import Literal

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from comptoir.billing.models import Invoice
from comptoir.core import access
from comptoir.core.errors import BusinessError, NotFound
from comptoir.core.schemas import ERRORS, ErrorOut, Id
from comptoir.parties.queries import visible_customers
from comptoir.payments import services
from comptoir.payments.models import Payment
from comptoir.payments.queries import customer_balance
from comptoir.payments.schemas import (
    AllocateIn,
    BalanceOut,
    CancelIn,
    PaymentIn,
    PaymentOut,
    RefundIn,
)
from comptoir.pricing.documents import find_customer

router = Router(tags=["payments"])


def _payment(request, pk: int) -> Payment:
    """The payment, among those of the customers the token's user sees."""
    return access.get_owned(_payments(), request.user, pk=pk)


def _payments():
    return Payment.objects.prefetch_related("allocations", "refunds")


def _pairs(request, rows) -> list:
    invoices = access.owned(Invoice.objects.all(), request.user).in_bulk(
        [row["invoice"] for row in rows]
    )
    pairs = []
    for index, row in enumerate(rows):
        invoice = invoices.get(row["invoice"])
        if invoice is None:
            raise NotFound(_("Invoice"), row["invoice"], f"allocations[{index}].invoice")
        pairs.append((invoice, row["amount"]))
    return pairs


@router.post("/payments", response={201: PaymentOut, **ERRORS, 422: ErrorOut})
def register_payment(request, payload: PaymentIn):
    """An amount above what the invoices it settles still owe is refused (422,
    `payment.amount_exceeds_due`) unless `confirm_overpayment` is true."""
    data = payload.dict()
    customer = find_customer(data.pop("customer"), user=request.user)
    rows = data.pop("allocations")
    payment = services.register_payment(
        customer,
        allocations=None if rows is None else _pairs(request, rows),
        by=request.user,
        check_due=not data.pop("confirm_overpayment"),
        **data,
    )
    return Status(201, _payment(request, payment.pk))


@router.get("/payments", response=list[PaymentOut])
@paginate
def list_payments(request, customer_id: Id | None = None):
    payments = access.owned(_payments(), request.user)
    return payments.filter(customer_id=customer_id) if customer_id else payments


@router.get("/payments/{pk}", response={200: PaymentOut, 404: ErrorOut})
def get_payment(request, pk: Id):
    return _payment(request, pk)


@router.post("/payments/{pk}/allocations", response={200: PaymentOut, **ERRORS})
def allocate_payment(request, pk: Id, payload: AllocateIn):
    services.allocate_payment(
        _payment(request, pk), _pairs(request, payload.dict()["allocations"]), by=request.user
    )
    return _payment(request, pk)


@router.post("/payments/{pk}/cancel", response={200: PaymentOut, **ERRORS})
def cancel_payment(request, pk: Id, payload: CancelIn):
    """Cancel a payment typed by mistake: it keeps its number, its allocations are undone (the
    invoices owe the money again). 409 `payment.cancelled` when it already is."""
    services.cancel_payment(_payment(request, pk), reason=payload.reason, by=request.user)
    return _payment(request, pk)


@router.delete("/payments/{pk}/allocations/{allocation_id}", response={200: PaymentOut, **ERRORS})
def unallocate_payment(request, pk: Id, allocation_id: Id):
    """Take one allocation back: the invoice owes it again, the payment keeps it as credit."""
    services.unallocate(_payment(request, pk), allocation_id, by=request.user)
    return _payment(request, pk)


@router.post("/payments/{pk}/refunds", response={201: PaymentOut, **ERRORS})
def refund_payment(request, pk: Id, payload: RefundIn):
    """Pay back to the customer some of the payment's unallocated credit (400
    `payment.refund_exceeds_credit` beyond it)."""
    services.refund_credit(_payment(request, pk), by=request.user, **payload.dict())
    return Status(201, _payment(request, pk))


@router.get("/customers/{pk}/balance", response={200: BalanceOut, 404: ErrorOut})
def get_balance(request, pk: Id):
    return customer_balance(get_object_or_404(visible_customers(request.user), pk=pk))


@router.get("/accounting/fec", response={200: None, 400: ErrorOut}, tags=["accounting"])
def fec_export(request, year: int, separator: Literal["tab", "pipe"] = "tab"):
    """The FEC (18 columns) of the fiscal year ending in `year`, as its legal file name."""
    from comptoir.payments.accounting import fec, fec_file_name, fiscal_year

    if not 1900 < year < 3000:
        raise BusinessError("fec.year", _("%(year)s is not a year.") % {"year": year}, "year")
    start, end = fiscal_year(year)
    response = HttpResponse(
        fec(start, end, "|" if separator == "pipe" else "\t"), content_type="text/plain"
    )
    response["Content-Disposition"] = f'attachment; filename="{fec_file_name(end)}"'
    return response
