from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.catalog.forms import read_item_lines
from comptoir.core.listing import DATE_WIDGET
from comptoir.purchasing.models import Supplier
from comptoir.stock.models import Warehouse


class SupplierForm(forms.ModelForm):
    class Meta:
        model = Supplier
        fields = ["code", "name", "email", "siren", "vat_id", "lead_time_days", "active"]


class PurchaseOrderForm(forms.Form):
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.none())
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.none())
    expected_date = forms.DateField(
        label=_("Expected on"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Empty: after the supplier's lead time."),
    )
    lines = forms.CharField(
        label=_("Lines"),
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "CHAISE;20\nTABLE;5"}),
        help_text=_("One item per line: its code, a semicolon, the quantity."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = Supplier.objects.filter(active=True)
        self.fields["warehouse"].queryset = Warehouse.objects.filter(active=True)

    def clean_lines(self):
        return read_item_lines(self.cleaned_data["lines"])


class SalesLinesPurchaseForm(forms.Form):
    """Buy the goods of a sales order: a special order, or a drop shipment."""

    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.none())
    drop_ship = forms.BooleanField(
        label=_("Drop shipment: the supplier delivers the customer"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = Supplier.objects.filter(active=True)
