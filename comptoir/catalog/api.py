from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from comptoir.catalog import services
from comptoir.catalog.models import Item, ItemAttribute, ItemGroup, ItemPrice, PriceList, Unit
from comptoir.catalog.schemas import (
    AttributeIn,
    AttributeOut,
    AttributePatch,
    ComponentIn,
    ComponentOut,
    GridIn,
    ItemFilter,
    ItemIn,
    ItemOut,
    ItemPatch,
    ItemPriceIn,
    ItemPriceOut,
    PriceListIn,
    PriceListOut,
    TemplateAttributesIn,
    UnitOut,
    VariantOut,
    VariantPatch,
)
from comptoir.core.schemas import ERRORS, ErrorOut, Id, NamedOut
from comptoir.pricing.documents import find_by_id_or_code
from comptoir.pricing.models import Tax

router = Router(tags=["items"])


def _resolve(data: dict) -> dict:
    """Codes in the payload (unit, tax) turned into rows."""
    if data.get("unit") is not None:
        data["unit"] = find_by_id_or_code(Unit, data["unit"], _("Unit"), "unit")
    if data.get("tax") is not None:
        data["tax"] = find_by_id_or_code(Tax, data["tax"], _("Tax"), "tax")
    return data


def _item(pk: int) -> Item:
    return get_object_or_404(Item.objects.select_related("unit", "tax"), pk=pk)


@router.get("/items", response=list[ItemOut])
@paginate
def list_items(request, filters: Query[ItemFilter]):
    return filters.filter(Item.objects.select_related("unit", "tax").order_by("code"))


@router.post("/items", response={201: ItemOut, **ERRORS})
def create_item(request, payload: ItemIn):
    item = services.create_item(**_resolve(payload.dict()))
    return Status(201, _item(item.pk))


@router.get("/items/{item_id}", response={200: ItemOut, 404: ErrorOut})
def get_item(request, item_id: Id):
    return _item(item_id)


@router.patch("/items/{item_id}", response={200: ItemOut, **ERRORS})
def update_item(request, item_id: Id, payload: ItemPatch):
    services.update_item(_item(item_id), **_resolve(payload.dict(exclude_unset=True)))
    return _item(item_id)


@router.get("/items/{item_id}/components", response={200: list[ComponentOut], 404: ErrorOut})
def get_components(request, item_id: Id):
    return _item(item_id).components.select_related("component")


@router.put("/items/{item_id}/components", response={200: list[ComponentOut], **ERRORS})
def set_components(request, item_id: Id, payload: list[ComponentIn]):
    """What a bundle is made of (replaces its components)."""
    components = [
        (find_by_id_or_code(Item, row.item, _("Item"), f"components[{index}].item"), row.quantity)
        for index, row in enumerate(payload)
    ]
    services.set_bundle_components(_item(item_id), components)
    return _item(item_id).components.select_related("component")


@router.delete("/items/{item_id}", response={204: None, **ERRORS})
def delete_item(request, item_id: Id):
    services.delete_item(get_object_or_404(Item, pk=item_id))
    return Status(204, None)


@router.get("/units", response=list[UnitOut])
def list_units(request):
    return Unit.objects.all()


@router.get("/item-groups", response=list[NamedOut])
def list_item_groups(request):
    return ItemGroup.objects.all()


@router.get("/price-lists", response=list[PriceListOut], tags=["price lists"])
def list_price_lists(request):
    return PriceList.objects.all()


@router.post("/price-lists", response={201: PriceListOut, **ERRORS}, tags=["price lists"])
def create_price_list(request, payload: PriceListIn):
    return Status(201, services.create_price_list(**payload.dict()))


@router.post(
    "/price-lists/{price_list_id}/prices",
    response={201: ItemPriceOut, **ERRORS},
    tags=["price lists"],
)
def set_item_price(request, price_list_id: Id, payload: ItemPriceIn):
    price_list = get_object_or_404(PriceList, pk=price_list_id)
    data = payload.dict()
    item = find_by_id_or_code(Item, data.pop("item"), _("Item"), "item")
    return Status(201, services.set_item_price(price_list, item, **data))


@router.get(
    "/price-lists/{price_list_id}/prices", response=list[ItemPriceOut], tags=["price lists"]
)
@paginate
def list_item_prices(request, price_list_id: Id, item_id: Id | None = None):
    prices = ItemPrice.objects.filter(price_list_id=price_list_id).order_by(
        "item_id", "min_quantity"
    )
    return prices.filter(item_id=item_id) if item_id else prices


@router.delete(
    "/price-lists/{price_list_id}/prices/{price_id}",
    response={204: None, **ERRORS},
    tags=["price lists"],
)
def delete_item_price(request, price_list_id: Id, price_id: Id):
    services.delete_item_price(
        get_object_or_404(ItemPrice, pk=price_id, price_list_id=price_list_id)
    )
    return Status(204, None)


# Variants ------------------------------------------------------------------------------------


def _attribute(pk: int) -> ItemAttribute:
    return get_object_or_404(ItemAttribute.objects.prefetch_related("values"), pk=pk)


def _variants(template: Item):
    return (
        template.variants.select_related("unit", "tax")
        .prefetch_related("variant_values__attribute", "variant_values__value")
        .order_by("code")
    )


@router.get("/item-attributes", response=list[AttributeOut], tags=["variants"])
def list_attributes(request):
    return ItemAttribute.objects.prefetch_related("values")


@router.post("/item-attributes", response={201: AttributeOut, **ERRORS}, tags=["variants"])
def create_attribute(request, payload: AttributeIn):
    data = payload.dict()
    values = [(value["code"], value["label"]) for value in data.pop("values")]
    attribute = services.create_attribute(**data, values=values)
    return Status(201, _attribute(attribute.pk))


@router.get(
    "/item-attributes/{attribute_id}",
    response={200: AttributeOut, 404: ErrorOut},
    tags=["variants"],
)
def get_attribute(request, attribute_id: Id):
    return _attribute(attribute_id)


@router.patch(
    "/item-attributes/{attribute_id}", response={200: AttributeOut, **ERRORS}, tags=["variants"]
)
def update_attribute(request, attribute_id: Id, payload: AttributePatch):
    data = payload.dict(exclude_unset=True)
    values = [(value["code"], value["label"]) for value in data.pop("values", [])]
    services.update_attribute(_attribute(attribute_id), values=values, **data)
    return _attribute(attribute_id)


@router.delete("/item-attributes/{attribute_id}", response={204: None, **ERRORS}, tags=["variants"])
def delete_attribute(request, attribute_id: Id):
    services.delete_attribute(_attribute(attribute_id))
    return Status(204, None)


@router.put("/items/{item_id}/attributes", response={200: ItemOut, **ERRORS}, tags=["variants"])
def set_template_attributes(request, item_id: Id, payload: TemplateAttributesIn):
    """Make the item a model whose variants differ by these attributes."""
    attributes = [
        find_by_id_or_code(ItemAttribute, code, _("Attribute"), f"attributes[{index}]")
        for index, code in enumerate(payload.attributes)
    ]
    services.set_template_attributes(_item(item_id), attributes)
    return _item(item_id)


@router.get(
    "/items/{item_id}/variants", response={200: list[VariantOut], 404: ErrorOut}, tags=["variants"]
)
def list_variants(request, item_id: Id):
    return _variants(_item(item_id))


@router.post(
    "/items/{item_id}/variants", response={201: list[VariantOut], **ERRORS}, tags=["variants"]
)
def generate_variants(request, item_id: Id, payload: GridIn):
    """Create the variants of every combination of the values given that the model lacks
    (those it has are left as they are); answers the variants created."""
    template = _item(item_id)
    created = services.generate_variants(template, payload.values)
    return Status(201, _variants(template).filter(pk__in=[item.pk for item in created]))


@router.patch(
    "/items/{item_id}/variants/{variant_id}",
    response={200: VariantOut, **ERRORS},
    tags=["variants"],
)
def update_variant(request, item_id: Id, variant_id: Id, payload: VariantPatch):
    template = _item(item_id)
    get_object_or_404(Item, pk=variant_id, template=template)
    services.update_variants(template, {variant_id: payload.dict(exclude_unset=True)})
    return _variants(template).get(pk=variant_id)
