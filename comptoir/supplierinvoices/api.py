"""Supplier invoices through the API: receive a file, list, read, download the original,
give a held invoice its supplier, decide."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from comptoir.core.errors import BusinessError
from comptoir.core.schemas import ERRORS, ErrorOut, Id
from comptoir.pricing.documents import find_by_id_or_code
from comptoir.purchasing.models import Supplier
from comptoir.supplierinvoices import services
from comptoir.supplierinvoices.forms import MAX_UPLOAD
from comptoir.supplierinvoices.matching import describe
from comptoir.supplierinvoices.models import SupplierInvoice
from comptoir.supplierinvoices.schemas import DecisionIn, SupplierChoiceIn, SupplierInvoiceOut
from comptoir.supplierinvoices.views import CONTENT_TYPES

router = Router(tags=["supplier invoices"])
ANSWERS = {**ERRORS, 422: ErrorOut}


def _invoice(pk: int) -> SupplierInvoice:
    invoice = get_object_or_404(
        SupplierInvoice.objects.prefetch_related("lines", "decisions"), pk=pk
    )
    for line in invoice.lines.all():
        line.problems = [
            {"code": p["code"], "text": describe(p, invoice.currency)} for p in line.problems
        ]
    return invoice


@router.post(
    "/supplier-invoices", response={200: SupplierInvoiceOut, 201: SupplierInvoiceOut, **ANSWERS}
)
def receive_supplier_invoice(request, file: File[UploadedFile]):
    """Receive a supplier invoice: a Factur-X PDF, or a CII or UBL XML file. 201: recorded;
    200: this very file was received before (nothing new is recorded)."""
    if file.size > MAX_UPLOAD:
        raise BusinessError(
            "supplier_invoice.too_large",
            _("The file is too large for an invoice (at most %(limit)s MB).")
            % {"limit": MAX_UPLOAD // 1_000_000},
            "file",
        )
    reception = services.receive_supplier_invoice(
        file.read(), source="api", file_name=file.name or "", by=request.user
    )
    return Status(201 if reception.created else 200, _invoice(reception.invoice.pk))


@router.get("/supplier-invoices", response=list[SupplierInvoiceOut])
@paginate
def list_supplier_invoices(
    request, status: str | None = None, supplier: Id | None = None, match: str | None = None
):
    invoices = SupplierInvoice.objects.prefetch_related("lines", "decisions")
    if status:
        invoices = invoices.filter(status=status)
    if supplier:
        invoices = invoices.filter(supplier_id=supplier)
    if match:
        invoices = invoices.filter(match=match)
    return invoices


@router.get("/supplier-invoices/{pk}", response={200: SupplierInvoiceOut, 404: ErrorOut})
def get_supplier_invoice(request, pk: Id):
    return _invoice(pk)


@router.get("/supplier-invoices/{pk}/file", response={200: None, 404: ErrorOut})
def supplier_invoice_file(request, pk: Id):
    """The file as it was received."""
    invoice = get_object_or_404(SupplierInvoice, pk=pk)
    with invoice.file.open("rb") as handle:
        return HttpResponse(handle.read(), content_type=CONTENT_TYPES.get(invoice.syntax))


@router.post("/supplier-invoices/{pk}/supplier", response={200: SupplierInvoiceOut, **ANSWERS})
def set_supplier_invoice_supplier(request, pk: Id, payload: SupplierChoiceIn):
    """Give a held invoice (its seller was unknown) its supplier."""
    invoice = get_object_or_404(SupplierInvoice, pk=pk)
    supplier = find_by_id_or_code(Supplier, payload.supplier, _("Supplier"), "supplier")
    services.assign_supplier(invoice, supplier, by=request.user)
    return _invoice(pk)


@router.post("/supplier-invoices/{pk}/decision", response={201: SupplierInvoiceOut, **ANSWERS})
def decide_supplier_invoice(request, pk: Id, payload: DecisionIn):
    """Approve (205), dispute (207) or refuse (210, with a reason code of the French rules)
    the invoice; its lifecycle message is kept to send to the supplier. Final: 409 after."""
    invoice = get_object_or_404(SupplierInvoice, pk=pk)
    services.decide(
        invoice,
        payload.status,
        reason_code=payload.reason_code,
        reason=payload.reason,
        by=request.user,
    )
    return Status(201, _invoice(pk))
