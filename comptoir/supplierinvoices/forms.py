from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.einvoicing.statuses import REASON_LABELS as REASONS
from comptoir.einvoicing.statuses import status
from comptoir.purchasing.models import Supplier
from comptoir.supplierinvoices.models import ReceptionSettings
from comptoir.supplierinvoices.services import SETTINGS_FIELDS

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
        fields = list(SETTINGS_FIELDS)
