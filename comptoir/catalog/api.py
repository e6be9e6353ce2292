from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from comptoir.catalog import services
from comptoir.catalog.models import Item, ItemGroup, PriceList, Unit
from comptoir.catalog.schemas import (
    ItemFilter,
    ItemIn,
    ItemOut,
    ItemPatch,
    ItemPriceIn,
    ItemPriceOut,
    NamedOut,
    PriceListIn,
    PriceListOut,
    UnitOut,
)
from comptoir.core.schemas import ErrorOut
from comptoir.pricing.documents import find_by_id_or_code
from comptoir.pricing.models import Tax

router = Router(tags=["items"])
ERRORS = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _resolve(data: dict) -> dict:
    """Codes in the payload (unit, tax) turned into rows."""
    if data.get("unit") is not None:
        data["unit"] = find_by_id_or_code(Unit, data["unit"], _("Unit"), "unit")
    if data.get("tax") is not None:
        data["tax"] = find_by_id_or_code(Tax, data["tax"], _("Tax"), "tax")
    return data


@router.get("/items", response=list[ItemOut])
@paginate
def list_items(request, filters: Query[ItemFilter]):
    return filters.filter(Item.objects.select_related("unit", "tax").order_by("code"))


@router.post("/items", response={201: ItemOut, **ERRORS})
def create_item(request, payload: ItemIn):
    return Status(201, services.create_item(**_resolve(payload.dict())))


@router.get("/items/{item_id}", response={200: ItemOut, 404: ErrorOut})
def get_item(request, item_id: int):
    return get_object_or_404(Item.objects.select_related("unit", "tax"), pk=item_id)


@router.patch("/items/{item_id}", response={200: ItemOut, **ERRORS})
def update_item(request, item_id: int, payload: ItemPatch):
    item = get_object_or_404(Item, pk=item_id)
    return services.update_item(item, **_resolve(payload.dict(exclude_unset=True)))


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
def set_item_price(request, price_list_id: int, payload: ItemPriceIn):
    price_list = get_object_or_404(PriceList, pk=price_list_id)
    data = payload.dict()
    item = find_by_id_or_code(Item, data.pop("item"), _("Item"), "item")
    return Status(201, services.set_item_price(price_list, item, **data))
