from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.einvoicing.statuses import status
from comptoir.purchasing.models import Supplier
from comptoir.supplierinvoices.models import ReceptionSettings

MAX_UPLOAD = 20_000_000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files at once: the list of those chosen."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)]


class UploadForm(forms.Form):
    file = MultipleFileField(
        label=_("Invoice files"),
        help_text=_("Factur-X PDF, CII or UBL XML files: several may be chosen at once."),
    )


class SupplierChoiceForm(forms.Form):
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = Supplier.objects.filter(active=True)


# The reasons of a dispute or a refusal (BR-FR-CDV-CL-09), as XP Z12-012 describes them.
REASONS = {
    "AUTRE": _("Other reason"),
    "COORD_BANC_ERR": _("Wrong bank details"),
    "TX_TVA_ERR": _("Wrong VAT rate"),
    "MONTANTTOTAL_ERR": _("Wrong total amount"),
    "CALCUL_ERR": _("Calculation error"),
    "NON_CONFORME": _("Invoice not compliant"),
    "DOUBLON": _("Duplicate invoice"),
    "DEST_INC": _("Unknown recipient"),
    "DEST_ERR": _("Wrong recipient"),
    "TRANSAC_INC": _("Unknown transaction"),
    "EMMET_INC": _("Unknown issuer"),
    "CONTRAT_TERM": _("Contract ended"),
    "DOUBLE_FACT": _("Already invoiced"),
    "CMD_ERR": _("Wrong or missing order reference"),
    "ADR_ERR": _("Wrong address"),
    "SIRET_ERR": _("Wrong SIRET"),
    "CODE_ROUTAGE_ERR": _("Wrong routing code"),
    "REF_CT_ABSENT": _("Contract reference missing"),
    "REF_ERR": _("Wrong reference"),
    "PU_ERR": _("Wrong unit price"),
    "REM_ERR": _("Wrong discount"),
    "QTE_ERR": _("Wrong quantity"),
    "ART_ERR": _("Wrong item"),
    "MODPAI_ERR": _("Wrong payment terms"),
    "QUALITE_ERR": _("Quality not as agreed"),
    "LIVR_INCOMP": _("Incomplete delivery"),
}


def reason_label(code: str) -> str:
    return str(REASONS.get(code, code))


def _reasons(code: int) -> list[tuple[str, str]]:
    choices = sorted(((r, reason_label(r)) for r in status(code).reasons), key=lambda c: c[1])
    return [("", "—"), *choices]


class DecisionForm(forms.Form):
    """A dispute (207) or a refusal (210): a reason the rules admit, and a comment."""

    reason_code = forms.ChoiceField(label=_("Reason"))
    reason = forms.CharField(label=_("Comment"), required=False, max_length=500)

    def __init__(self, code: int, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason_code"].choices = _reasons(code)


class ReceptionSettingsForm(forms.ModelForm):
    class Meta:
        model = ReceptionSettings
        fields = [
            "unknown_supplier",
            "price_tolerance_pct",
            "quantity_tolerance",
            "account_suppliers",
            "account_purchases",
            "account_services",
            "account_allowances",
            "account_vat",
        ]
