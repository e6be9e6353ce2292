"""Dashboard, document actions, and the settings pages that belong to no single app."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from comptoir.core.errors import BusinessError
from comptoir.core.forms import CompanyForm
from comptoir.core.messages import template_for
from comptoir.core.models import Company
from comptoir.core.services import save_message_template, update_company
from comptoir.core.views import form_page, save_form
from comptoir.web import actions
from comptoir.web.dashboard import indicators
from comptoir.web.templatetags.web import MODEL_KEYS

MODELS = {key: model for model, key in MODEL_KEYS.items()}
AFTER_DELETE = {"invoice": "billing:invoices"}


@login_required
def home(request):
    return render(request, "web/dashboard.html", indicators())


@login_required
@require_POST
def document_action(request, kind: str, pk: int, name: str):
    model = MODELS.get(kind)
    action = actions.find(model, name) if model else None
    if action is None:
        raise Http404
    document = get_object_or_404(model, pk=pk)
    try:
        result = action.run(document, by=request.user)
    except BusinessError as error:
        messages.error(request, error.message)
        return redirect(document)
    messages.success(
        request, _("%(action)s: done for %(ref)s.") % {"action": action.label, "ref": document}
    )
    if result is None:
        return redirect(reverse(AFTER_DELETE[kind]))
    return redirect(result if hasattr(result, "get_absolute_url") else document)


@login_required
def users(request):
    people = get_user_model().objects.order_by("username")
    return render(request, "web/users.html", {"people": people})


@login_required
def company(request):
    form = CompanyForm(request.POST or None, request.FILES or None, instance=Company.get())
    if request.method == "POST" and save_form(form, lambda d: update_company(**d)) is not None:
        messages.success(request, _("Company settings saved."))
        return redirect("web:company")
    return form_page(request, form, _("Company"))


@login_required
def user_new(request):
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("User created."))
        return redirect("web:users")
    return form_page(request, form, _("New user"))


class MessageForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Placeholders: $number, $customer, $date, $due_date, $total, $company."),
    )


MESSAGE_KINDS = {"invoice": gettext_lazy("Invoice"), "credit_note": gettext_lazy("Credit note")}


@login_required
def message_template(request, kind: str = "invoice"):
    """The e-mail sent with each kind of document."""
    if kind not in MESSAGE_KINDS:
        raise Http404
    current = template_for(kind)
    form = MessageForm(
        request.POST or None, initial={"subject": current.subject, "body": current.body}
    )
    if request.method == "POST":
        saved = save_form(form, lambda data: save_message_template(kind, **data))
        if saved is not None:
            messages.success(request, _("Message template saved."))
            return redirect("web:message_template", kind=kind)
    return form_page(
        request,
        form,
        _("E-mail with each %(kind)s") % {"kind": str(MESSAGE_KINDS[kind]).lower()},
        tabs=[
            (label, reverse("web:message_template", args=[k])) for k, label in MESSAGE_KINDS.items()
        ],
    )
