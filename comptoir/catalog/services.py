"""Every change to items and price lists."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.catalog.models import BundleComponent, Item, ItemPrice, PriceList
from comptoir.catalog.variants import (  # noqa: F401  (the catalogue's services, in one place)
    VariantError,
    archive_variant,
    create_attribute,
    delete_attribute,
    find_variant,
    generate_variants,
    reprice_variants,
    set_template_attributes,
    update_attribute,
    update_variants,
    variant_price,
)
from comptoir.core import audit
from comptoir.core.errors import BusinessError, InUse
from comptoir.core.money import MAX_QUANTITY, parse_decimal, round_quantity
from comptoir.core.validation import (
    create_validated,
    delete_or_refuse,
    full_clean_batch,
    full_clean_or_raise,
)
from comptoir.pricing.services import refuse_unusable_tax

ITEM_FIELDS = {
    "code",
    "name",
    "barcode",
    "description",
    "kind",
    "unit",
    "group",
    "sale_price",
    "cost_price",
    "tax",
    "lead_time_days",
    "weight",
    "active",
    "price_extra",
}


def _fields(row: dict) -> dict:
    """The item's fields of a row; a weight left blank weighs nothing."""
    fields = {k: v for k, v in row.items() if k in ITEM_FIELDS}
    if "weight" in fields and fields["weight"] in (None, ""):
        fields["weight"] = Decimal("0")
    return fields


def create_items(rows: list[dict]) -> list[Item]:
    with transaction.atomic():
        items = [Item(**_fields(row)) for row in rows]
        for tax in {item.tax for item in items if item.tax_id}:
            refuse_unusable_tax(tax, "tax")
        full_clean_batch(items, unique="code")
        created = Item.objects.bulk_create(items)
        audit.record(created, audit.CREATED)
        return created


def create_item(**fields) -> Item:
    return create_items([fields])[0]


def update_item(item: Item, **fields) -> Item:
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item.pk)
        tax_before, price_before = item.tax_id, item.sale_price
        for name, value in _fields(fields).items():
            setattr(item, name, value)
        if item.tax_id and item.tax_id != tax_before:
            refuse_unusable_tax(item.tax, "tax")
        _keep_variant_price(item, fields)
        full_clean_or_raise(item)
        item.save()
        if item.is_template and item.sale_price != price_before:
            reprice_variants(item)
        return item


def _keep_variant_price(item: Item, fields: dict) -> None:
    """A variant's sale price is its template's plus its difference: it changes through them."""
    if not item.is_variant:
        if item.price_extra:
            raise BusinessError(
                VariantError.NOT_A_VARIANT,
                _("Only a variant has a price difference."),
                "price_extra",
            )
        return
    wanted = item.sale_price
    item.sale_price = variant_price(item.template.sale_price, item.price_extra or 0, "price_extra")
    if "sale_price" in fields and wanted is not None and wanted != item.sale_price:
        raise BusinessError(
            VariantError.PRICE_FROM_TEMPLATE,
            _(
                "A variant's price is its model's price plus its price difference: change the "
                "difference."
            ),
            "sale_price",
        )


def create_price_list(**fields) -> PriceList:
    with transaction.atomic():
        return create_validated(PriceList, **fields)


def set_item_price(price_list: PriceList, item: Item, price, **fields) -> ItemPrice:
    with transaction.atomic():
        return create_validated(ItemPrice, price_list=price_list, item=item, price=price, **fields)


def delete_item(item: Item) -> None:
    with transaction.atomic():
        if item.variants.exists():
            raise InUse(
                "item.has_variants",
                _("%(code)s has variants: delete or deactivate them first.") % {"code": item.code},
            )
        delete_or_refuse(
            item,
            "item.in_use",
            _("Item %(code)s is on documents: deactivate it instead.") % {"code": item.code},
        )


def delete_item_price(item_price: ItemPrice) -> None:
    with transaction.atomic():
        item_price.delete()


def set_bundle_components(bundle: Item, components: list[tuple[Item, object]]) -> list:
    """What a bundle is made of: (component, quantity per bundle), replacing what it was."""
    with transaction.atomic():
        bundle = Item.objects.select_for_update().get(pk=bundle.pk)
        if not bundle.is_bundle:
            raise BusinessError(
                "item.not_a_bundle", _("%(code)s is not a bundle.") % {"code": bundle.code}, "kind"
            )
        rows = []
        for index, (component, raw) in enumerate(components):
            where = f"components[{index}]"
            quantity = round_quantity(
                parse_decimal(raw, field=f"{where}.quantity", maximum=MAX_QUANTITY)
            )
            if component.kind != Item.Kind.GOODS or component.pk == bundle.pk:
                raise BusinessError(
                    "item.bad_component",
                    _("A bundle is made of goods: %(code)s cannot be one of its components.")
                    % {"code": component.code},
                    f"{where}.item",
                )
            if quantity <= 0:
                raise BusinessError(
                    "item.bad_component",
                    _("A component's quantity must be greater than zero."),
                    f"{where}.quantity",
                )
            rows.append(BundleComponent(bundle=bundle, component=component, quantity=quantity))
        if len({row.component_id for row in rows}) != len(rows):
            raise BusinessError(
                "item.bad_component", _("A component is named twice."), "components"
            )
        bundle.components.all().delete()
        return BundleComponent.objects.bulk_create(rows)
