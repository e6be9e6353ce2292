"""The pages of variants: a model's attributes and grid of variants, edited at once, and the
attributes with their values."""

from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from comptoir.catalog import services
from comptoir.catalog.models import Item, ItemAttribute
from comptoir.catalog.queries import template_attributes, variant_layout
from comptoir.catalog.variants import GRID_FIELDS
from comptoir.core.errors import BusinessError, each_refusal
from comptoir.core.listing import Column, Listing
from comptoir.core.money import amount_as_typed
from comptoir.core.views import form_page, save_form


@dataclass
class GridCell:
    """A variant as the grid shows it: its values as typed, and the errors of its fields."""

    variant: Item
    label: str
    values: dict
    errors: dict = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        return f"v{self.variant.pk}"


def _typed(variant: Item, data) -> dict:
    prefix = f"v{variant.pk}"
    if data is None:
        extra = variant.price_extra
        return {
            "code": variant.code,
            "barcode": variant.barcode,
            "price_extra": amount_as_typed(extra) if extra else "",
            "active": variant.active,
        }
    return {
        "code": data.get(f"{prefix}-code", ""),
        "barcode": data.get(f"{prefix}-barcode", ""),
        "price_extra": data.get(f"{prefix}-price_extra", ""),
        "active": bool(data.get(f"{prefix}-active")),
    }


def variant_grid(template: Item, attributes: list, data=None, errors=None) -> dict:
    """The grid of the template's variants, each cell holding the variant's fields as saved
    or as typed, and their errors."""
    errors = errors or {}
    variants = list(template.variants.order_by("code"))
    layout = variant_layout(template, variants, attributes)
    cells = {}
    for variant in variants:
        cell = GridCell(variant, layout["labels"][variant.pk], _typed(variant, data))
        for name in GRID_FIELDS:
            cell.errors[name] = errors.get(f"variants.{variant.pk}.{name}", "")
        cell.errors["row"] = errors.get(f"variants.{variant.pk}", "")
        cells[variant.pk] = cell
    rows = [(value, [cells[v.pk] if v else None for v in row]) for value, row in layout["rows"]]
    return {**layout, "cells": list(cells.values()), "rows": rows}


def item_variants(request, pk: int):
    """A model's page of variants: what they differ by, creating them, and the grid."""
    item = get_object_or_404(Item.objects.select_related("template"), pk=pk)
    if item.is_variant:
        return redirect("catalog:item_variants", pk=item.template_id)
    attributes = template_attributes(item) if item.is_template else []
    action = request.POST.get("action", "")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            done = _act(item, attributes, action, request.POST)
        except BusinessError as error:
            # A grid's refusal names every cell refused, each shown in its place.
            for each in each_refusal(error):
                errors.setdefault(each.field or "__all__", each.message)
        else:
            messages.success(request, done)
            return redirect("catalog:item_variants", pk=item.pk)
    typed = request.POST if action == "grid" else None
    for attribute in attributes:  # the values ticked and the error, as sent
        attribute.checked = set(request.POST.getlist(f"value-{attribute.code}"))
        attribute.error = errors.get(f"values.{attribute.code}", "")
    context = {
        "item": item,
        "attributes": attributes,
        "all_attributes": ItemAttribute.objects.all() if not item.variants.exists() else [],
        "grid": variant_grid(item, attributes, typed, errors),
        "errors": errors,
        # An error of no cell nor attribute shows above the forms.
        "general_error": next(
            (m for k, m in errors.items() if not k.startswith(("variants.", "values."))), ""
        ),
    }
    return render(request, "catalog/item_variants.html", context, status=400 if errors else 200)


def _act(item: Item, attributes: list, action: str, data) -> str:
    """Run what the page's form asked; returns the message saying it is done."""
    if action == "attributes":
        codes = data.getlist("attribute")
        chosen = sorted(
            ItemAttribute.objects.filter(code__in=codes), key=lambda a: codes.index(a.code)
        )
        services.set_template_attributes(item, chosen)
        return _("%(code)s now has variants: choose the values to create them.") % {
            "code": item.code
        }
    if action == "generate":
        choice = {a.code: data.getlist(f"value-{a.code}") for a in attributes}
        created = services.generate_variants(item, choice)
        return ngettext(
            "%(count)s variant created.", "%(count)s variants created.", len(created)
        ) % {"count": len(created)}
    if action == "grid":
        changes = {
            variant.pk: _typed(variant, data) for variant in item.variants.only("pk", "code")
        }
        services.update_variants(item, changes)
        return _("Variants of %(code)s saved.") % {"code": item.code}
    raise BusinessError("variant.unknown_action", _("Nothing to do."))


# Attributes -------------------------------------------------------------------------------


class AttributeListing(Listing):
    model = ItemAttribute
    title = gettext_lazy("Item attributes")
    columns = [
        Column("code", gettext_lazy("Code"), "code", sort="code"),
        Column("name", gettext_lazy("Name"), "name", sort="name"),
        Column("position", gettext_lazy("Position"), "position", kind="quantity"),
    ]
    search_fields = ("code", "name")
    status_field = customer_field = date_field = amount_field = None
    owner_path = None
    default_sort = "code"
    create_url_name = "catalog:attribute_new"
    create_label = gettext_lazy("New attribute")


class AttributeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=20)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    position = forms.IntegerField(label=gettext_lazy("Position"), min_value=0, initial=0)
    values = forms.CharField(
        label=gettext_lazy("Values"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "S;Small\nM;Medium"}),
        help_text=gettext_lazy(
            "One value per line: its code (in the variants' codes), a semicolon, its name."
        ),
    )

    def clean_values(self) -> list[tuple[str, str]]:
        pairs = []
        for number, line in enumerate(self.cleaned_data["values"].splitlines(), start=1):
            if not line.strip():
                continue
            code, _sep, label = line.partition(";")
            if not code.strip() or not label.strip():
                raise forms.ValidationError(
                    _("Line %(n)s: write the code, a semicolon, then the name.") % {"n": number}
                )
            pairs.append((code.strip(), label.strip()))
        return pairs


def attribute_form(request, pk: int | None = None):
    attribute = get_object_or_404(ItemAttribute, pk=pk) if pk else None
    initial = {}
    if attribute is not None:
        initial = {
            "code": attribute.code,
            "name": attribute.name,
            "position": attribute.position,
            "values": "\n".join(f"{v.code};{v.label}" for v in attribute.values.all()),
        }
    form = AttributeForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if attribute is None:
            saved = save_form(form, lambda data: services.create_attribute(**data))
        else:
            saved = save_form(form, lambda data: services.update_attribute(attribute, **data))
        if saved is not None:
            messages.success(request, _("Attribute %(name)s saved.") % {"name": saved.name})
            return redirect("catalog:attributes")
    title = attribute.name if attribute else _("New attribute")
    return form_page(request, form, title, back_url=reverse("catalog:attributes"), record=attribute)
