"""Amounts and quantities are written as the reader's language writes them."""

from decimal import Decimal

import pytest
from django.utils import translation

from comptoir.core.money import format_amount, format_quantity

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
