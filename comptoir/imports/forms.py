from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.imports.columns import COLUMNS
from comptoir.imports.models import ImportPartner
from comptoir.imports.profiles import PROFILE_CHOICES
from comptoir.imports.services import PARTNER_FIELDS
from comptoir.stock.models import Warehouse


class PartnerForm(forms.ModelForm):
    profile = forms.ChoiceField(
        label=_("Export read as it is"),
        choices=PROFILE_CHOICES,
        required=False,
        help_text=_("The partner sends its shop's own export instead of the template."),
    )
    columns = forms.JSONField(
        label=_("Column mapping"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            'Template column → the partner\'s header, e.g. {"quantite": "Qty"}; see the '
            "import documentation for splits, combinations and constants."
        ),
    )

    class Meta:
        model = ImportPartner
        fields = [f for f in PARTNER_FIELDS if f != "mapping"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        mapping = self.instance.mapping or {}
        self.fields["profile"].initial = mapping.get("profile", "")
        self.fields["columns"].initial = mapping.get("columns") or None

    def partner_fields(self) -> dict:
        data = dict(self.cleaned_data)
        profile, columns = data.pop("profile"), data.pop("columns")
        data["mapping"] = {k: v for k, v in (("profile", profile), ("columns", columns)) if v}
        return data


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
                initial=row.texts.get(column.name, "") if row is not None else "",
            )


class OpeningStockForm(forms.Form):
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.none())
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One item per line, with the columns code_article;quantite and optionally "
            "cout_unitaire."
        ),
    )

    MAX_BYTES = 10 * 2**20

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = Warehouse.objects.filter(active=True)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload.read()
