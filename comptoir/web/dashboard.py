"""The dashboard's indicators, each in one aggregate query."""

from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum
from django.utils import formats, timezone

from comptoir.billing.queries import ZERO, issued, open_receivables, sales_by_customer, signed_net
from comptoir.core import access
from comptoir.core.charts import Bar, bars
from comptoir.core.money import round_amount
from comptoir.sales.models import SalesOrder, SalesOrderLine

AMOUNT = DecimalField(max_digits=18, decimal_places=6)


def month_start(day: date, back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def monthly_sales(today: date) -> dict[date, Decimal]:
    """Net sales per month, the current one and the 12 before it.

    Grouped by day in the database (a plain indexed column, no date function per row), then
    by month here: at most ~400 rows come back.
    """
    rows = (
        issued()
        .filter(date__gte=month_start(today, 12), date__lt=month_start(today, -1))
        .order_by()
        .values_list("date")
        .annotate(net=Sum(signed_net()))
    )
    result: dict[date, Decimal] = {}
    for day, net in rows:
        month = day.replace(day=1)
        result[month] = result.get(month, ZERO) + (net or ZERO)
    return {month: round_amount(net) for month, net in result.items()}


def chart(sales: dict[date, Decimal], today: date) -> list[Bar]:
    """The bars of the last 12 months' sales."""
    months = [month_start(today, back) for back in range(11, -1, -1)]
    # juin, juil. (not jui, jul)
    return bars([(formats.date_format(m, "N y"), sales.get(m, ZERO)) for m in months])


def indicators(today: date | None = None, user=None) -> dict:
    """The home page's figures; the top customers among those ``user`` sees."""
    today = today or timezone.localdate()
    sales = monthly_sales(today)
    this_month, last_month = month_start(today), month_start(today, 1)
    open_orders = SalesOrder.objects.filter(status=SalesOrder.Status.CONFIRMED).aggregate(
        count=Count("pk"), amount=Sum("total_net")
    )
    to_invoice = ExpressionWrapper(
        F("net_amount") * (F("quantity_delivered") - F("quantity_invoiced")) / F("quantity"),
        output_field=AMOUNT,
    )
    not_invoiced = SalesOrderLine.objects.filter(
        order__status__in=[SalesOrder.Status.CONFIRMED, SalesOrder.Status.DONE],
        quantity_delivered__gt=F("quantity_invoiced"),
        quantity__gt=0,
    ).aggregate(amount=Sum(to_invoice), orders=Count("order", distinct=True))
    top_customers = access.owned(sales_by_customer(since=month_start(today, 11)), user)[:5]
    return {
        "this_month": sales.get(this_month, ZERO),
        "last_month": sales.get(last_month, ZERO),
        "last_year": sales.get(month_start(today, 12), ZERO),
        "open_orders": {
            "count": open_orders["count"],
            "amount": round_amount(open_orders["amount"] or ZERO),
        },
        "not_invoiced": {
            "count": not_invoiced["orders"],
            "amount": round_amount(not_invoiced["amount"] or ZERO),
        },
        "receivables": open_receivables(today=today),
        "top_customers": list(top_customers),
        "chart": chart(sales, today),
        "today": today,
    }
