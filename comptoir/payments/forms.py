from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.core.forms import NumberField
from comptoir.core.listing import DATE_WIDGET
from comptoir.payments.models import PaymentMethod


class PaymentForm(forms.Form):
    customer = forms.CharField(label=_("Customer"), max_length=50)
    amount = NumberField(label=_("Amount"), max_digits=14, decimal_places=2)
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.data.get("confirm_overpayment"):
            self.ask_confirmation()

    def ask_confirmation(self) -> None:
        """The box to tick once the amount was found above what is due."""
        self.fields["confirm_overpayment"] = forms.BooleanField(
            label=_("Yes, this amount is right: the rest stays as the customer's credit"),
            required=False,
        )


class RefundForm(forms.Form):
    amount = NumberField(label=_("Amount"), max_digits=14, decimal_places=2)
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)


class AllocateForm(forms.Form):
    """Some of a payment's credit put on one of the customer's unpaid invoices."""

    invoice = forms.ChoiceField(label=_("Invoice"))
    amount = NumberField(label=_("Amount"), max_digits=14, decimal_places=2)

    def __init__(self, *args, invoices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoice"].choices = [("", "—"), *invoices]
