"""Items and price lists: lists, forms, and search-as-you-type options for document lines."""

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.catalog import services
from comptoir.catalog.forms import ComponentsForm, ItemForm, ItemPriceForm, PriceListForm
from comptoir.catalog.models import Item, PriceList
from comptoir.core.listing import Column, Listing
from comptoir.core.views import form_page, save_form

OPTIONS_LIMIT = 20
# Sections the apps above the catalog add below an item's form: functions of (request, item)
# answering (template, context) or None (the stock's value per warehouse is one).
ITEM_SECTIONS: list = []


class ItemListing(Listing):
    model = Item
    title = gettext_lazy("Items")
    columns = [
        Column("code", gettext_lazy("Code"), "code", sort="code"),
        Column("name", gettext_lazy("Name"), "name", sort="name"),
        Column("kind", gettext_lazy("Kind"), "get_kind_display"),
        Column("group", gettext_lazy("Group"), "group.name", sort="group__name"),
        Column("unit", gettext_lazy("Unit"), "unit.name"),
        Column("price", gettext_lazy("Sale price excl. VAT"), "sale_price", "money", "sale_price"),
        Column("tax", gettext_lazy("VAT"), "tax.name"),
        Column("template", gettext_lazy("Model"), "template.code"),
        Column("active", gettext_lazy("Active"), "active", kind="bool"),
    ]
    search_fields = ("code", "name", "description", "barcode")
    status_field = customer_field = date_field = None
    amount_field = "sale_price"
    default_sort = "code"
    create_url_name = "catalog:item_new"
    create_label = gettext_lazy("New item")

    def get_queryset(self):
        return Item.objects.select_related("group", "unit", "tax", "template")

    def _shape_form(self) -> None:
        super()._shape_form()
        self.form.fields["variants"] = forms.ChoiceField(
            label=_("Variants"), required=False, choices=VARIANT_FILTERS
        )

    def filtered(self):
        items = super().filtered()
        wanted = self.filters.get("variants")
        if wanted == "templates":
            items = items.filter(is_template=True)
        elif wanted == "variants":
            items = items.filter(template__isnull=False)
        elif wanted == "plain":
            items = items.filter(is_template=False, template__isnull=True)
        return items


VARIANT_FILTERS = [
    ("", gettext_lazy("All")),
    ("templates", gettext_lazy("Models with variants")),
    ("variants", gettext_lazy("Variants")),
    ("plain", gettext_lazy("Items without variants")),
]


class PriceListListing(Listing):
    model = PriceList
    title = gettext_lazy("Price lists")
    columns = [
        Column("code", gettext_lazy("Code"), "code", sort="code"),
        Column("name", gettext_lazy("Name"), "name", sort="name"),
        Column("vat", gettext_lazy("Prices include VAT"), "prices_include_vat", kind="bool"),
        Column("currency", gettext_lazy("Currency"), "currency"),
        Column("active", gettext_lazy("Active"), "active", kind="bool"),
    ]
    search_fields = ("code", "name")
    status_field = customer_field = date_field = amount_field = None
    default_sort = "code"
    create_url_name = "catalog:price_list_new"
    create_label = gettext_lazy("New price list")


def item_form(request, pk: int | None = None):
    item = get_object_or_404(Item, pk=pk) if pk else None
    form = ItemForm(request.POST or None, instance=item)
    if request.method == "POST":
        if item is None:
            saved = save_form(form, lambda data: services.create_item(**data))
        else:
            saved = save_form(form, lambda data: services.update_item(item, **data))
        if saved is not None:
            messages.success(request, _("Item %(code)s saved.") % {"code": saved.code})
            return redirect("catalog:items")
    title = str(item) if item else _("New item")
    sections = [found for section in ITEM_SECTIONS if (found := section(request, item))]
    return form_page(request, form, title, tabs=_item_tabs(item), record=item, sections=sections)


def _item_tabs(item) -> list:
    """The pages of an item: its form, and its components or its stock."""
    if item is None or item.is_service:
        return []
    tabs = [(_("Item"), item.get_absolute_url())]
    if item.is_template or item.is_variant or item.kind == Item.Kind.GOODS:
        template = item.template_id or item.pk
        label = _("Model and its variants") if item.is_variant else _("Variants")
        tabs.append((label, reverse("catalog:item_variants", args=[template])))
    if item.is_template:
        return tabs  # a model is neither stocked nor sold itself
    if item.is_bundle:
        tabs.append((_("Components"), reverse("catalog:bundle_components", args=[item.pk])))
    else:
        tabs.append((_("Stock"), f"{reverse('stock:moves')}?q={item.code}"))
    return tabs


def price_list_form(request):
    form = PriceListForm(request.POST or None)
    if request.method == "POST":
        saved = save_form(form, lambda data: services.create_price_list(**data))
        if saved is not None:
            return redirect(saved)
    return form_page(request, form, _("New price list"))


def price_list_detail(request, pk: int):
    price_list = get_object_or_404(PriceList, pk=pk)
    form = ItemPriceForm(request.POST or None)
    if request.method == "POST":
        saved = save_form(
            form,
            lambda data: services.set_item_price(
                price_list, data.pop("item"), data.pop("price"), **data
            ),
        )
        if saved is not None:
            messages.success(request, _("Price saved."))
            return redirect(price_list)
    prices = price_list.prices.select_related("item").order_by("item__code", "min_quantity")
    return render(
        request,
        "catalog/price_list_detail.html",
        {"price_list": price_list, "prices": prices, "form": form},
        status=400 if form.errors else 200,
    )


def item_options(request):
    """The options of an item picker: the active items whose name holds what is typed, whose
    code starts with it or whose barcode is it (a scanner types the barcode)."""
    term = request.GET.get("q", "").strip()
    items = Item.objects.filter(active=True)
    if request.GET.get("stocked"):  # goods kept in stock: not services
        items = items.exclude(kind=Item.Kind.SERVICE)
    if term:
        found = Q(code__istartswith=term) | Q(name__icontains=term)
        if term.isdigit():
            found |= Q(barcode=term)
        items = items.filter(found)
    fields = ("code", "name", "barcode", "sale_price")
    items = items.order_by("code").only(*fields)[:OPTIONS_LIMIT]
    return render(request, "catalog/item_options.html", {"items": items})


def bundle_components(request, pk: int):
    """What a bundle is made of."""
    bundle = get_object_or_404(Item, pk=pk, kind=Item.Kind.BUNDLE)
    current = "\n".join(
        f"{row.component.code};{row.quantity.normalize():f}"
        for row in bundle.components.select_related("component")
    )
    form = ComponentsForm(request.POST or None, initial={"components": current})
    if request.method == "POST":
        saved = save_form(
            form, lambda data: services.set_bundle_components(bundle, data["components"])
        )
        if saved is not None:
            messages.success(request, _("Components of %(code)s saved.") % {"code": bundle.code})
            return redirect("catalog:item", pk=bundle.pk)
    return form_page(
        request,
        form,
        _("Components of %(code)s") % {"code": bundle.code},
        back_url=bundle.get_absolute_url(),
    )
