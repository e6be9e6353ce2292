from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comptoir.catalog.models import Item, ItemPrice, PriceList
from comptoir.core.listing import DATE_WIDGET
from comptoir.core.widgets import SearchPicker


def item_picker(label, *, required: bool = False, **kwargs) -> forms.ModelChoiceField:
    """An item, chosen by searching as one types (a drop-down of every item is unusable with
    thousands); the form reads its code."""
    return forms.ModelChoiceField(
        label=label,
        queryset=Item.objects.all(),
        to_field_name="code",
        required=required,
        widget=SearchPicker("catalog:item_options"),
        **kwargs,
    )


class ItemForm(forms.ModelForm):
    class Meta:
        model = Item
        fields = [
            "code", "name", "barcode", "kind", "unit", "group", "sale_price", "cost_price", "tax",
            "weight", "lead_time_days",
            "active", "description", "price_extra",
        ]  # fmt: skip
        localized_fields = ["sale_price", "cost_price", "weight", "price_extra"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Archived taxes are not offered, but an item keeps the one it has.
        tax = self.fields["tax"]
        tax.queryset = tax.queryset.filter(Q(active=True) | Q(pk=self.instance.tax_id))
        if "weight" in self.fields:
            self.fields["weight"].required = False  # blank: weighs nothing
        if self.instance.template_id:
            # A variant's price is its model's plus its difference (``catalog.variants``).
            self.fields["sale_price"].disabled = True
            self.fields["sale_price"].help_text = _("The model's price plus the price difference.")
        else:
            del self.fields["price_extra"]

    def clean_weight(self):
        return self.cleaned_data.get("weight") or Decimal("0")


class PriceListForm(forms.ModelForm):
    class Meta:
        model = PriceList
        fields = ["code", "name", "prices_include_vat", "currency", "active"]


class ItemPriceForm(forms.ModelForm):
    item = item_picker(_("Item"), required=True)

    class Meta:
        model = ItemPrice
        fields = ["item", "min_quantity", "price", "valid_from", "valid_to"]
        localized_fields = ["min_quantity", "price"]
        widgets = {"valid_from": DATE_WIDGET, "valid_to": DATE_WIDGET}


class ComponentsForm(forms.Form):
    """What a bundle is made of: one component per line, ``code;quantity per bundle``."""

    components = forms.CharField(
        label=_("Components"),
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "BUREAU;1\nCHAISE;2"}),
        help_text=_("One component per line: its code, a semicolon, the quantity per bundle."),
    )

    def clean_components(self) -> list[tuple[Item, str]]:
        return read_item_lines(self.cleaned_data["components"])


def read_item_lines(text: str) -> list[tuple[Item, str]]:
    """Lines of ``item code;quantity`` typed in a form: (item, quantity as typed) each. An
    unknown code or a line without its quantity is a form error naming the line; the
    quantities themselves are checked by the service."""
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        code, _sep, quantity = line.partition(";")
        if not quantity.strip():
            raise forms.ValidationError(
                _("Line %(n)s: write the code, a semicolon, then the quantity.") % {"n": number}
            )
        pairs.append((code.strip(), quantity.strip(), number))
    items = Item.objects.in_bulk({code for code, _q, _n in pairs}, field_name="code")
    for code, _quantity, number in pairs:
        if code not in items:
            raise forms.ValidationError(
                _("Line %(n)s: no item has the code %(code)s.") % {"n": number, "code": code}
            )
    return [(items[code], quantity) for code, quantity, _n in pairs]
