"""Read-side queries on items."""


def bundle_components(item_ids) -> dict[int, list]:
    """The components of the bundles among these items: {bundle id: [(component, quantity)]}."""
    from comptoir.catalog.models import BundleComponent

    found: dict[int, list] = {}
    for row in BundleComponent.objects.filter(bundle_id__in=item_ids).select_related(
        "component__unit"
    ):
        found.setdefault(row.bundle_id, []).append((row.component, row.quantity))
    return found
