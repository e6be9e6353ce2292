"""Money, prices and quantities as Decimal, with the one rounding rule (half up)."""

import functools
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from comptoir.core.errors import BusinessError, CoreError

AMOUNT_PLACES = Decimal("0.01")
PRICE_PLACES = Decimal("0.0001")
QUANTITY_PLACES = Decimal("0.001")
ZERO = Decimal("0.00")
HUNDRED = Decimal("100")

# Largest values the columns hold (12 integer digits for amounts, 10 for quantities).
MAX_AMOUNT = Decimal("999999999999.99")
MAX_PRICE = Decimal("999999999999.9999")
MAX_QUANTITY = Decimal("9999999999.999")


def round_amount(value) -> Decimal:
    return Decimal(value).quantize(AMOUNT_PLACES, rounding=ROUND_HALF_UP)


def round_price(value) -> Decimal:
    return Decimal(value).quantize(PRICE_PLACES, rounding=ROUND_HALF_UP)


def round_quantity(value) -> Decimal:
    return Decimal(value).quantize(QUANTITY_PLACES, rounding=ROUND_HALF_UP)


CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF"}


@functools.cache
def _marks(language: str | None) -> tuple[str, str] | None:
    """The decimal mark and the thousands mark of a language; None when it does not group
    by threes (left to Django's general formatting)."""
    get = functools.partial(formats.get_format, lang=language, use_l10n=True)
    if get("NUMBER_GROUPING") != 3:
        return None
    return get("DECIMAL_SEPARATOR"), get("THOUSAND_SEPARATOR")


def _grouped(value: Decimal, places: int) -> str:
    """``value`` with ``places`` decimals (cut, not rounded) and its thousands grouped, as
    Django's number_format writes it; on every list row, so without its per-call lookups."""
    marks = _marks(get_language())
    _sign, digits, exponent = value.as_tuple()
    if marks is None or not isinstance(exponent, int) or len(digits) - exponent > 200:
        return formats.number_format(value, places, use_l10n=True, force_grouping=True)
    if abs(value) < Decimal(1).scaleb(-max(places, 1)):
        value = Decimal(0)  # nothing shows in the places kept: no "-0,00"
    text = f"{value:f}"
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _dot, fraction = text.partition(".")
    fraction = fraction[:places].ljust(places, "0")
    grouped = f"{int(whole):,}".replace(",", marks[1])
    return f"{sign}{grouped}{marks[0]}{fraction}" if places else f"{sign}{grouped}"


def _places(value: Decimal) -> int:
    """The decimal places a number needs (none of its trailing zeros)."""
    return max(-value.normalize().as_tuple().exponent, 0)


def format_amount(value, currency: str = "EUR") -> str:
    """An amount with its currency, in the active language: `8 829,88 €` in French, `€8,829.88`
    in English. Two decimals, up to four when the amount has them (a unit price of 0,0333 €)."""
    number = Decimal(value)
    text = _grouped(number, min(max(_places(number), 2), 4))
    symbol = CURRENCY_SYMBOLS.get(currency or "EUR", currency)
    if (get_language() or "fr").startswith("en"):
        return f"-{symbol}{text[1:]}" if text.startswith("-") else f"{symbol}{text}"
    return f"{text}\u00a0{symbol}"


def amount_as_typed(value) -> str:
    """An amount as it is typed in a form's field, in the active language: `2,50`, `1250,00`;
    two decimals, up to four as ``format_amount``, no grouping and no currency."""
    number = Decimal(value)
    return formats.number_format(number, min(max(_places(number), 2), 4), use_l10n=True)


def format_quantity(value, *, grouped: bool = True) -> str:
    """A quantity (or any plain number), in the active language, without useless zeros:
    `25`, `12,5`, `1 250` in French; `12.5`, `1,250` in English. Not ``grouped``: as it is
    typed in a form's field, `1250,5`."""
    number = Decimal(value)
    if not grouped:
        return formats.number_format(number.normalize(), _places(number), use_l10n=True)
    return _grouped(number, _places(number))


# Thousands grouped by one kind of mark: 1 234 567 · 1.234.567 · 1,234,567.
GROUPED = re.compile(r"[1-9]\d{0,2}(?:(?P<mark>[ .,])\d{3})(?:(?P=mark)\d{3})*")


def plain_number(text: str, language: str | None = None) -> str:
    """A number typed the way people write it, as Decimal reads it; unchanged when it is not one.

    Spaces of any kind (U+00A0, U+202F…) group thousands, a euro sign is left out, and the
    decimal mark is the last comma or dot: ``5 000,00 €``, ``1.234,5``, ``1,234.50``, ``12.5``.
    A lone mark is the decimal mark, comma or dot alike (a French keypad types a dot, so
    ``1.234`` is 1,234 in French), except in English a comma that groups (``1,234`` is 1234).
    A mark seen twice only groups (``1.234.567``).
    """
    text = re.sub(r"\s+", " ", text.replace("\u2212", "-").replace("€", "")).strip()
    sign = ""
    if text[:1] in "+-":
        sign, text = text[0], text[1:].strip()
    marks = [c for c in text if c in ".,"]
    decimal = marks[-1] if marks and marks.count(marks[-1]) == 1 else ""
    english = (language or "").startswith("en")
    if decimal == "," and english and "." not in marks and GROUPED.fullmatch(text):
        decimal = ""
    integer, __, fraction = text.rpartition(decimal) if decimal else (text, "", "")
    if not (integer or fraction) or (fraction and not fraction.isdigit()):
        return text
    if integer and not (integer.isdigit() or GROUPED.fullmatch(integer)):
        return text
    digits = re.sub(r"[ .,]", "", integer) or "0"
    return f"{sign}{digits}.{fraction}" if fraction else f"{sign}{digits}"


def parse_decimal(
    value, *, field: str | None = None, maximum: Decimal | None = None, language: str | None = None
) -> Decimal:
    """Read a user-given number (str, int or Decimal; never float) or refuse it clearly; text is
    read as people type it in ``language`` (the active one by default), see ``plain_number``."""
    if isinstance(value, float):
        value = repr(value)
    typed = value
    if isinstance(value, str):
        if not value.strip():
            raise BusinessError(CoreError.INVALID_NUMBER, _("Type a number."), field)
        value = plain_number(value, language or get_language())
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise BusinessError(
            CoreError.INVALID_NUMBER, _("“%(value)s” is not a number.") % {"value": typed}, field
        ) from None
    if not number.is_finite():
        raise BusinessError(
            CoreError.INVALID_NUMBER, _("“%(value)s” is not a number.") % {"value": typed}, field
        )
    if maximum is not None and abs(number) > maximum:
        raise BusinessError(
            CoreError.NUMBER_TOO_LARGE,
            _("%(value)s is larger than %(maximum)s.")
            % {"value": typed, "maximum": format_quantity(maximum)},
            field,
        )
    return number


class NumberModelField(models.DecimalField):
    """A DecimalField whose form field reads numbers as people type them
    (``core.forms.NumberField``); migrations see a plain DecimalField."""

    def formfield(self, **kwargs):
        from comptoir.core.forms import NumberField

        return super().formfield(**{"form_class": NumberField, **kwargs})

    def deconstruct(self):
        name, __, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs


def AmountField(*args, **kwargs) -> models.DecimalField:
    kwargs.setdefault("default", ZERO)
    field = NumberModelField(*args, max_digits=14, decimal_places=2, **kwargs)
    field.is_money = True  # shown only to who may see prices (comptoir.core.access)
    return field


def PriceField(*args, **kwargs) -> models.DecimalField:
    kwargs.setdefault("default", Decimal("0"))
    field = NumberModelField(*args, max_digits=16, decimal_places=4, **kwargs)
    field.is_money = True
    return field


def QuantityField(*args, **kwargs) -> models.DecimalField:
    kwargs.setdefault("default", Decimal("0"))
    return NumberModelField(*args, max_digits=13, decimal_places=3, **kwargs)


def RateField(*args, **kwargs) -> models.DecimalField:
    """A percentage such as a VAT rate or a discount: 0.00 to 100.00."""
    kwargs.setdefault("default", Decimal("0"))
    return NumberModelField(*args, max_digits=5, decimal_places=2, **kwargs)
