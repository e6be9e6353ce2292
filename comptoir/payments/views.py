"""Payment pages: list, detail with allocations, and registering a payment."""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.billing.models import Invoice
from comptoir.billing.queries import receivables
from comptoir.core import access
from comptoir.core.errors import BusinessError
from comptoir.core.listing import Column, Listing
from comptoir.core.money import format_amount
from comptoir.core.views import form_page, save_form
from comptoir.payments import services
from comptoir.payments.errors import NeedsConfirmation
from comptoir.payments.forms import AllocateForm, PaymentForm, RefundForm
from comptoir.payments.models import Payment
from comptoir.payments.queries import unallocated_amount
from comptoir.pricing.documents import find_customer


class PaymentListing(Listing):
    model = Payment
    title = gettext_lazy("Payments")
    columns = [
        Column("number", gettext_lazy("Number"), "number", sort="number"),
        Column("date", gettext_lazy("Date"), "date", kind="date", sort="date"),
        Column("customer", gettext_lazy("Customer"), "customer.name", sort="customer__name"),
        Column("method", gettext_lazy("Method"), "get_method_display"),
        Column("reference", gettext_lazy("Reference"), "reference"),
        Column("amount", gettext_lazy("Amount"), "amount", kind="money", sort="amount"),
        Column("status", gettext_lazy("Status"), "status", kind="status", sort="status"),
    ]
    search_fields = ("number", "reference", "customer__name")
    amount_field = "amount"
    create_url_name = "payments:payment_new"
    create_label = gettext_lazy("Register a payment")

    def get_queryset(self):
        return Payment.objects.select_related("customer").only(
            "id", "number", "date", "method", "reference", "amount", "status", "customer__name"
        )


def _owned_payment(request, pk: int) -> Payment:
    return access.get_owned(Payment.objects.select_related("customer"), request.user, pk=pk)


def payment_detail(request, pk: int):
    payment = _owned_payment(request, pk)
    received = not payment.is_cancelled
    return render(
        request,
        "payments/payment_detail.html",
        {
            "payment": payment,
            "allocations": payment.allocations.select_related("invoice"),
            "unallocated": unallocated_amount(payment),
            "may_cancel": received and access.may_open(request.user, "payments:payment_cancel"),
            "may_unallocate": received and access.may_open(request.user, "payments:unallocate"),
            "may_refund": received and access.may_open(request.user, "payments:payment_refund"),
            "may_allocate": received and access.may_open(request.user, "payments:allocate"),
            "refunds": payment.refunds.all(),
        },
    )


def _run(request, payment: Payment, service, done: str):
    """A payment's action from its page (POST only): what happened, or why not, as a message."""
    if request.method == "POST":
        try:
            service()
        except BusinessError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, done % {"ref": payment})
    return redirect(payment)


def payment_cancel(request, pk: int):
    payment = _owned_payment(request, pk)
    return _run(
        request,
        payment,
        lambda: services.cancel_payment(
            payment, reason=request.POST.get("reason", ""), by=request.user
        ),
        _("Payment %(ref)s cancelled: the invoices it settled owe that money again."),
    )


def payment_refund(request, pk: int):
    """Pay back some of the payment's unallocated credit to the customer."""
    payment = _owned_payment(request, pk)
    left = unallocated_amount(payment)
    form = RefundForm(
        request.POST or None,
        initial={"amount": left, "date": timezone.localdate(), "method": payment.method},
    )
    if request.method == "POST":
        refund = save_form(
            form, lambda data: services.refund_credit(payment, by=request.user, **data)
        )
        if refund is not None:
            messages.success(
                request,
                _("Refund of %(amount)s recorded.") % {"amount": format_amount(refund.amount)},
            )
            return redirect(payment)
    return form_page(
        request,
        form,
        _("Refund the credit of %(ref)s") % {"ref": payment},
        payment.get_absolute_url(),
        submit_label=_("Record the refund"),
        notice=_("%(left)s of this payment is not allocated. A refund is final.")
        % {"left": format_amount(left)},
    )


def payment_allocate(request, pk: int):
    """Put some of the payment's credit (what no invoice holds) on an unpaid invoice."""
    payment = _owned_payment(request, pk)
    left = unallocated_amount(payment)
    open_invoices = {
        invoice.pk: invoice
        for invoice in receivables().filter(customer=payment.customer).order_by("date", "pk")
    }
    choices = [
        (
            pk,
            _("%(ref)s of %(date)s, %(due)s due")
            % {
                "ref": invoice,
                "date": date_format(invoice.date, "SHORT_DATE_FORMAT"),
                "due": format_amount(invoice.amount_due, invoice.currency),
            },
        )
        for pk, invoice in open_invoices.items()
    ]
    first = next(iter(open_invoices.values()), None)
    form = AllocateForm(
        request.POST or None,
        invoices=choices,
        initial={
            "invoice": first.pk if first else "",
            "amount": min(left, first.amount_due) if first else left,
        },
    )
    if request.method == "POST":

        def allocate(data):
            invoice = open_invoices[int(data["invoice"])]
            try:
                return services.allocate_payment(
                    payment, [(invoice, data["amount"])], by=request.user
                )
            except BusinessError as error:  # allocations[0].amount: the form's amount
                error.field = (error.field or "").rpartition(".")[2] or None
                raise

        if save_form(form, allocate) is not None:
            messages.success(
                request,
                _("%(amount)s of the credit allocated to %(ref)s.")
                % {
                    "amount": format_amount(form.cleaned_data["amount"], payment.currency),
                    "ref": open_invoices[int(form.cleaned_data["invoice"])],
                },
            )
            return redirect(payment)
    return form_page(
        request,
        form,
        _("Allocate the credit of %(ref)s") % {"ref": payment},
        payment.get_absolute_url(),
        submit_label=_("Allocate"),
        notice=_("%(left)s of this payment is not allocated.")
        % {"left": format_amount(left, payment.currency)},
    )


def unallocate(request, pk: int):
    """One allocation taken back (its id in the form): the amount becomes credit again."""
    payment = _owned_payment(request, pk)
    allocation = request.POST.get("allocation", "")
    allocation = get_object_or_404(
        payment.allocations, pk=allocation if allocation.isdigit() else 0
    )
    return _run(
        request,
        payment,
        lambda: services.unallocate(payment, allocation.pk, by=request.user),
        _("Allocation removed: the amount stays as the customer's credit on %(ref)s."),
    )


def _register(request, form: PaymentForm, invoice: Invoice | None):
    def save(data):
        try:
            return _save(data)
        except NeedsConfirmation:
            form.ask_confirmation()
            raise

    def _save(data):
        customer = find_customer(data["customer"], user=request.user)
        allocations = None
        if invoice is not None:
            allocations = [(invoice, min(data["amount"], invoice.amount_due))]
        return services.register_payment(
            customer,
            data["amount"],
            by=request.user,
            date=data["date"],
            method=data["method"],
            reference=data["reference"],
            allocations=allocations,
            check_due=not data.get("confirm_overpayment"),
        )

    return save_form(form, save)


def payment_new(request, invoice: Invoice | None = None):
    initial = {"date": timezone.localdate(), "customer": request.GET.get("customer", "")}
    if invoice is not None:
        initial.update(
            customer=invoice.customer.code,
            amount=invoice.amount_due,
        )
    form = PaymentForm(request.POST or None, initial=initial)
    if invoice is not None:
        form.fields["customer"].widget = form.fields["customer"].hidden_widget()
    if request.method == "POST":
        payment = _register(request, form, invoice)
        if payment is not None:
            messages.success(request, _("Payment %(ref)s registered.") % {"ref": payment})
            return redirect(invoice or payment)
    title = _("Register a payment")
    if invoice is not None:
        title = _("Payment of %(ref)s") % {"ref": invoice.reference}
    return form_page(
        request,
        form,
        title,
        invoice.get_absolute_url() if invoice else "",
        submit_label=_("Register the payment"),
    )


def invoice_pay(request, pk: int):
    invoice = access.get_owned(Invoice.objects.select_related("customer"), request.user, pk=pk)
    return payment_new(request, invoice=invoice)


class FecForm(forms.Form):
    year = forms.IntegerField(label=_("Fiscal year ending in"), min_value=1901, max_value=2999)
    separator = forms.ChoiceField(
        label=_("Separator"), choices=[("tab", _("Tab")), ("pipe", "|")], initial="tab"
    )


def fec_export(request):
    """The FEC of a fiscal year, downloaded under its legal file name."""
    from comptoir.payments.accounting import fec, fec_file_name, fiscal_year

    form = FecForm(request.GET or None, initial={"year": timezone.localdate().year})
    if form.is_valid():
        start, end = fiscal_year(form.cleaned_data["year"])
        separator = "|" if form.cleaned_data["separator"] == "pipe" else "\t"
        response = HttpResponse(fec(start, end, separator), content_type="text/plain")
        response["Content-Disposition"] = f'attachment; filename="{fec_file_name(end)}"'
        return response
    return render(
        request,
        "payments/fec.html",
        {"form": form, "title": _("Accounting export (FEC)")},
        status=400 if form.errors else 200,
    )
