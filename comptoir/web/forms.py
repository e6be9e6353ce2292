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
