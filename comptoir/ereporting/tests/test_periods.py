"""The periods the VAT regime sets: décades, months, two months; a day read as a French user
writes it."""

from datetime import date

import pytest

from comptoir.core.errors import BusinessError
from comptoir.ereporting.periods import PAYMENTS, TRANSACTIONS, last_ended, period_of, read_day


def span(kind, day, regime):
    period = period_of(kind, day, regime)
    return period.start, period.end


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (date(2026, 2, 1), date(2026, 2, 1), date(2026, 2, 10)),
        (date(2026, 2, 10), date(2026, 2, 1), date(2026, 2, 10)),
        (date(2026, 2, 11), date(2026, 2, 11), date(2026, 2, 20)),
        (date(2026, 2, 21), date(2026, 2, 21), date(2026, 2, 28)),
        (date(2028, 2, 29), date(2028, 2, 21), date(2028, 2, 29)),
        (date(2026, 12, 31), date(2026, 12, 21), date(2026, 12, 31)),
    ],
)
def test_normal_monthly_regime_reports_sales_per_decade(day, start, end):
    assert span(TRANSACTIONS, day, "normal_monthly") == (start, end)


def test_normal_monthly_regime_reports_payments_per_month():
    assert span(PAYMENTS, date(2026, 2, 14), "normal_monthly") == (
        date(2026, 2, 1),
        date(2026, 2, 28),
    )


@pytest.mark.parametrize("regime", ["normal_quarterly", "simplified"])
def test_quarterly_and_simplified_regimes_report_per_month(regime):
    for kind in (TRANSACTIONS, PAYMENTS):
        assert span(kind, date(2026, 4, 30), regime) == (date(2026, 4, 1), date(2026, 4, 30))


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (date(2026, 1, 15), date(2026, 1, 1), date(2026, 2, 28)),
        (date(2026, 2, 28), date(2026, 1, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 30)),
        (date(2026, 12, 31), date(2026, 11, 1), date(2026, 12, 31)),
    ],
)
def test_franchise_reports_every_two_months(day, start, end):
    assert span(TRANSACTIONS, day, "franchise") == (start, end)
    assert span(PAYMENTS, day, "franchise") == (start, end)


def test_the_last_period_over():
    last = last_ended(TRANSACTIONS, date(2026, 3, 1), "normal_monthly")
    assert (last.start, last.end) == (date(2026, 2, 21), date(2026, 2, 28))
    last = last_ended(PAYMENTS, date(2026, 1, 5), "franchise")
    assert (last.start, last.end) == (date(2025, 11, 1), date(2025, 12, 31))


def test_a_day_is_read_as_a_french_user_writes_it():
    assert read_day("07/12/2026") == read_day("2026-12-07") == date(2026, 12, 7)
    for wrong in ("31/02/2026", "12/2026", "demain", "07/12/1999", ""):
        with pytest.raises(BusinessError) as error:
            read_day(wrong)
        assert error.value.code == "ereporting.bad_period" and error.value.field == "period"
