"""Template filters of the web UI: money, quantities and percentages in the user's locale."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats
from django.utils.translation import get_language

register = template.Library()

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF"}


def _number(value, places: int) -> str:
    return formats.number_format(Decimal(value), places, use_l10n=True, force_grouping=True)


@register.filter
def money(value, currency="EUR"):
    """1 234,56 € in French, €1,234.56 in English."""
    if value is None or value == "":
        return ""
    try:
        text = _number(value, 2)
    except (InvalidOperation, TypeError, ValueError):
        return value
    symbol = SYMBOLS.get(currency or "EUR", currency)
    if (get_language() or "fr").startswith("en"):
        return f"-{symbol}{text[1:]}" if text.startswith("-") else f"{symbol}{text}"
    return f"{text}\u00a0{symbol}"


@register.filter
def quantity(value):
    """A quantity without useless zeros: 3, 2,5, 0,125."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(value).normalize()
    except (InvalidOperation, TypeError, ValueError):
        return value
    places = max(-number.as_tuple().exponent, 0)
    return _number(number, places)


@register.filter
def percent(value):
    if value is None or value == "":
        return ""
    return f"{quantity(value)}\u00a0%"


@register.filter
def lookup(mapping, key):
    """mapping[key] in a template, or "" (e.g. the error of a field named in a variable)."""
    return (mapping or {}).get(key, "")
