"""Every change to item attributes, templates and their variants (re-exported by
``catalog.services``).

A variant is an ordinary item (documents, stock, imports and prices work on it unchanged)
pointing to its template, with one value per attribute of the template. Its sale price is
kept stored, as every item's: the template's sale price plus the variant's price difference,
written again whenever either changes, so that nothing else in Comptoir needs to know about
variants to price them.
"""

import itertools
from collections import Counter
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.catalog.models import (
    Item,
    ItemAttribute,
    ItemAttributeValue,
    TemplateAttribute,
    VariantValue,
)
from comptoir.catalog.queries import template_attributes
from comptoir.core import audit
from comptoir.core.errors import BusinessError, Refusals
from comptoir.core.identifiers import validate_barcode
from comptoir.core.money import MAX_PRICE, parse_decimal, round_price
from comptoir.core.validation import delete_or_refuse, full_clean_batch, full_clean_or_raise


class VariantError:
    """Stable codes of the refusals about variants."""

    NOT_A_TEMPLATE = "variant.not_a_template"
    IS_A_VARIANT = "variant.is_a_variant"
    ATTRIBUTES_FIXED = "variant.attributes_fixed"
    NO_ATTRIBUTES = "variant.no_attributes"
    UNKNOWN_VALUE = "variant.unknown_value"
    UNKNOWN_COMBINATION = "variant.unknown_combination"
    CODE_TAKEN = "variant.code_taken"
    BARCODE_TAKEN = "variant.barcode_taken"
    BAD_BARCODE = "variant.bad_barcode"
    PRICE_NEGATIVE = "variant.price_negative"
    PRICE_FROM_TEMPLATE = "variant.price_from_template"
    NOT_A_VARIANT = "variant.not_a_variant"


# Attributes ----------------------------------------------------------------------------------


def create_attribute(*, code: str, name: str, position: int = 0, values=()) -> ItemAttribute:
    """An attribute and its values, given as (code, label) pairs in their order."""
    with transaction.atomic():
        attribute = ItemAttribute(code=code, name=name, position=position)
        full_clean_or_raise(attribute)
        attribute.save()
        _add_values(attribute, values)
        audit.record([attribute], audit.CREATED)
        return attribute


def update_attribute(attribute: ItemAttribute, *, values=(), **fields) -> ItemAttribute:
    """Rename or move an attribute; ``values`` (code, label) adds the codes it lacks and
    relabels those it has (a value in use stays: variants' codes were made from it)."""
    with transaction.atomic():
        attribute = ItemAttribute.objects.select_for_update().get(pk=attribute.pk)
        for name in ("code", "name", "position"):
            if fields.get(name) is not None:
                setattr(attribute, name, fields[name])
        full_clean_or_raise(attribute)
        attribute.save()
        _add_values(attribute, values)
        return attribute


def delete_attribute(attribute: ItemAttribute) -> None:
    with transaction.atomic():
        delete_or_refuse(
            attribute,
            "attribute.in_use",
            _("The attribute %(name)s is used by models: it cannot be deleted.")
            % {"name": attribute.name},
        )


def _add_values(attribute: ItemAttribute, values) -> None:
    existing = {value.code: value for value in attribute.values.all()}
    new, changed = [], []
    for position, (code, label) in enumerate(values, start=len(existing)):
        code, label = str(code).strip(), str(label).strip()
        if code in existing:
            if existing[code].label != label:
                existing[code].label = label
                changed.append(existing[code])
            continue
        value = ItemAttributeValue(attribute=attribute, code=code, label=label, position=position)
        new.append(value)
        existing[code] = value
    full_clean_batch(new + changed, exclude=("attribute",))
    ItemAttributeValue.objects.bulk_create(new)
    ItemAttributeValue.objects.bulk_update(changed, ["label"])


# Templates and their grid ------------------------------------------------------------------


def set_template_attributes(item: Item, attributes: list[ItemAttribute]) -> Item:
    """Make the item a template varying on these attributes (the first makes the grid's rows).
    Its attributes are fixed once it has variants: each variant has a value of each."""
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item.pk)
        if item.is_variant:
            raise BusinessError(
                VariantError.IS_A_VARIANT,
                _("%(code)s is a variant: it cannot have variants itself.") % {"code": item.code},
                "attributes",
            )
        if not attributes:
            raise BusinessError(
                VariantError.NO_ATTRIBUTES,
                _("Choose what the variants differ by (size, colour…)."),
                "attributes",
            )
        if len({a.pk for a in attributes}) != len(attributes):
            raise BusinessError(
                VariantError.NO_ATTRIBUTES, _("An attribute is named twice."), "attributes"
            )
        current = list(item.template_attributes.values_list("attribute_id", flat=True))
        wanted = [a.pk for a in attributes]
        if current != wanted and item.variants.exists():
            raise BusinessError(
                VariantError.ATTRIBUTES_FIXED,
                _("%(code)s has variants already: what they differ by cannot change.")
                % {"code": item.code},
                "attributes",
            )
        item.template_attributes.all().delete()
        TemplateAttribute.objects.bulk_create(
            TemplateAttribute(template=item, attribute=attribute, position=position)
            for position, attribute in enumerate(attributes)
        )
        if not item.is_template:
            item.is_template = True
            item.save(update_fields=["is_template"])
        return item


def variant_key(values) -> str:
    return "-".join(str(pk) for pk in sorted(value.pk for value in values))


def _chosen_values(
    template: Item, choice: dict, attributes: list, where: str = "values"
) -> list[list]:
    """{attribute code: [value codes]} read into the values of each attribute, in order."""
    unknown = set(choice) - {a.code for a in attributes}
    if unknown:
        raise BusinessError(
            VariantError.UNKNOWN_VALUE,
            _("%(model)s does not vary by %(attribute)s.")
            % {"model": template.code, "attribute": sorted(unknown)[0]},
            where,
        )
    chosen = []
    for attribute in attributes:
        codes = [str(code) for code in choice.get(attribute.code) or []]
        if not codes:
            raise BusinessError(
                VariantError.NO_ATTRIBUTES,
                _("Choose at least one %(attribute)s.") % {"attribute": attribute.name.lower()},
                f"{where}.{attribute.code}",
            )
        by_code = {value.code: value for value in attribute.offered}
        missing = [code for code in codes if code not in by_code]
        if missing:
            raise BusinessError(
                VariantError.UNKNOWN_VALUE,
                _("%(attribute)s has no value %(value)s.")
                % {"attribute": attribute.name, "value": missing[0]},
                f"{where}.{attribute.code}",
            )
        chosen.append([by_code[code] for code in dict.fromkeys(codes)])
    return chosen


def generate_variants(template: Item, choice: dict) -> list[Item]:
    """The variants of every combination of the chosen values ({attribute code: [value
    codes]}) that the template lacks, inserted at once; those it has are left as they are,
    so generating twice creates nothing twice. Returns the variants created."""
    with transaction.atomic():
        template = Item.objects.select_for_update().get(pk=template.pk)
        _refuse_not_template(template)
        attributes = template_attributes(template)
        chosen = _chosen_values(template, choice, attributes)
        existing = set(template.variants.values_list("variant_key", flat=True))
        combinations = [
            combo for combo in itertools.product(*chosen) if variant_key(combo) not in existing
        ]
        variants = [_new_variant(template, combo) for combo in combinations]
        codes = [variant.code for variant in variants]
        taken = set(Item.objects.filter(code__in=codes).values_list("code", flat=True))
        if taken:
            raise BusinessError(
                VariantError.CODE_TAKEN,
                _("The code %(code)s is another item's: change that item's code first.")
                % {"code": sorted(taken)[0]},
                "values",
            )
        full_clean_batch(variants, exclude=("template",))
        created = Item.objects.bulk_create(variants)
        VariantValue.objects.bulk_create(
            VariantValue(variant=variant, attribute_id=value.attribute_id, value=value)
            for variant, combo in zip(created, combinations, strict=True)
            for value in combo
        )
        audit.record(created, audit.CREATED)
        return created


def _new_variant(template: Item, combo) -> Item:
    return Item(
        code="-".join([template.code, *(value.code for value in combo)])[:50],
        name=" ".join([template.name, *(value.label for value in combo)])[:200],
        description=template.description,
        kind=template.kind,
        unit_id=template.unit_id,
        group_id=template.group_id,
        sale_price=template.sale_price,
        cost_price=template.cost_price,
        tax_id=template.tax_id,
        lead_time_days=template.lead_time_days,
        template=template,
        variant_key=variant_key(combo),
    )


def _refuse_not_template(item: Item) -> None:
    if not item.is_template:
        raise BusinessError(
            VariantError.NOT_A_TEMPLATE,
            _("%(code)s has no variants: make it a model with attributes first.")
            % {"code": item.code},
            "template",
        )


GRID_FIELDS = ("code", "barcode", "price_extra", "active")


def update_variants(template: Item, changes: dict) -> list[Item]:
    """Edit the grid at once: {variant id: {code, barcode, price_extra, active}} (each field
    optional). Refused cells raise ``Refusals``, naming each ``variants.<id>.<field>``;
    nothing is saved then."""
    with transaction.atomic():
        template = Item.objects.select_for_update().get(pk=template.pk)
        _refuse_not_template(template)
        variants = {
            variant.pk: variant
            for variant in Item.objects.select_for_update().filter(
                template=template, pk__in=[int(pk) for pk in changes]
            )
        }
        for pk in changes:
            if int(pk) not in variants:
                raise BusinessError(
                    VariantError.NOT_A_VARIANT,
                    _("Item %(id)s is not a variant of %(code)s.")
                    % {"id": pk, "code": template.code},
                    f"variants.{pk}",
                )
        changed, errors = [], []
        for pk, fields in changes.items():
            variant = variants[int(pk)]
            errors += _apply_grid_fields(template, variant, fields, f"variants.{variant.pk}")
            changed.append(variant)
        refused = {error.field for error in errors}
        errors += [e for e in _taken_codes(changed) if e.field not in refused]
        if errors:
            raise Refusals(errors)
        Item.objects.bulk_update(changed, [*GRID_FIELDS, "sale_price"])
        audit.record(changed)
        return changed


def _apply_grid_fields(template: Item, variant: Item, fields: dict, where: str) -> list:
    """The cell's fields set on the variant; returns the errors of those refused."""
    errors = []
    if "code" in fields:
        variant.code = str(fields["code"] or "").strip()
        if not variant.code:
            errors.append(
                BusinessError(
                    VariantError.CODE_TAKEN, _("A variant needs a code."), f"{where}.code"
                )
            )
        elif len(variant.code) > 50:
            errors.append(
                BusinessError(
                    VariantError.CODE_TAKEN,
                    _("A code has at most 50 characters."),
                    f"{where}.code",
                )
            )
    if "barcode" in fields:
        variant.barcode = str(fields["barcode"] or "").strip().replace(" ", "")
        try:
            if variant.barcode:
                validate_barcode(variant.barcode)
        except ValidationError as error:
            errors.append(
                BusinessError(
                    VariantError.BAD_BARCODE, " ".join(error.messages), f"{where}.barcode"
                )
            )
    if "active" in fields:
        variant.active = bool(fields["active"])
    try:
        if "price_extra" in fields:
            raw = fields["price_extra"]
            raw = "0" if raw in (None, "") else raw
            variant.price_extra = round_price(
                parse_decimal(raw, field=f"{where}.price_extra", maximum=MAX_PRICE)
            )
        variant.sale_price = variant_price(
            template.sale_price, variant.price_extra, f"{where}.price_extra"
        )
    except BusinessError as error:
        errors.append(error)
    return errors


def variant_price(template_price: Decimal, extra: Decimal, field: str) -> Decimal:
    price = round_price(template_price + extra)
    if price < 0:
        raise BusinessError(
            VariantError.PRICE_NEGATIVE,
            _("With this difference the variant's price would be negative."),
            field,
        )
    return price


def _taken_codes(variants: list[Item]) -> list[BusinessError]:
    """A code, or a barcode, is one item's: not twice in the grid, nor another item's (a scan
    or an import by barcode must tell them apart). Returns each cell refused."""
    errors = []
    for name, code, twice, taken in (
        (
            "code",
            VariantError.CODE_TAKEN,
            _("The code %(code)s is given twice."),
            _("The code %(code)s is another item's."),
        ),
        (
            "barcode",
            VariantError.BARCODE_TAKEN,
            _("The barcode %(code)s is given twice."),
            _("The barcode %(code)s is another item's."),
        ),
    ):
        values = [getattr(variant, name) for variant in variants if getattr(variant, name)]
        counted = Counter(values)
        others = set(
            Item.objects.filter(**{f"{name}__in": values})
            .exclude(pk__in=[variant.pk for variant in variants])
            .values_list(name, flat=True)
        )
        for variant in variants:
            value = getattr(variant, name)
            where = f"variants.{variant.pk}.{name}"
            if value and counted[value] > 1:  # said in each of its cells
                errors.append(BusinessError(code, twice % {"code": value}, where))
            elif value in others:
                errors.append(BusinessError(code, taken % {"code": value}, where))
    return errors


def archive_variant(variant: Item) -> Item:
    """A variant no longer sold (its documents and stock stay)."""
    if not variant.is_variant:
        raise BusinessError(
            VariantError.NOT_A_VARIANT,
            _("%(code)s is not a variant.") % {"code": variant.code},
            "variant",
        )
    (archived,) = update_variants(variant.template, {variant.pk: {"active": False}})
    return archived


def reprice_variants(template: Item) -> list[Item]:
    """After the template's sale price changed: each variant's is the template's plus its
    difference. Called inside the template's update."""
    variants = list(template.variants.select_for_update())
    for variant in variants:
        variant.sale_price = variant_price(template.sale_price, variant.price_extra, "sale_price")
    Item.objects.bulk_update(variants, ["sale_price"])
    audit.record(variants)
    return variants


def find_variant(template: Item, choice: dict, where: str = "variant") -> Item:
    """The variant of the template with these values ({attribute code: value code}); an
    unknown combination is refused, naming what is offered."""
    if not template.is_template:
        raise BusinessError(
            VariantError.NOT_A_TEMPLATE,
            _("%(code)s has no variants.") % {"code": template.code},
            where,
        )
    attributes = template_attributes(template)
    chosen = _chosen_values(
        template, {code: [value] for code, value in choice.items()}, attributes, where
    )
    key = variant_key([values[0] for values in chosen])
    variant = template.variants.filter(variant_key=key).first()
    if variant is None:
        raise BusinessError(
            VariantError.UNKNOWN_COMBINATION,
            _("%(model)s does not exist in %(values)s.")
            % {
                "model": template.name,
                "values": ", ".join(values[0].label for values in chosen),
            },
            where,
        )
    return variant
