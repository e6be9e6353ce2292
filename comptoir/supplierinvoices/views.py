"""Supplier invoice pages: the list, receiving a file, the readable view of one invoice with its
match and the decision buttons, its original file, and the reception settings."""

import hashlib

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from comptoir.catalog.models import Unit
from comptoir.core.errors import BusinessError
from comptoir.core.listing import Column, Listing
from comptoir.core.templatetags.comptoir import percent
from comptoir.core.views import form_page, list_view, save_form
from comptoir.pricing.models import VatCategory
from comptoir.purchasing.models import Supplier
from comptoir.supplierinvoices import services
from comptoir.supplierinvoices.forms import (
    MAX_UPLOAD,
    DecisionForm,
    ReceptionSettingsForm,
    SupplierChoiceForm,
    UploadForm,
    reason_label,
)
from comptoir.supplierinvoices.matching import describe
from comptoir.supplierinvoices.models import (
    Decision,
    IncomingFlow,
    ReceptionSettings,
    SupplierInvoice,
)

CONTENT_TYPES = {"facturx": "application/pdf", "cii": "application/xml", "ubl": "application/xml"}
DECISION_CODES = {"dispute": 207, "refuse": 210}


class SupplierInvoiceListing(Listing):
    model = SupplierInvoice
    title = gettext_lazy("Supplier invoices")
    columns = [
        Column("number", gettext_lazy("Number"), "number", sort="number"),
        Column("date", gettext_lazy("Date"), "date", kind="date", sort="date"),
        Column("supplier", gettext_lazy("Supplier"), "seller_name"),
        Column("order", gettext_lazy("Order"), "order_reference"),
        Column("total", gettext_lazy("Total incl. VAT"), "total_gross", kind="money"),
        Column("match", gettext_lazy("Match"), "get_match_display"),
        Column("status", gettext_lazy("Status"), "status", kind="status", sort="status"),
    ]
    search_fields = (
        "number",
        "supplier__name",
        "supplier__code",
        "seller__name",  # as the invoice states it, a supplier chosen or not
        "order_reference",
    )
    customer_field = None
    create_url_name = "supplierinvoices:upload"
    create_label = gettext_lazy("Receive an invoice")

    def _shape_form(self) -> None:
        super()._shape_form()
        self.form.fields["supplier"] = forms.ModelChoiceField(
            label=_("Supplier"), queryset=Supplier.objects.all(), required=False
        )

    def get_queryset(self):
        return SupplierInvoice.objects.select_related("supplier")

    def filtered(self):
        rows = super().filtered()
        if self.filters.get("supplier"):
            rows = rows.filter(supplier=self.filters["supplier"])
        return rows


def invoice_list(request):
    """The list, with a word on the platform's files that could not be received."""
    trouble = IncomingFlow.objects.exclude(state=IncomingFlow.State.RECEIVED).count()
    view = list_view(
        SupplierInvoiceListing, "supplierinvoices/invoice_list.html", flows_in_trouble=trouble
    )
    return view(request)


def incoming_flows(request):
    flows = IncomingFlow.objects.exclude(state=IncomingFlow.State.RECEIVED).defer("content")
    return render(request, "supplierinvoices/flows.html", {"flows": flows[:500]})


def incoming_flow_file(request, pk: int):
    """The bytes of a platform file that could not be read, as they came."""
    flow = get_object_or_404(IncomingFlow, pk=pk)
    response = HttpResponse(bytes(flow.content), content_type="application/octet-stream")
    name = _safe_name(
        flow.name or f"{flow.flow_id}.{'pdf' if flow.syntax == 'Factur-X' else 'xml'}"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def upload(request):
    """Receive one or several files: each gets its own result line; one file received goes
    to its invoice, a refusal of a single file shows on the form."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        files = form.cleaned_data["file"]
        results = [_receive_upload(request, file) for file in files]
        if len(files) == 1 and isinstance(results[0], str):
            form.add_error("file", results[0])
        else:
            for file, result in zip(files, results, strict=True):
                _say(request, file.name, result, several=len(files) > 1)
            if len(files) == 1:
                return redirect(results[0].invoice)
            return redirect("supplierinvoices:invoices")
    return form_page(
        request,
        form,
        _("Receive supplier invoices"),
        "/supplier-invoices/",
        submit_label=_("Receive"),
    )


def _receive_upload(request, file):
    """The reception of one uploaded file, or the reason it was refused, in words."""
    if file.size > MAX_UPLOAD:
        return _("The file is too large for an invoice (at most %(limit)s MB).") % {
            "limit": MAX_UPLOAD // 1_000_000
        }
    try:
        return services.receive_supplier_invoice(
            file.read(), source="upload", file_name=file.name, by=request.user
        )
    except BusinessError as error:
        return error.message


def _say(request, name: str, result, *, several: bool) -> None:
    prefix = f"{name}\u00a0: " if several else ""
    if isinstance(result, str):
        messages.error(request, prefix + result)
        return
    invoice = result.invoice
    if not result.created:
        text = _("This file was already received: invoice %(number)s.")
        messages.info(request, prefix + text % {"number": invoice.number})
    elif invoice.held_because:
        text = _("Invoice %(number)s received, held: %(why)s")
        why = invoice.get_held_because_display()
        messages.warning(request, prefix + text % {"number": invoice.number, "why": why})
    else:
        text = _("Invoice %(number)s received.")
        messages.success(request, prefix + text % {"number": invoice.number})


def invoice_detail(request, pk: int):
    invoice = get_object_or_404(
        SupplierInvoice.objects.select_related("supplier", "purchase_order"), pk=pk
    )
    lines = list(invoice.lines.select_related("order_line__order", "order_line__item"))
    units = dict(
        Unit.objects.filter(code__in={line.unit_code for line in lines}).values_list("code", "name")
    )
    lines = [
        (
            line,
            [describe(problem, invoice.currency) for problem in line.problems],
            units.get(line.unit_code, line.unit_code),
            vat_label(line.vat_category, line.vat_rate),
        )
        for line in lines
    ]
    vat = [
        (group, vat_label(group["category"], group["rate"], group.get("exemption_reason", "")))
        for group in invoice.vat_breakdown
    ]
    context = {
        "invoice": invoice,
        "lines": lines,
        "vat": vat,
        "decisions": [
            (decision, reason_label(decision.reason_code))
            for decision in invoice.decisions.select_related("decided_by")
        ],
        "decided": invoice.status in SupplierInvoice.DECIDED,
        "may": services.decisions_admitted(invoice),
        "supplier_form": SupplierChoiceForm()
        if invoice.held_because == SupplierInvoice.Hold.SUPPLIER
        else None,
        "dispute_form": DecisionForm(207, prefix="dispute"),
        "refuse_form": DecisionForm(210, prefix="refuse"),
    }
    return render(request, "supplierinvoices/invoice_detail.html", context)


def vat_label(category: str, rate, reason: str = "") -> str:
    """A VAT category as users say it: its rate when VAT is charged, else what it is."""
    if category in ("S", "AA", "") and rate is not None:
        return percent(rate)
    try:
        label = str(VatCategory(category).label)
    except ValueError:
        label = category
    return f"{label} — {reason}" if reason else label


def original_file(request, pk: int):
    """The file as received, checked against its SHA-256."""
    invoice = get_object_or_404(SupplierInvoice, pk=pk)
    with invoice.file.open("rb") as handle:
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != invoice.sha256:
        return HttpResponse(
            _("The stored file of this invoice was altered: it no longer matches its SHA-256."),
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    extension = "pdf" if invoice.syntax == "facturx" else "xml"
    response = HttpResponse(content, content_type=CONTENT_TYPES.get(invoice.syntax))
    name = invoice.file_name or f"{invoice.number}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{_safe_name(name)}"'
    return response


def _safe_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name)[:100]


def _done(request, invoice, action) -> HttpResponse:
    """Runs ``action()`` (a service); its refusal shows as a message on the invoice's page."""
    try:
        action()
    except BusinessError as error:
        messages.error(request, error.message)
    return redirect(invoice)


@require_POST
def choose_supplier(request, pk: int):
    invoice = get_object_or_404(SupplierInvoice, pk=pk)
    form = SupplierChoiceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the supplier of this invoice."))
        return redirect(invoice)
    return _done(
        request,
        invoice,
        lambda: services.assign_supplier(invoice, form.cleaned_data["supplier"], by=request.user),
    )


@require_POST
def match_again(request, pk: int):
    invoice = get_object_or_404(SupplierInvoice, pk=pk)
    return _done(request, invoice, lambda: services.match_again(invoice))


@require_POST
def approve(request, pk: int):
    invoice = get_object_or_404(SupplierInvoice, pk=pk)

    def action():
        services.decide(invoice, 205, by=request.user)
        messages.success(request, _("Invoice %(number)s approved.") % {"number": invoice.number})

    return _done(request, invoice, action)


@require_POST
def decide(request, pk: int, decision: str):
    invoice = get_object_or_404(SupplierInvoice, pk=pk)
    code = DECISION_CODES.get(decision)
    if code is None:
        return redirect(invoice)
    form = DecisionForm(code, request.POST, prefix=decision)
    if not form.is_valid():
        messages.error(request, _("Choose the reason of this decision."))
        return redirect(invoice)

    def action():
        services.decide(
            invoice,
            code,
            reason_code=form.cleaned_data["reason_code"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
        done = (
            _("Invoice %(number)s disputed.") if code == 207 else _("Invoice %(number)s refused.")
        )
        messages.success(request, done % {"number": invoice.number})

    return _done(request, invoice, action)


@require_POST
def send_again(request, pk: int):
    decision = get_object_or_404(Decision.objects.select_related("invoice"), pk=pk)

    def action():
        services.send_decision_again(decision)
        messages.success(request, _("The decision will be sent again."))

    return _done(request, decision.invoice, action)


def reception_settings(request):
    form = ReceptionSettingsForm(request.POST or None, instance=ReceptionSettings.get())
    if request.method == "POST":
        saved = save_form(form, lambda data: services.update_reception_settings(**data))
        if saved is not None:
            messages.success(request, _("Reception settings saved."))
            return redirect("supplierinvoices:invoices")
    return form_page(request, form, _("Receiving supplier invoices"), "/supplier-invoices/")
