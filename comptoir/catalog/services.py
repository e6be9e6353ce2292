"""Every change to items and price lists."""

from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.catalog.models import Item, ItemPrice, PriceList
from comptoir.core.validation import (
    create_validated,
    delete_or_refuse,
    full_clean_batch,
    full_clean_or_raise,
)

ITEM_FIELDS = {
    "code",
    "name",
    "description",
    "kind",
    "unit",
    "group",
    "sale_price",
    "cost_price",
    "tax",
    "active",
}


def create_items(rows: list[dict]) -> list[Item]:
    with transaction.atomic():
        items = [Item(**{k: v for k, v in row.items() if k in ITEM_FIELDS}) for row in rows]
        full_clean_batch(items, unique="code")
        return Item.objects.bulk_create(items)


def create_item(**fields) -> Item:
    return create_items([fields])[0]


def update_item(item: Item, **fields) -> Item:
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item.pk)
        for name, value in fields.items():
            if name in ITEM_FIELDS:
                setattr(item, name, value)
        full_clean_or_raise(item)
        item.save()
        return item


def create_price_list(**fields) -> PriceList:
    with transaction.atomic():
        return create_validated(PriceList, **fields)


def set_item_price(price_list: PriceList, item: Item, price, **fields) -> ItemPrice:
    with transaction.atomic():
        return create_validated(ItemPrice, price_list=price_list, item=item, price=price, **fields)


def delete_item(item: Item) -> None:
    with transaction.atomic():
        delete_or_refuse(
            item,
            "item.in_use",
            _("Item %(code)s is on documents: deactivate it instead.") % {"code": item.code},
        )


def delete_item_price(item_price: ItemPrice) -> None:
    with transaction.atomic():
        item_price.delete()
