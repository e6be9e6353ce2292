from django import forms

from comptoir.core.models import Company


class CompanyForm(forms.ModelForm):
    class Meta:
        model = Company
        fields = [
            "legal_name", "trade_name", "legal_form", "share_capital", "siren", "siret",
            "rcs_city", "vat_id", "address_line1", "address_line2", "postal_code", "city",
            "country", "email", "phone", "iban", "bic", "default_payment_terms",
            "invoice_basis", "vat_on_debits", "stock_management", "quotation_validity_days",
            "late_penalty_text", "early_payment_text",
        ]  # fmt: skip
        localized_fields = ["share_capital"]
