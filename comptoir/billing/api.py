from datetime import datetime
from decimal import Decimal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from comptoir.billing import services
from comptoir.billing.files import read, store_files
from comptoir.billing.models import Invoice
from comptoir.billing.pdf import render_pdf
from comptoir.billing.queries import with_listed_facts
from comptoir.billing.schemas import (
    CreditNoteIn,
    InvoiceDeliveriesIn,
    InvoiceFilter,
    InvoiceIn,
    InvoiceOut,
    InvoicePatch,
)
from comptoir.billing.ubl import build_ubl
from comptoir.core import access
from comptoir.core.schemas import ERRORS, ErrorOut, Id, Out
from comptoir.pricing.documents import find_customer, read_document_input, read_document_patch
from comptoir.sales.models import Quotation, SalesOrder
from comptoir.stock.models import CustomerReturn

router = Router(tags=["invoices"])


def _invoices():
    return with_listed_facts(Invoice.objects.prefetch_related("lines"))


def _invoice(request, pk: int, queryset=None) -> Invoice:
    """The invoice, among those of the customers the token's user sees."""
    return access.get_owned(_invoices() if queryset is None else queryset, request.user, pk=pk)


@router.get("/invoices", response=list[InvoiceOut])
@paginate
def list_invoices(request, filters: Query[InvoiceFilter]):
    return filters.filter(access.owned(_invoices(), request.user))


@router.post("/invoices", response={201: InvoiceOut, **ERRORS})
def create_invoice(request, payload: InvoiceIn):
    doc = read_document_input(payload.dict(), request.user)
    invoice = services.create_invoice(doc.customer, doc.lines, by=request.user, **doc.header)
    return Status(201, _invoice(request, invoice.pk))


@router.get("/invoices/{pk}", response={200: InvoiceOut, 404: ErrorOut})
def get_invoice(request, pk: Id):
    return _invoice(request, pk)


@router.patch("/invoices/{pk}", response={200: InvoiceOut, **ERRORS})
def update_invoice(request, pk: Id, payload: InvoicePatch):
    services.update_invoice(
        _invoice(request, pk),
        **read_document_patch(payload.dict(exclude_unset=True)),
        by=request.user,
    )
    return _invoice(request, pk)


@router.delete("/invoices/{pk}", response={204: None, **ERRORS})
def delete_invoice(request, pk: Id):
    services.delete_invoice(_invoice(request, pk, Invoice.objects.all()), by=request.user)
    return Status(204, None)


@router.post("/invoices/{pk}/issue", response={200: InvoiceOut, **ERRORS})
def issue_invoice(request, pk: Id):
    services.issue_invoice(_invoice(request, pk, Invoice.objects.all()), by=request.user)
    return _invoice(request, pk)


@router.post("/invoices/{pk}/credit-notes", response={201: InvoiceOut, **ERRORS})
def credit_invoice(request, pk: Id, payload: CreditNoteIn):
    invoice = _invoice(request, pk, Invoice.objects.all())
    quantities = None if payload.lines is None else {r.line: r.quantity for r in payload.lines}
    credit_note = services.credit_invoice(
        invoice,
        quantities,
        by=request.user,
        reason=payload.reason,
        invoice_again=payload.invoice_again,
    )
    if payload.issue:
        services.issue_invoice(credit_note, by=request.user)
    return Status(201, _invoice(request, credit_note.pk))


@router.post("/invoice-deliveries", response={201: list[InvoiceOut], **ERRORS})
def invoice_deliveries(request, payload: InvoiceDeliveriesIn):
    """Draft invoices for every delivery shipped up to a date and not yet invoiced: one per
    customer, or per order for customers who ask for it."""
    customer = (
        None if payload.customer is None else find_customer(payload.customer, user=request.user)
    )
    invoices = services.invoice_deliveries(up_to=payload.up_to, customer=customer, by=request.user)
    return Status(201, list(_invoices().filter(pk__in=[i.pk for i in invoices])))


@router.post("/returns/{pk}/credit-notes", response={201: list[InvoiceOut], **ERRORS})
def credit_return(request, pk: Id):
    """Draft credit notes for goods a customer sent back, on the invoices that billed them."""
    customer_return = access.get_owned(CustomerReturn.objects.all(), request.user, pk=pk)
    credit_notes = services.credit_for_return(customer_return, by=request.user)
    return Status(201, list(_invoices().filter(pk__in=[c.pk for c in credit_notes])))


@router.post("/orders/{pk}/invoices", response={201: InvoiceOut, **ERRORS})
def invoice_order(request, pk: Id):
    invoice = services.invoice_order(
        access.get_owned(SalesOrder.objects.all(), request.user, pk=pk), by=request.user
    )
    return Status(201, _invoice(request, invoice.pk))


@router.post("/quotations/{pk}/invoice", response={201: InvoiceOut, **ERRORS})
def invoice_quotation(request, pk: Id):
    invoice = services.invoice_quotation(
        access.get_owned(Quotation.objects.all(), request.user, pk=pk), by=request.user
    )
    return Status(201, _invoice(request, invoice.pk))


@router.get("/invoices/{pk}/pdf", response={200: None, 404: ErrorOut})
def invoice_pdf(request, pk: Id, lang: str = "fr"):
    """The issued invoice or credit note as its stored Factur-X (PDF/A-3 with its EN 16931
    XML, made once and kept); a draft as a plain PDF in the language asked for."""
    invoice = _invoice(request, pk, Invoice.objects.select_related("credited_invoice"))
    if invoice.status == Invoice.Status.ISSUED:
        return HttpResponse(read(store_files(invoice), "pdf"), content_type="application/pdf")
    lang = lang if lang in ("fr", "en") else "fr"
    return HttpResponse(render_pdf(invoice, lang), content_type="application/pdf")


@router.get("/invoices/{pk}/xml", response={200: None, 404: ErrorOut})
def invoice_xml(request, pk: Id):
    """The CII XML (EN 16931) of an issued invoice or credit note."""
    invoice = _invoice(
        request,
        pk,
        Invoice.objects.select_related("credited_invoice").filter(status=Invoice.Status.ISSUED),
    )
    return HttpResponse(read(store_files(invoice), "xml"), content_type="application/xml")


@router.get("/invoices/{pk}/ubl", response={200: None, 404: ErrorOut})
def invoice_ubl(request, pk: Id):
    """The UBL 2.1 XML (EN 16931) of an issued invoice or credit note."""
    invoice = _invoice(
        request,
        pk,
        Invoice.objects.select_related("credited_invoice").filter(status=Invoice.Status.ISSUED),
    )
    return HttpResponse(build_ubl(invoice), content_type="application/xml")


@router.post("/invoices/{pk}/cancel", response={201: InvoiceOut, **ERRORS})
def cancel_invoice(request, pk: Id):
    """Cancel an issued, unpaid invoice: answers its full credit note, issued."""
    credit_note = services.cancel_invoice(
        _invoice(request, pk, Invoice.objects.all()), by=request.user
    )
    return Status(201, _invoice(request, credit_note.pk))


@router.post("/invoices/{pk}/correct", response={201: InvoiceOut, **ERRORS})
def correct_invoice(request, pk: Id):
    """Cancel an issued, unpaid invoice by credit note: answers the draft copy to fix."""
    draft = services.correct_invoice(_invoice(request, pk, Invoice.objects.all()), by=request.user)
    return Status(201, _invoice(request, draft.pk))


class SendIn(Schema):
    to: list[str] | None = Field(None, description="Default: the customer's e-mail")
    subject: str = Field("", max_length=200, description="Default: from the message template")
    body: str = Field("", description="Default: from the message template")


class SentOut(Out):
    to: str
    subject: str
    sent_at: datetime


@router.post("/invoices/{pk}/send", response={200: SentOut, **ERRORS})
def send_invoice(request, pk: Id, payload: SendIn):
    """E-mail an issued invoice or credit note with its Factur-X PDF attached."""
    invoice = _invoice(request, pk, Invoice.objects.select_related("customer"))
    return services.send_invoice(
        invoice,
        to=payload.to or [invoice.customer.email],
        subject=payload.subject,
        body=payload.body,
        by=request.user,
    )


@router.post("/quotations/{pk}/email", response={200: SentOut, **ERRORS})
def email_quotation(request, pk: Id, payload: SendIn):
    """E-mail a quotation with its PDF attached (a draft one is then marked as sent)."""
    quotation = access.get_owned(Quotation.objects.select_related("customer"), request.user, pk=pk)
    return _email(request, quotation, payload)


@router.post("/orders/{pk}/email", response={200: SentOut, **ERRORS})
def email_order(request, pk: Id, payload: SendIn):
    """E-mail the confirmation of a confirmed order with its PDF attached."""
    order = access.get_owned(SalesOrder.objects.select_related("customer"), request.user, pk=pk)
    return _email(request, order, payload)


def _email(request, document, payload: SendIn):
    return services.send_document(
        document,
        to=payload.to or [document.customer.email],
        subject=payload.subject,
        body=payload.body,
        by=request.user,
    )


class DownPaymentIn(Schema):
    percent: Decimal | None = Field(None, gt=0, le=100, description="Share of the order, %")
    amount: Decimal | None = Field(None, gt=0, description="Or an amount including VAT")


@router.post("/orders/{pk}/down-payments", response={201: InvoiceOut, **ERRORS})
def create_down_payment(request, pk: Id, payload: DownPaymentIn):
    """A down-payment invoice (type 386) on a confirmed order, as a draft; the final invoice
    of the order deducts it."""
    invoice = services.create_down_payment(
        access.get_owned(SalesOrder.objects.all(), request.user, pk=pk),
        percent=payload.percent,
        amount=payload.amount,
        by=request.user,
    )
    return Status(201, _invoice(request, invoice.pk))
