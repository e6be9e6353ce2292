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
