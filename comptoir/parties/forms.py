from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.core.forms import IdentifierFieldsMixin
from comptoir.parties.models import Address, Contact, Customer


class CustomerForm(IdentifierFieldsMixin, forms.ModelForm):
    """A customer; a new one may come with its billing address."""

    line1 = forms.CharField(label=_("Address"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    country = forms.CharField(label=_("Country"), max_length=2, required=False, initial="FR")

    ADDRESS_FIELDS = ("line1", "postal_code", "city", "country")

    class Meta:
        model = Customer
        fields = [
            "code", "name", "kind", "siren", "siret", "vat_id", "email", "phone", "group",
            "territory", "sales_partner", "price_list", "payment_terms", "default_tax",
            "salesperson", "credit_limit", "invoice_per_order", "notes",
        ]  # fmt: skip
        localized_fields = ["credit_limit"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        self.fields["code"].help_text = _("Left empty, a number is given.")
        if self.instance.pk:
            for name in self.ADDRESS_FIELDS:
                del self.fields[name]

    def customer_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in self.ADDRESS_FIELDS}

    def address(self) -> dict | None:
        data = {name: self.cleaned_data.get(name) for name in self.ADDRESS_FIELDS}
        if not data.get("line1"):
            return None
        return {**data, "country": (data["country"] or "FR").upper(), "kind": "billing"}


class AddressForm(forms.ModelForm):
    class Meta:
        model = Address
        fields = ["kind", "name", "line1", "line2", "postal_code", "city", "country", "is_default"]


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["first_name", "last_name", "role", "email", "phone", "is_primary"]
