from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.imports.columns import COLUMNS
from comptoir.imports.models import ImportPartner
from comptoir.imports.services import PARTNER_FIELDS


class PartnerForm(forms.ModelForm):
    class Meta:
        model = ImportPartner
        fields = [f for f in PARTNER_FIELDS if f != "mapping"]


class UploadForm(forms.Form):
    partner = forms.ModelChoiceField(
        ImportPartner.objects.filter(active=True), label=_("Partner"), empty_label=None
    )
    file = forms.FileField(label=_("File (CSV or XLSX)"))
    has_header = forms.BooleanField(
        label=_("The first line holds the column names"), required=False, initial=True
    )


class RowForm(forms.Form):
    """One import row as text per template column, as the file gave it."""

    def __init__(self, *args, row=None, **kwargs):
        super().__init__(*args, **kwargs)
        for column in COLUMNS:
            self.fields[column.name] = forms.CharField(
                label=column.name,
                required=False,
                help_text=column.help,
                initial=row.data.get(column.name, "") if row is not None else "",
            )
