from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import get_language

from comptoir.core.errors import BusinessError
from comptoir.core.identifiers import (
    compact_iban,
    compact_platform_id,
    compact_siren,
    compact_siret,
    compact_vat_id,
)
from comptoir.core.models import Company
from comptoir.core.money import parse_decimal


class NumberField(forms.DecimalField):
    """An amount, a price or a quantity typed as people write it, as Comptoir prints it
    (``5 000,00 €``, ``1,234.50`` in English): read by ``core.money.parse_decimal``, the
    one reading of typed numbers, in the page's language."""

    def __init__(self, **kwargs):
        super().__init__(**{**kwargs, "localize": True})

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal"}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_decimal(str(value), language=get_language())
        except BusinessError as error:
            raise forms.ValidationError(error.message, code="invalid") from None


COMPACT = {
    "siren": compact_siren,
    "siret": compact_siret,
    "vat_id": lambda value: compact_vat_id(value).upper(),
    "iban": compact_iban,
    "platform_id": compact_platform_id,
}


class IdentifierFieldsMixin:
    """SIREN, SIRET, VAT, IBAN and the platform's number typed as people write them (spaces,
    dots), stored compact."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in COMPACT:
            if name in self.fields:
                field = self.fields[name]
                field.max_length = None
                field.validators = [
                    v for v in field.validators if not isinstance(v, MaxLengthValidator)
                ]
                field.widget.attrs.pop("maxlength", None)

    def _clean_fields(self):
        super()._clean_fields()
        for name, compact in COMPACT.items():
            if self.cleaned_data.get(name):
                self.cleaned_data[name] = compact(self.cleaned_data[name])


class CompanyForm(IdentifierFieldsMixin, forms.ModelForm):
    class Meta:
        model = Company
        fields = [
            "legal_name", "trade_name", "legal_form", "share_capital", "siren", "siret",
            "rcs_city", "vat_id", "address_line1", "address_line2", "postal_code", "city",
            "country", "email", "phone", "iban", "bic", "default_payment_terms",
            "invoice_basis", "vat_on_debits", "facturx_profile", "print_layout", "shipping_as_line",
            "stock_management",
            "own_customers_only", "reserve_on_confirm", "allow_negative_stock",
            "quotation_validity_days", "minimum_margin_pct", "late_penalty_text",
            "early_payment_text",
            "fiscal_year_start_month",
            "vat_regime", "platform_id",
            "account_customers", "account_goods", "account_services", "account_charges",
            "account_allowances", "account_bank", "logo",
        ]  # fmt: skip
        localized_fields = ["share_capital", "minimum_margin_pct"]
