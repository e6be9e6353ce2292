from datetime import date

import pytest
from django.db import transaction
from django.utils import translation

from comptoir.core.errors import BusinessError
from comptoir.core.numbering import take_number, take_numbers

pytestmark = pytest.mark.django_db


def test_numbers_follow_each_other_per_series_and_year():
    with transaction.atomic():
        assert take_numbers("invoice", date(2026, 3, 1), 3) == [
            "FA-2026-000001",
            "FA-2026-000002",
            "FA-2026-000003",
        ]
        assert take_number("credit_note", date(2026, 3, 1)) == "AV-2026-000001"
        assert take_number("invoice", date(2027, 1, 2)) == "FA-2027-000001"
        assert take_number("invoice", date(2026, 3, 2)) == "FA-2026-000004"


def test_a_rolled_back_transaction_gives_its_numbers_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        take_number("invoice", date(2026, 3, 1))
        raise RuntimeError("the issuing failed")
    with transaction.atomic():
        assert take_number("invoice", date(2026, 3, 1)) == "FA-2026-000001"


def test_invoice_numbers_must_follow_the_dates():
    with transaction.atomic():
        take_number("invoice", date(2026, 3, 10))
    with (
        translation.override("fr"),
        pytest.raises(BusinessError) as error,
        transaction.atomic(),
    ):
        take_number("invoice", date(2026, 3, 9))
    assert error.value.code == "sequence.date_before_last"
    assert "10/03/2026" in error.value.message  # the date as the user writes it, in French


@pytest.mark.django_db(transaction=True)
def test_numbers_are_only_taken_inside_a_transaction():
    with pytest.raises(RuntimeError):
        take_number("invoice", date(2026, 3, 1))
