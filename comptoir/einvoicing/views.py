from django import forms
from django.contrib import messages
from django.db.models import URLField
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.billing.models import Invoice
from comptoir.core import access
from comptoir.core.errors import BusinessError
from comptoir.core.views import form_page, save_form
from comptoir.einvoicing import services
from comptoir.einvoicing.models import PlatformConnection
from comptoir.parties.queries import visible_customers


class ConnectionForm(forms.ModelForm):
    formfield_callback = staticmethod(
        lambda field, **kwargs: field.formfield(
            **({"assume_scheme": "https"} if isinstance(field, URLField) else {}), **kwargs
        )
    )
    secret = forms.CharField(
        label=gettext_lazy("Client secret"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
    )

    class Meta:
        model = PlatformConnection
        fields = ["enabled", "flow_url", "directory_url", "token_url", "client_id", "syntax"]
        help_texts = {
            "flow_url": gettext_lazy("For example https://api.platform.fr/flow-service"),
            "syntax": gettext_lazy("The file sent for each invoice and credit note."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["secret"].help_text = (
            _("A secret is stored (encrypted): leave empty to keep it.")
            if self.instance.has_secret
            else _("Stored encrypted, never shown again.")
        )


def connection(request):
    """Settings → Approved platform: the connection, and a button that tests it."""
    form = ConnectionForm(request.POST or None, instance=PlatformConnection.get())
    if request.method == "POST" and "check" in request.POST:
        try:
            services.test_connection()
        except BusinessError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The platform answers: the connection works."))
        return redirect("einvoicing:connection")
    if request.method == "POST":
        fields = [*ConnectionForm.Meta.fields, "secret"]
        saved = save_form(
            form, lambda data: services.save_connection(**{f: data[f] for f in fields})
        )
        if saved is not None:
            messages.success(request, _("Platform connection saved."))
            return redirect("einvoicing:connection")
    return form_page(
        request,
        form,
        _("Approved platform"),
        after_form="einvoicing/check_button.html",
    )


def customer_directory(request, pk: int):
    """The « Look up the directory » button of a customer's page."""
    customer = get_object_or_404(visible_customers(request.user), pk=pk)
    if request.method == "POST":
        try:
            entry = services.look_up_directory(customer)
        except BusinessError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, entry.sentence)
    return redirect("parties:customer", pk=customer.pk)


def invoice_correction(request, pk: int):
    """The « Correct the invoice » button of an invoice the platform rejected: cancelled by a
    credit note, its draft copy opens to be fixed and issued."""
    invoice = access.get_owned(Invoice.objects.all(), request.user, pk=pk)
    if request.method != "POST":
        return redirect(invoice)
    try:
        draft = services.correct_rejected_invoice(invoice, by=request.user)
    except BusinessError as error:
        messages.error(request, error.message)
        return redirect(invoice)
    messages.success(
        request,
        _(
            "Invoice %(ref)s cancelled by a credit note; its copy is open: correct it, then "
            "issue it."
        )
        % {"ref": invoice},
    )
    return redirect(draft)


def invoice_refusal_credit(request, pk: int):
    """The « Create the credit note » button of an invoice its customer refused: the credit
    note of the whole invoice, or the one already made."""
    invoice = access.get_owned(Invoice.objects.all(), request.user, pk=pk)
    if request.method != "POST":
        return redirect(invoice)
    try:
        credit_note, made = services.credit_refused_invoice(invoice, by=request.user)
    except BusinessError as error:
        messages.error(request, error.message)
        return redirect(invoice)
    if made:
        done = _("Draft credit note for all of invoice %(ref)s created: check it, then issue it.")
    else:
        done = _("Invoice %(ref)s already has its credit note %(credit)s.")
    messages.success(request, done % {"ref": invoice, "credit": credit_note})
    return redirect(credit_note)
