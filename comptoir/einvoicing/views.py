from django import forms
from django.contrib import messages
from django.db.models import URLField
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
