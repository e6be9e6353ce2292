"""The login form, which makes repeated failures wait."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from comptoir.core.services import (
    forget_login_failures,
    login_wait_minutes,
    record_login_failure,
)


class LoginForm(AuthenticationForm):
    """After several failed attempts for one user name from one address, the next ones are
    refused for a while, even with the right password."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong user name or password."),
        "throttled": _("Too many failed attempts: try again in %(minutes)s minutes."),
    }

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip().lower()
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        minutes = login_wait_minutes(username, address)
        if minutes:
            raise forms.ValidationError(
                self.error_messages["throttled"], code="throttled", params={"minutes": minutes}
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            record_login_failure(username, address)
            raise
        forget_login_failures(username, address)
        return cleaned


def role_choices():
    from comptoir.core.roles import ROLES

    return [(role.name, f"{role.label} — {role.description}") for role in ROLES]


class RolesForm(forms.Form):
    """The roles of a user, and whether the account may log in."""

    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=role_choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What uses it."))
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=3650, initial=90)
