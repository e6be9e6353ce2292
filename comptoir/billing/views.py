"""Invoice and credit note pages: lists, detail with what is left to pay, forms, credit."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, ngettext, pgettext_lazy
from django.utils.translation import gettext as _

from comptoir.billing import services
from comptoir.billing.files import read, store_files
from comptoir.billing.models import Invoice, InvoiceLine, PaymentStatus
from comptoir.billing.pdf import render_pdf, render_picking_list
from comptoir.billing.queries import (
    Settlement,
    payment_status_q,
    receivables,
    stored_payment_status,
    with_listed_facts,
)
from comptoir.billing.signals import INVOICE_FACTS, LISTED_FACTS
from comptoir.billing.ubl import build_ubl
from comptoir.core import access
from comptoir.core.errors import BusinessError, CoreError
from comptoir.core.forms import NumberField
from comptoir.core.listing import DATE_WIDGET, Column, Listing
from comptoir.core.views import form_page, quantities_per_line, save_form
from comptoir.parties.models import Customer
from comptoir.pricing.views import DocumentKind, document_form_view
from comptoir.sales.models import Quotation, SalesOrder
from comptoir.stock.models import DeliveryNote

LIST_FIELDS = (
    "id", "number", "date", "due_date", "customer_name", "kind", "status", "total_net",
    "total_gross", "currency", "amount_paid", "amount_credited",
)  # fmt: skip


def mark_payment_status(invoices: list[Invoice]) -> None:
    """Set the payment status, worked out from the stored settlement, on a page's invoices."""
    today = timezone.localdate()
    for invoice in invoices:
        status = stored_payment_status(invoice, today)
        invoice.payment_status = status
        invoice.get_payment_status_display = PaymentStatus(status).label if status else ""


class InvoiceListing(Listing):
    model = Invoice
    title = gettext_lazy("Invoices")
    kinds = (Invoice.Kind.INVOICE, Invoice.Kind.DOWN_PAYMENT)
    columns = [
        Column("number", gettext_lazy("Number"), "reference", sort="number"),
        Column("date", gettext_lazy("Date"), "date", kind="date", sort="date"),
        Column("customer", gettext_lazy("Customer"), "customer_name", sort="customer_name"),
        Column("due", gettext_lazy("Due date"), "due_date", kind="date", sort="due_date"),
        Column("net", gettext_lazy("Excl. VAT"), "total_net", kind="money", sort="total_net"),
        Column("gross", gettext_lazy("Incl. VAT"), "total_gross", kind="money", sort="total_gross"),
        Column("status", gettext_lazy("Status"), "status", kind="status", sort="status"),
        Column("payment", gettext_lazy("Payment"), "payment_status", kind="status"),
    ]
    search_fields = ("number", "customer_name", "customer_reference")
    create_url_name = "billing:invoice_new"
    create_label = gettext_lazy("New invoice")

    payment_filter = True  # offers to filter by payment status

    def __init__(self, params, user=None):
        # The facts other apps list (the platform's status…): a column and a filter each.
        self.columns = [
            *self.columns,
            *(Column(f.name, f.label, f"{f.name}_badge", kind="status") for f in LISTED_FACTS),
        ]
        super().__init__(params, user)

    def get_queryset(self):
        return Invoice.objects.filter(kind__in=self.kinds).only(*LIST_FIELDS)

    def _shape_form(self) -> None:
        super()._shape_form()
        if self.payment_filter:
            self.form.fields["payment"] = forms.ChoiceField(
                label=_("Payment"),
                required=False,
                choices=[("", _("All")), *PaymentStatus.choices],
            )
        for fact in LISTED_FACTS:
            self.form.fields[fact.name] = forms.ChoiceField(
                label=fact.label, required=False, choices=[("", _("All")), *fact.choices()]
            )

    def filtered(self):
        rows = with_listed_facts(super().filtered())
        status = self.filters.get("payment")
        if status:
            rows = rows.filter(payment_status_q(status))
        for fact in LISTED_FACTS:
            if self.filters.get(fact.name):
                rows = rows.filter(fact.condition(self.filters[fact.name]))
        return rows

    def prepare(self, objects):
        mark_payment_status(objects)
        for fact in LISTED_FACTS:
            for invoice in objects:
                words, style = fact.badge(getattr(invoice, fact.name))
                setattr(invoice, f"{fact.name}_badge", style)
                setattr(invoice, f"get_{fact.name}_badge_display", words)


class CreditNoteListing(InvoiceListing):
    title = gettext_lazy("Credit notes")
    kinds = (Invoice.Kind.CREDIT_NOTE,)
    columns = [c for c in InvoiceListing.columns if c.key not in {"due", "payment"}]
    payment_filter = False
    create_url_name = ""


class ReceivablesListing(InvoiceListing):
    """Issued invoices that still owe something: what the accountant chases."""

    title = gettext_lazy("Receivables")
    columns = [
        *(c for c in InvoiceListing.columns if c.key in {"number", "date", "customer", "due"}),
        Column("gross", gettext_lazy("Incl. VAT"), "total_gross", kind="money"),
        Column("due_amount", gettext_lazy("Left to pay"), "amount_due", "money", "amount_due"),
        Column("payment", gettext_lazy("Payment"), "payment_status", kind="status"),
    ]
    status_field = None
    amount_field = "amount_due"
    default_sort = "due"
    create_url_name = ""

    def get_queryset(self):
        return receivables().only(*LIST_FIELDS, "amount_due")


def _update_from_form(invoice, *, lines=None, by=None, **header):
    """The form sends every field: a date of supply emptied there is emptied (an invoice
    supplied in one day has no end of period; a down payment, maybe no expected date)."""
    header.setdefault("supply_date", None)
    header.setdefault("supply_end_date", None)
    return services.update_invoice(invoice, lines=lines, by=by, **header)


invoice_form = document_form_view(
    DocumentKind(
        Invoice,
        InvoiceLine,
        services.create_invoice,
        _update_from_form,
        gettext_lazy("Invoice"),
        ("supply_date", "supply_end_date"),
    )
)


def invoice_detail(request, pk: int):
    invoice = access.get_owned(
        Invoice.objects.select_related("credited_invoice", "order"), request.user, pk=pk
    )
    settlement = Settlement.of(invoice)
    invoice.outstanding = settlement.outstanding
    status = stored_payment_status(invoice)
    lines = list(invoice.lines.all())
    # The cost is fixed when the document is issued; seen with the margin by who may see both.
    costs = invoice.is_issued and all(
        access.allows(request.user, needed) for needed in (access.SEE_PRICES, access.SEE_COSTS)
    )
    return render(
        request,
        "billing/invoice_detail.html",
        {
            "document": invoice,
            "lines": lines,
            "costs": costs,
            "cost_total": sum((line.cost_amount for line in lines), Decimal("0")),
            "margin_total": sum((line.margin for line in lines), Decimal("0")),
            "settlement": settlement,
            "payment_status": status,
            "payment_status_label": PaymentStatus(status).label if status else "",
            "allocations": invoice.allocations.select_related("payment"),
            "more_facts": INVOICE_FACTS,
        },
    )


def invoice_credit(request, pk: int):
    """A credit note for chosen quantities of an issued invoice's lines. The quantities start
    empty, so that nothing is credited by accident; "everything" credits what is left to credit
    of every line (the service knows what that is)."""
    invoice = access.get_owned(Invoice.objects.all(), request.user, pk=pk)

    def credit(quantities: dict):
        if request.POST.get("everything"):
            quantities = None
        elif not any(request.POST.get(f"line-{pk}", "").strip() for pk in quantities):
            raise BusinessError(
                CoreError.INVALID_VALUE,
                _("Type the quantities to credit, or tick “Credit everything”."),
            )
        return services.credit_invoice(
            invoice,
            quantities,
            by=request.user,
            reason=request.POST.get("reason", ""),
            invoice_again=request.POST.get("invoice_again") == "1",
        )

    return quantities_per_line(
        request,
        list(invoice.lines.all()),
        default=lambda line: "",
        save=credit,
        done=_("Draft credit note created: check it, then issue it."),
        template="billing/credit.html",
        context={"invoice": invoice},
    )


def _language(request) -> str:
    """The language asked for (?lang=), else the page's, among those Comptoir speaks."""
    language = request.GET.get("lang") or get_language() or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _file_response(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def invoice_pdf(request, pk: int):
    """The issued invoice as its stored Factur-X (PDF/A-3 with its XML); a draft as a plain
    PDF, in the language asked for."""
    invoice = access.get_owned(
        Invoice.objects.select_related("credited_invoice"), request.user, pk=pk
    )
    language = _language(request)
    if invoice.status == Invoice.Status.ISSUED:
        try:
            content = read(store_files(invoice), "pdf")  # the original, made once and kept
        except BusinessError as error:
            messages.error(request, error.message)
            return redirect(invoice)
    else:
        content = render_pdf(invoice, language)
    return _file_response(content, "application/pdf", f"{invoice.number or 'brouillon'}.pdf")


def invoice_xml(request, pk: int):
    """The Factur-X XML of an issued invoice or credit note of a customer the user sees."""
    issued = Invoice.objects.select_related("credited_invoice").filter(status=Invoice.Status.ISSUED)
    invoice = access.get_owned(issued, request.user, pk=pk)
    content = read(store_files(invoice), "xml")
    return _file_response(content, "application/xml", f"{invoice.number}.xml")


def invoice_ubl(request, pk: int):
    """The UBL 2.1 XML of an issued invoice or credit note of a customer the user sees."""
    issued = Invoice.objects.select_related("credited_invoice").filter(status=Invoice.Status.ISSUED)
    invoice = access.get_owned(issued, request.user, pk=pk)
    return _file_response(build_ubl(invoice), "application/xml", f"{invoice.number}.ubl.xml")


class SendForm(forms.Form):
    to = forms.CharField(
        label=pgettext_lazy("e-mail recipient", "To"),
        help_text=gettext_lazy("Several addresses: separate them by commas."),
    )
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    body = forms.CharField(label=gettext_lazy("Message"), widget=forms.Textarea(attrs={"rows": 8}))


def _send_page(request, document):
    """The form sending a document by e-mail with its PDF, filled from its message template."""
    subject, body = services.message_for(document)
    form = SendForm(
        request.POST or None,
        initial={"to": document.customer.email, "subject": subject, "body": body},
    )
    if request.method == "POST":
        sent = save_form(
            form,
            lambda data: services.send_document(
                document,
                to=data["to"].split(","),
                subject=data["subject"],
                body=data["body"],
                by=request.user,
            ),
        )
        if sent is not None:
            messages.success(request, _("Sent to %(to)s.") % {"to": sent.to})
            return redirect(document)
    return form_page(
        request,
        form,
        _("Send %(ref)s by e-mail") % {"ref": document.reference},
        document.get_absolute_url(),
        submit_label=_("Send"),
    )


def invoice_send(request, pk: int):
    """Send an issued invoice or credit note by e-mail, its Factur-X PDF attached."""
    invoice = access.get_owned(Invoice.objects.select_related("customer"), request.user, pk=pk)
    return _send_page(request, invoice)


def quotation_send(request, pk: int):
    """Send a quotation by e-mail with its PDF (a draft one is then marked as sent)."""
    quotation = access.get_owned(Quotation.objects.select_related("customer"), request.user, pk=pk)
    return _send_page(request, quotation)


def order_send(request, pk: int):
    """Send the confirmation of an order by e-mail with its PDF."""
    order = access.get_owned(SalesOrder.objects.select_related("customer"), request.user, pk=pk)
    return _send_page(request, order)


class DownPaymentForm(forms.Form):
    percent = NumberField(
        label=gettext_lazy("Percentage of the order"), required=False, min_value=0, max_value=100
    )
    amount = NumberField(
        label=gettext_lazy("Or an amount incl. VAT"), required=False, min_value=0, decimal_places=2
    )


def order_down_payment(request, pk: int):
    """A down-payment invoice on a confirmed order (a draft, to check and issue)."""
    order = access.get_owned(SalesOrder.objects.all(), request.user, pk=pk)
    form = DownPaymentForm(request.POST or None, initial={"percent": 30})
    if request.method == "POST":
        invoice = save_form(
            form,
            lambda data: services.create_down_payment(
                order, percent=data["percent"], amount=data["amount"], by=request.user
            ),
        )
        if invoice is not None:
            return redirect(invoice)
    return form_page(
        request,
        form,
        _("Down payment on %(ref)s") % {"ref": order.reference},
        order.get_absolute_url(),
        submit_label=_("Create the down-payment invoice"),
    )


class InvoiceDeliveriesForm(forms.Form):
    up_to = forms.DateField(label=gettext_lazy("Shipped up to"), widget=DATE_WIDGET)
    customer = forms.CharField(
        label=gettext_lazy("Customer (code; all when empty)"), required=False, max_length=50
    )

    def clean_customer(self):
        code = self.cleaned_data["customer"].strip()
        if not code:
            return None
        customer = Customer.objects.filter(code__iexact=code).first()
        if customer is None:
            raise forms.ValidationError(_("No customer has the code %(code)s.") % {"code": code})
        return customer


def invoice_deliveries(request):
    """Invoice the shipped deliveries not yet invoiced, one invoice per customer."""
    form = InvoiceDeliveriesForm(request.POST or None, initial={"up_to": timezone.localdate()})
    if request.method == "POST":
        invoices = save_form(
            form,
            lambda data: services.invoice_deliveries(
                up_to=data["up_to"], customer=data["customer"], by=request.user
            ),
        )
        if invoices == []:
            form.add_error(None, _("No delivery shipped by then is left to invoice."))
        elif invoices is not None:
            made = ngettext(
                "%(n)s draft invoice made from the deliveries.",
                "%(n)s draft invoices made from the deliveries.",
                len(invoices),
            )
            messages.success(request, made % {"n": len(invoices)})
            return redirect(f"{reverse('billing:invoices')}?status=draft")
    return form_page(
        request,
        form,
        _("Invoice the deliveries"),
        submit_label=_("Make the invoices"),
        notice=_(
            "Every delivery shipped up to this date and not yet invoiced: one draft invoice per "
            "customer (per order for customers who ask for it)."
        ),
    )


PRINTABLE = {"quotation": Quotation, "order": SalesOrder, "delivery": DeliveryNote}


def picking_pdf(request):
    """The picking list of the deliveries named in the query (?delivery=1&delivery=2)."""
    ids = [int(pk) for pk in request.GET.getlist("delivery") if pk.isdigit()]
    deliveries = list(
        access.owned(DeliveryNote.objects.filter(pk__in=ids), request.user).order_by("pk")
    )
    if not deliveries:
        raise Http404
    content = render_picking_list(deliveries, _language(request))
    return _file_response(content, "application/pdf", "preparation.pdf")


def document_pdf(request, kind: str, pk: int):
    """A quotation, order confirmation or delivery note as PDF."""
    model = PRINTABLE.get(kind)
    if model is None:
        raise Http404
    document = access.get_owned(model.objects.all(), request.user, pk=pk)
    language = _language(request)
    name = f"{document.number or kind}.pdf"
    return _file_response(render_pdf(document, language), "application/pdf", name)
