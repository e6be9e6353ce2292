"""The dashboard's indicators: each one is the total of the report its card links to
(``comptoir.reports.operations``), computed by the same function, so both always agree."""

from datetime import date
from decimal import Decimal

from django.utils import formats, timezone

from comptoir.billing.queries import ZERO, issued, open_receivables, sales_by_customer
from comptoir.core import access
from comptoir.core.charts import Bar, bars
from comptoir.reports import operations
from comptoir.reports.operations import month_start


def chart(sales: dict[date, Decimal], today: date) -> list[Bar]:
    """The bars of the last 12 months' sales, each keyed by its month (its report's link)."""
    months = [month_start(today, back) for back in range(11, -1, -1)]
    return bars(
        # juin, juil. (not jui, jul)
        [(formats.date_format(m, "N y"), sales.get(m, ZERO)) for m in months],
        keys=[m.strftime("%Y-%m") for m in months],
    )


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
            "top_from": month_start(today, 11).strftime("%Y-%m"),
        },
        "open_orders": {"count": backlog.count, "amount": backlog.total},
        "not_invoiced": {"count": to_invoice.count, "amount": to_invoice.total},
        "receivables": open_receivables(access.owned(issued(), user), today=today),
        "top_customers": list(top_customers),
        "chart": chart(sales, today),
        "today": today,
    }
