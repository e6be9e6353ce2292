"""Numbers typed the way people write them, and the way Comptoir prints them."""

from decimal import Decimal

import pytest
from django.utils import translation

from comptoir.core.errors import BusinessError
from comptoir.core.forms import NumberField
from comptoir.core.money import parse_decimal


@pytest.mark.parametrize(
    ("typed", "language", "number"),
    [
        ("5 000,00", "fr", "5000.00"),
        ("5\u00a0000,00", "fr", "5000.00"),  # no-break space, as Comptoir prints amounts
        ("5\u202f000,00", "fr", "5000.00"),  # narrow no-break space
        ("5 000,00 €", "fr", "5000.00"),
        ("−1 234,50", "fr", "-1234.50"),
        ("12,5", "fr", "12.5"),
        ("12.5", "fr", "12.5"),  # a French keypad types a dot
        ("1.234", "fr", "1.234"),  # a lone dot is a decimal mark, in French too
        ("1,234", "fr", "1.234"),
        ("1.234,56", "fr", "1234.56"),
        ("1.234.567", "fr", "1234567"),
        ("1,234.50", "en", "1234.50"),
        ("€1,234.50", "en", "1234.50"),
        ("1,234", "en", "1234"),  # an English comma groups thousands
        ("1,234,567", "en", "1234567"),
        ("12,5", "en", "12.5"),  # … but a comma before one digit can only be a decimal one
        ("0,125", "en", "0.125"),
        ("1 234.5", "en", "1234.5"),
    ],
)
def test_numbers_are_read_as_people_type_them(typed, language, number):
    assert parse_decimal(typed, language=language) == Decimal(number)


@pytest.mark.parametrize("typed", ["deux", "1.2.3", "12 34", "1,23,4", "5 000,00 $", "", "  "])
def test_what_is_not_a_number_is_refused_clearly(typed):
    with pytest.raises(BusinessError) as refused:
        parse_decimal(typed, field="amount", language="fr")
    assert refused.value.code == "invalid_number"
    assert refused.value.field == "amount"


def test_the_form_field_reads_in_the_pages_language():
    field = NumberField(max_digits=14, decimal_places=2)
    with translation.override("fr"):
        assert field.clean("5\u202f000,00 €") == Decimal("5000.00")
        assert field.clean("1,23") == Decimal("1.23")
    with translation.override("en"):
        assert field.clean("1,234.50") == Decimal("1234.50")
        assert 'inputmode="decimal"' in field.widget.render("amount", "")
