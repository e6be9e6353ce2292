"""Dashboard, document actions, and the settings pages that belong to no single app."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from comptoir.core import access
from comptoir.core.errors import BusinessError
from comptoir.core.forms import CompanyForm
from comptoir.core.messages import template_for
from comptoir.core.models import ApiToken, Company
from comptoir.core.services import (
    create_token,
    create_user,
    revoke_token,
    save_message_template,
    set_user_roles,
    update_company,
)
from comptoir.core.views import form_page, save_form
from comptoir.web import actions
from comptoir.web.dashboard import indicators
from comptoir.web.forms import RolesForm, TokenForm

AFTER_DELETE = {"invoice": "billing:invoices"}


def home(request):
    if not access.allows(request.user, access.SEE_PRICES):
        return render(request, "web/dashboard.html", {"today": timezone.localdate()})
    return render(request, "web/dashboard.html", {**indicators(user=request.user), "prices": True})


@require_POST
def document_action(request, kind: str, pk: int, name: str):
    model = actions.MODELS.get(kind)
    action = actions.find(model, name) if model else None
    if action is None:
        raise Http404
    documents = model.objects.all()
    if hasattr(model, "customer"):  # a purchase order belongs to no customer
        documents = access.owned(documents, request.user)
    document = get_object_or_404(documents, pk=pk)
    try:
        result = action.run(document, by=request.user)
    except BusinessError as error:
        messages.error(request, error.message)
        return redirect(document)
    if result is not None:
        document.refresh_from_db(fields=["number"])  # given by the action, on its own copy
    made = result if hasattr(result, "get_absolute_url") else document
    messages.success(request, action.done % {"ref": document, "result": made})
    if result is None:
        return redirect(reverse(AFTER_DELETE[kind]))
    return redirect(made)


def users(request):
    people = get_user_model().objects.order_by("username").prefetch_related("groups")
    return render(request, "web/users.html", {"people": people})


class NewUserForm(UserCreationForm):
    roles = RolesForm.base_fields["roles"]


def user_new(request):
    form = NewUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        create_user(data["username"], data["password1"], data["roles"])
        messages.success(request, _("User created."))
        return redirect("web:users")
    return form_page(request, form, _("New user"), reverse("web:users"))


def user(request, pk: int):
    person = get_object_or_404(get_user_model(), pk=pk)
    initial = {"roles": list(person.groups.values_list("name", flat=True))}
    form = RolesForm(request.POST or None, initial={**initial, "is_active": person.is_active})
    if request.method == "POST" and form.is_valid():
        set_user_roles(person, form.cleaned_data["roles"], is_active=form.cleaned_data["is_active"])
        messages.success(request, _("Roles of %(user)s saved.") % {"user": person.username})
        return redirect("web:users")
    return form_page(request, form, person.username, reverse("web:users"))


def tokens(request):
    """The user's own API tokens: create one (its key is shown once), revoke one."""
    form = TokenForm(request.POST or None)
    key = ""
    if request.method == "POST" and "revoke" in request.POST:
        token = get_object_or_404(ApiToken, pk=request.POST["revoke"], user=request.user)
        revoke_token(token)
        messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
        return redirect("web:tokens")
    if request.method == "POST" and form.is_valid():
        expires = timezone.now() + dt.timedelta(days=form.cleaned_data["days"])
        _token, key = create_token(request.user, form.cleaned_data["name"], expires)
        form = TokenForm()
    rows = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(
        request,
        "web/tokens.html",
        {"form": form, "tokens": rows, "key": key},
        status=400 if form.errors else 200,
    )


def company(request):
    form = CompanyForm(request.POST or None, request.FILES or None, instance=Company.get())
    if request.method == "POST" and save_form(form, lambda d: update_company(**d)) is not None:
        messages.success(request, _("Company settings saved."))
        return redirect("web:company")
    return form_page(request, form, _("Company"))


class MessageForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Placeholders: $number, $customer, $date, $due_date, $total, $company."),
    )


MESSAGE_KINDS = {"invoice": gettext_lazy("Invoice"), "credit_note": gettext_lazy("Credit note")}


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
