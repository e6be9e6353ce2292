from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.core.listing import DATE_WIDGET
from comptoir.payments.models import PaymentMethod


class PaymentForm(forms.Form):
    customer = forms.CharField(label=_("Customer"), max_length=50)
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, localize=True)
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
    # Shown (a box to tick) once the amount was found above what is due.
    confirm_overpayment = forms.BooleanField(
        label=_("Yes, this amount is right: the rest stays as the customer's credit"),
        required=False,
        widget=forms.HiddenInput,
    )

    def ask_confirmation(self) -> None:
        self.fields["confirm_overpayment"].widget = forms.CheckboxInput()
