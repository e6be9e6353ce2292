"""The dashboard's indicators: each one is the total of the report its card links to
(``comptoir.reports.operations``), computed by the same function, so both always agree."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import formats, timezone

from comptoir.billing.queries import ZERO, issued, open_receivables, sales_by_customer
from comptoir.core import access
from comptoir.reports import operations
from comptoir.reports.operations import month_start


@dataclass
class Bar:
    label: str
    value: Decimal
    x: float
    y: float
    height: float
    month: str = ""  # 2026-12: the month's sales report

    @property
    def center(self) -> float:
        return self.x + 26


def chart(sales: dict[date, Decimal], today: date, width=720, height=180) -> list[Bar]:
    months = [month_start(today, back) for back in range(11, -1, -1)]
    top = max([sales.get(m, ZERO) for m in months] + [Decimal(1)])
    step = width / len(months)
    bars = []
    for index, month in enumerate(months):
        value = sales.get(month, ZERO)
        bar_height = float(max(value, ZERO) / top) * (height - 20)
        bars.append(
            Bar(
                label=formats.date_format(month, "N y"),  # juin, juil. (not jui, jul)
                value=value,
                x=index * step + 4,
                y=height - 20 - bar_height,
                height=bar_height,
                month=month.strftime("%Y-%m"),
            )
        )
    return bars


def indicators(today: date | None = None, user=None) -> dict:
    """The home page's figures, over the customers ``user`` sees."""
    today = today or timezone.localdate()
    sales = operations.monthly_sales(user, first=month_start(today, 12), last=today)
    this_month, last_month = month_start(today), month_start(today, 1)
    backlog = operations.backlog(user, today=today)
    to_invoice = operations.to_invoice(user)
    top_customers = access.owned(sales_by_customer(since=month_start(today, 11)), user)[:5]
    return {
        "this_month": sales.get(this_month, ZERO),
        "last_month": sales.get(last_month, ZERO),
        "last_year": sales.get(month_start(today, 12), ZERO),
        "months": {
            "this_month": this_month.strftime("%Y-%m"),
            "last_month": last_month.strftime("%Y-%m"),
            "last_year": month_start(today, 12).strftime("%Y-%m"),
        },
        "open_orders": {"count": backlog.count, "amount": backlog.total},
        "not_invoiced": {"count": to_invoice.count, "amount": to_invoice.total},
        "receivables": open_receivables(access.owned(issued(), user), today=today),
        "top_customers": list(top_customers),
        "chart": chart(sales, today),
        "today": today,
    }
