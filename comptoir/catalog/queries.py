"""Read-side queries on items."""

from decimal import Decimal


def bundle_components(item_ids) -> dict[int, list]:
    """The components of the bundles among these items: {bundle id: [(component, quantity)]}."""
    from comptoir.catalog.models import BundleComponent

    found: dict[int, list] = {}
    for row in BundleComponent.objects.filter(bundle_id__in=item_ids).select_related(
        "component__unit"
    ):
        found.setdefault(row.bundle_id, []).append((row.component, row.quantity))
    return found


def stocked_parts(items) -> dict[int, list]:
    """What moves in stock for each of these items: a bundle's components, or the item itself
    ({item id: [(item, quantity per unit)]})."""
    one = Decimal("1")
    bundles = bundle_components({item.pk for item in items if item.is_bundle})
    return {item.pk: bundles.get(item.pk) or [(item, one)] for item in items}


def template_attributes(template) -> list:
    """The attributes of a template in their order, each with its values at hand."""
    from comptoir.catalog.models import ItemAttributeValue

    rows = template.template_attributes.select_related("attribute").order_by("position", "pk")
    attributes = [row.attribute for row in rows]
    values: dict[int, list] = {}
    for value in ItemAttributeValue.objects.filter(attribute__in=attributes):
        values.setdefault(value.attribute_id, []).append(value)
    for attribute in attributes:
        attribute.offered = values.get(attribute.pk, [])
    return attributes


def variant_layout(template, variants: list, attributes: list | None = None) -> dict:
    """Where each of these variants of the template sits: a table of rows × columns when the
    template varies on two attributes (the first down, the second across), else a plain list.
    ``rows`` holds (value, [variant or None per column]); ``labels`` each variant's values."""
    from comptoir.catalog.models import VariantValue

    if attributes is None:
        attributes = template_attributes(template)
    chosen: dict[int, dict[int, object]] = {}
    for row in VariantValue.objects.filter(variant__in=variants).select_related("value"):
        chosen.setdefault(row.variant_id, {})[row.attribute_id] = row.value
    labels = {
        variant.pk: " · ".join(
            str(chosen.get(variant.pk, {})[a.pk])
            for a in attributes
            if a.pk in chosen.get(variant.pk, {})
        )
        for variant in variants
    }
    layout = {"attributes": attributes, "labels": labels, "rows": [], "columns": []}
    if len(attributes) != 2:
        return layout
    down, across = attributes
    by_pair = {
        (values[down.pk].pk, values[across.pk].pk): variant
        for variant in variants
        if down.pk in (values := chosen.get(variant.pk, {})) and across.pk in values
    }
    used_down, used_across = {p[0] for p in by_pair}, {p[1] for p in by_pair}
    layout["columns"] = [value for value in across.offered if value.pk in used_across]
    layout["rows"] = [
        (value, [by_pair.get((value.pk, column.pk)) for column in layout["columns"]])
        for value in down.offered
        if value.pk in used_down
    ]
    layout["down"], layout["across"] = down, across
    return layout
