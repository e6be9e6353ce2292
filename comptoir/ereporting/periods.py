"""The periods e-reporting covers, as the company's VAT regime sets them.

Source: décret n° 2022-1299 du 7 octobre 2022 (CGI, annexe II, art. 242 nonies M and following,
the transmission of transaction and payment data), as the DGFiP's external specifications of
the e-invoicing reform summarise it:

| VAT regime                         | transactions (10.1, 10.3)     | payments (10.2, 10.4) |
|------------------------------------|-------------------------------|-----------------------|
| normal regime, monthly returns     | per *décade*: 1–10, 11–20, 21–end of month | monthly |
| normal regime, quarterly returns   | monthly                       | monthly               |
| simplified regime                  | monthly                       | monthly               |
| franchise en base (no VAT charged) | every two months (Jan–Feb…)   | every two months      |

The reference files kept with the project (the flux 10 XSD and rules) state no period: they check
only that a period's end comes after its start (rule G6.25).
"""

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from comptoir.core.errors import BusinessError
from comptoir.core.models import VatRegime
from comptoir.ereporting.errors import EreportingError

TRANSACTIONS, PAYMENTS = "transactions", "payments"


@dataclass(frozen=True)
class Period:
    kind: str  # TRANSACTIONS or PAYMENTS: a flux 10 file carries one of them (rule G6.29)
    start: dt.date
    end: dt.date


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def period_of(kind: str, day: dt.date, regime: str) -> Period:
    """The period of ``kind`` that holds ``day`` under the VAT ``regime``."""
    if kind == TRANSACTIONS and regime == VatRegime.NORMAL_MONTHLY:
        if day.day <= 10:
            return Period(kind, day.replace(day=1), day.replace(day=10))
        if day.day <= 20:
            return Period(kind, day.replace(day=11), day.replace(day=20))
        return Period(kind, day.replace(day=21), _month_end(day))
    if regime == VatRegime.FRANCHISE:
        first = day.replace(month=day.month - (day.month - 1) % 2, day=1)
        return Period(kind, first, _month_end(first.replace(month=first.month + 1)))
    return Period(kind, day.replace(day=1), _month_end(day))


def last_ended(kind: str, today: dt.date, regime: str) -> Period:
    """The latest period of ``kind`` that is over on ``today``."""
    current = period_of(kind, today, regime)
    return period_of(kind, current.start - dt.timedelta(days=1), regime)


def read_day(text: str) -> dt.date:
    """A day as a French user writes it (07/12/2026), or in ISO form (2026-12-07)."""
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            day = dt.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
        if 2000 <= day.year <= 2099:  # the years flux 10 accepts (rule G1.36)
            return day
    raise BusinessError(
        EreportingError.BAD_PERIOD,
        _("“%(text)s” is not a date: write it as DD/MM/YYYY, for instance 07/12/2026.")
        % {"text": text[:40]},
        "period",
    )
