from django import forms
from django.contrib import messages
from django.db.models import URLField
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.billing.models import Invoice
from comptoir.core import access
from comptoir.core.errors import BusinessError
from comptoir.core.views import form_page, save_form
from comptoir.einvoicing import services
from comptoir.einvoicing.models import PlatformConnection, Submission, format_name
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
        self.fields["syntax"].choices = [
            (value, format_name(value)) for value in PlatformConnection.Syntax.values
        ]
        self.fields["secret"].help_text = (
            _("A secret is stored (encrypted): leave empty to keep it.")
            if self.instance.has_secret
            else _("Stored encrypted, never shown again.")
        )


def connection(request):
    """Settings → Approved platform: the connection, and a button that tests the settings as
    typed, without saving them."""
    form = ConnectionForm(request.POST or None, instance=PlatformConnection.get())
    fields = [*ConnectionForm.Meta.fields, "secret"]
    if request.method == "POST" and "check" in request.POST:
        # The typed secret stays in its field, so that « Save » after the test saves it.
        form.fields["secret"].widget.render_value = True
        checked = save_form(
            form, lambda data: services.test_connection(**{f: data[f] for f in fields}) or True
        )
        if checked and form.has_changed():
            messages.success(
                request,
                _(
                    "The platform answers: the connection works with the settings as typed. "
                    "They are not saved yet."
                ),
            )
        elif checked:
            messages.success(request, _("The platform answers: the connection works."))
    elif request.method == "POST":
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
        form_buttons="einvoicing/check_button.html",
        after_form="einvoicing/connection_after_form.html",
        webhook_url=request.build_absolute_uri(reverse("api:platform_webhook")),
        webhook_made_at=PlatformConnection.get().webhook_secret_made_at,
    )


def webhook_secret(request):
    """Settings → Approved platform → « Generate a webhook secret »: the new secret, shown
    this once, with the address the platform is to call."""
    if request.method != "POST":
        return redirect("einvoicing:connection")
    from comptoir.einvoicing.webhook import make_webhook_secret

    return render(
        request,
        "einvoicing/webhook_secret.html",
        {
            "secret": make_webhook_secret(),
            "webhook_url": request.build_absolute_uri(reverse("api:platform_webhook")),
        },
    )


def resend(request, pk: int):
    """The « Resend » button of a failed submission, on the invoice's page."""
    invoice = access.get_owned(Invoice.objects.all(), request.user, pk=pk)
    submission = get_object_or_404(Submission, invoice=invoice)
    if request.method == "POST":
        if services.resend_submission(submission):
            messages.success(request, _("The invoice is being sent to the platform again."))
        else:
            messages.info(request, _("The invoice is already sent or on its way to the platform."))
    return redirect(invoice)


def customer_directory(request, pk: int):
    """The « Look up the directory » button of a customer's page."""
    customer = get_object_or_404(visible_customers(request.user), pk=pk)
    if request.method == "POST":
        try:
            entry = services.look_up_directory(customer)
        except BusinessError as error:
            messages.error(request, error.message)
        else:  # absent, or no SIREN: information, not a success
            found = entry.state == entry.State.FOUND
            (messages.success if found else messages.info)(request, entry.sentence)
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
