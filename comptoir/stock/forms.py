from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.catalog.forms import read_item_lines
from comptoir.catalog.models import Item
from comptoir.core.forms import NumberField
from comptoir.core.listing import DATE_WIDGET
from comptoir.core.widgets import SearchPicker
from comptoir.stock.models import StockMove, Warehouse


class WarehouseForm(forms.ModelForm):
    class Meta:
        model = Warehouse
        fields = [
            "code", "name", "address_line1", "postal_code", "city", "country", "is_default",
            "active",
        ]  # fmt: skip

    def _get_validation_exclusions(self):
        # The new default warehouse takes over from the former one (save_warehouse).
        return {*super()._get_validation_exclusions(), "is_default"}


def _warehouses():
    return Warehouse.objects.filter(active=True)


class MoveForm(forms.Form):
    """Goods received, or an adjustment (found, broken, lost…), or a transfer."""

    KINDS = [
        (StockMove.Kind.RECEIPT, _("Receipt")),
        (StockMove.Kind.ADJUSTMENT, _("Adjustment")),
        (StockMove.Kind.TRANSFER, _("Transfer")),
    ]

    kind = forms.ChoiceField(label=_("Kind"), choices=KINDS)
    item = forms.ModelChoiceField(
        label=_("Item"),
        queryset=Item.objects.exclude(kind=Item.Kind.SERVICE),
        to_field_name="code",
        widget=SearchPicker("catalog:item_options", query="stocked=1"),
    )
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=_warehouses())
    target = forms.ModelChoiceField(
        label=_("To warehouse (transfer)"), queryset=_warehouses(), required=False
    )
    quantity = forms.CharField(
        label=_("Quantity"),
        max_length=30,
        help_text=_("Negative for an adjustment that takes goods out."),
    )
    unit_cost = NumberField(label=_("Unit cost"), required=False, min_value=0)
    date = forms.DateField(label=_("Date"), required=False, widget=DATE_WIDGET)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = _warehouses()
        self.fields["target"].queryset = _warehouses()

    def clean(self):
        data = super().clean()
        if data.get("kind") == StockMove.Kind.TRANSFER and not data.get("target"):
            self.add_error("target", _("Choose the warehouse the goods go to."))
        return data


class CountForm(forms.Form):
    """An inventory count: one line per item, ``code;counted quantity``."""

    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=_warehouses())
    counts = forms.CharField(
        label=_("Counted quantities"),
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "CHAISE;12\nTABLE;3"}),
        help_text=_("One item per line: its code, a semicolon, the quantity counted."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = _warehouses()

    def clean_counts(self) -> list[tuple[Item, str]]:
        return read_item_lines(self.cleaned_data["counts"])
