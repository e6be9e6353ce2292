"""Amounts and quantities are written as the reader's language writes them, and read as
people type them (the way Comptoir prints them too)."""

from decimal import Decimal

import pytest
from django.utils import translation

from comptoir.core.errors import BusinessError
from comptoir.core.forms import NumberField
from comptoir.core.money import format_amount, format_quantity, parse_decimal

D = Decimal
NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "currency", "french", "english"),
    [
        (D("8829.88"), "EUR", "8 829,88 €", "€8,829.88"),
        (D("1234567.5"), "EUR", "1 234 567,50 €", "€1,234,567.50"),
        (D("-5"), "EUR", "-5,00 €", "-€5.00"),
        (D("0.0333"), "EUR", "0,0333 €", "€0.0333"),  # a unit price keeps its digits
        (D("45.0000"), "EUR", "45,00 €", "€45.00"),
        (D("12.50"), "USD", "12,50 $", "$12.50"),
    ],
)
def test_an_amount_in_french_and_in_english(value, currency, french, english):
    with translation.override("fr"):
        assert format_amount(value, currency) == french.replace(" ", NBSP)
    with translation.override("en"):
        assert format_amount(value, currency) == english


@pytest.mark.parametrize(
    ("value", "french", "english"),
    [
        (D("25.000"), "25", "25"),
        (D("12.500"), "12,5", "12.5"),
        (D("0.125"), "0,125", "0.125"),
        (D("1250"), "1 250", "1,250"),
        (D("100"), "100", "100"),
        (20, "20", "20"),
    ],
)
def test_a_quantity_in_french_and_in_english(value, french, english):
    with translation.override("fr"):
        assert format_quantity(value) == french.replace(" ", NBSP)
    with translation.override("en"):
        assert format_quantity(value) == english


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


@pytest.mark.parametrize("language", ["fr", "en"])
def test_numbers_are_grouped_as_django_groups_them(language):
    """The list pages' own number formatting writes what Django's number_format writes."""
    from django.utils import formats, translation

    from comptoir.core.money import _grouped

    values = [
        "0",
        "-0.00",
        "0.004",
        "-0.004",
        "1",
        "-1",
        "12.5",
        "999.999",
        "1000",
        "-1234.5",
        "1234567.891",
        "999999999999.99",
        "-999999999999.9999",
        "0.0333",
        "100000",
        "0.1",
        "0.05",
        "1E+3",
        "12345678901234567890123.45",
    ]
    with translation.override(language):
        for text in values:
            for places in range(5):
                value = Decimal(text)
                expected = formats.number_format(value, places, use_l10n=True, force_grouping=True)
                assert _grouped(value, places) == expected, (text, places)


def test_a_percentage_in_french_and_in_english():
    from comptoir.core.templatetags.comptoir import percent

    with translation.override("fr"):
        assert percent(D("5.50")) == f"5,5{NBSP}%"
    with translation.override("en"):
        assert percent(D("5.50")) == "5.5%"  # an English page writes no space before %
