from django import forms

from comptoir.catalog.models import Item, ItemPrice, PriceList
from comptoir.core.listing import DATE_WIDGET


class ItemForm(forms.ModelForm):
    class Meta:
        model = Item
        fields = [
            "code", "name", "kind", "unit", "group", "sale_price", "cost_price", "tax",
            "active", "description",
        ]  # fmt: skip
        localized_fields = ["sale_price", "cost_price"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class PriceListForm(forms.ModelForm):
    class Meta:
        model = PriceList
        fields = ["code", "name", "prices_include_vat", "currency", "active"]


class ItemPriceForm(forms.ModelForm):
    class Meta:
        model = ItemPrice
        fields = ["item", "min_quantity", "price", "valid_from", "valid_to"]
        localized_fields = ["min_quantity", "price"]
        widgets = {"valid_from": DATE_WIDGET, "valid_to": DATE_WIDGET}
