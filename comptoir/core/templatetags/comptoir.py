"""Template filters of the web UI: money, quantities and percentages in the user's locale."""

from decimal import InvalidOperation

from django import template
from django.utils.translation import get_language

from comptoir.core.money import format_amount, format_quantity

register = template.Library()


@register.filter
def money(value, currency="EUR"):
    """1 234,56 € in French, €1,234.56 in English."""
    if value is None or value == "":
        return ""
    try:
        return format_amount(value, currency)
    except (InvalidOperation, TypeError, ValueError):
        return value


@register.filter
def quantity(value):
    """A quantity without useless zeros: 3, 2,5, 0,125."""
    if value is None or value == "":
        return ""
    try:
        return format_quantity(value)
    except (InvalidOperation, TypeError, ValueError):
        return value


@register.filter
def percent(value):
    """20 % (with a no-break space) in French, 20% in English."""
    if value is None or value == "":
        return ""
    english = (get_language() or "fr").startswith("en")
    return f"{quantity(value)}{'' if english else chr(0xA0)}%"


@register.filter
def lookup(mapping, key):
    """mapping[key] in a template, or "" (e.g. the error of a field named in a variable)."""
    return (mapping or {}).get(key, "")


@register.simple_tag
def colon():
    """The colon after a label: ``Date :`` (with a no-break space) in French, ``Date:`` in
    English."""
    return ":" if (get_language() or "fr").startswith("en") else "\u00a0:"
