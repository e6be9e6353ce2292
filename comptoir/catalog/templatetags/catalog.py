"""Template filters of the catalogue: a unit as the user reads it, never its UN/ECE code."""

from decimal import Decimal, InvalidOperation

from django import template
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

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


@register.filter
def unit_name(code: str, quantity=None) -> str:
    """``C62`` → ``unité``: the unit's name, lower-cased as it follows a quantity, and in the
    plural from 2 on as French writes it (``3 unités``, ``2 heures``)."""
    name = unit_names().get(code or "", code or "")
    name = name[:1].lower() + name[1:] if name[1:2].islower() else name
    try:
        plural = quantity is not None and abs(Decimal(quantity)) >= 2
    except (InvalidOperation, TypeError, ValueError):
        plural = False
    if plural and name[1:2].islower() and " " not in name and name[-1:] not in "sxz":
        return name + "s"
    return name
