"""Template filters of the catalogue: a unit as the user reads it, never its UN/ECE code."""

from decimal import Decimal, InvalidOperation

from django import template
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils.translation import get_language, npgettext

from comptoir.catalog.models import Unit

register = template.Library()

CACHE_KEY = "comptoir:unit-names"


def unit_names() -> dict[str, str]:
    """{code: name} of every unit; a minute at most in the cache (a page lists many lines)."""
    names = cache.get(CACHE_KEY)
    if names is None:
        names = dict(Unit.objects.values_list("code", "name"))
        cache.set(CACHE_KEY, names, 60)
    return names


def _forget(**kwargs) -> None:
    cache.delete(CACHE_KEY)


post_save.connect(_forget, sender=Unit, dispatch_uid="catalog-unit-names-saved")
post_delete.connect(_forget, sender=Unit, dispatch_uid="catalog-unit-names-deleted")


# The units Comptoir ships (``pricing.reference_data.UNITS``), by code: the French name they
# are stored under, and their word in the reader's language while the company keeps that name.
SHIPPED_UNITS = {
    "C62": ("Unité", lambda n: npgettext("after a quantity", "unit", "units", n)),
    "HUR": ("Heure", lambda n: npgettext("after a quantity", "hour", "hours", n)),
    "DAY": ("Jour", lambda n: npgettext("after a quantity", "day", "days", n)),
    "KGM": ("Kilogramme", lambda n: npgettext("after a quantity", "kilogram", "kilograms", n)),
    "MTR": ("Mètre", lambda n: npgettext("after a quantity", "metre", "metres", n)),
    "LTR": ("Litre", lambda n: npgettext("after a quantity", "litre", "litres", n)),
    "SET": ("Lot", lambda n: npgettext("after a quantity", "set", "sets", n)),
}


@register.filter
def unit_name(code: str, quantity=None) -> str:
    """``C62`` → ``unité``: the unit's name, lower-cased as it follows a quantity, and in the
    plural as the reader's language writes it (``3 unités``, ``1,5 heure``; ``1.5 hours``)."""
    name = unit_names().get(code or "", code or "")
    try:
        number = abs(Decimal(quantity)) if quantity is not None else Decimal(1)
    except (InvalidOperation, TypeError, ValueError):
        number = Decimal(1)
    english = (get_language() or "fr").startswith("en")
    plural = number != 1 if english else number >= 2
    shipped = SHIPPED_UNITS.get(code or "")
    if shipped is not None and shipped[0] == name:
        return shipped[1](2 if plural else 1)
    name = name[:1].lower() + name[1:] if name[1:2].islower() else name
    if plural and name[1:2].islower() and " " not in name and name[-1:] not in "sxz":
        return name + "s"
    return name
