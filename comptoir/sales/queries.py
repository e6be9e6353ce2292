"""Read-side queries over quotations and orders."""

from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Q, Sum

from comptoir.parties.models import Customer
from comptoir.sales.models import SalesOrder, SalesOrderLine

AMOUNT = DecimalField(max_digits=18, decimal_places=4)
ZERO = Decimal("0")


def _sums(customer_ids, expression, condition=None) -> dict[int, Decimal]:
    rows = (
        Customer.objects.filter(pk__in=customer_ids)
        .order_by()
        .values_list("pk")
        .annotate(s=Sum(expression, filter=condition))
    )
    return {pk: Decimal(s or 0) for pk, s in rows}


def credit_exposure(customer_ids) -> dict[int, Decimal]:
    """What each customer owes or has committed to: unpaid issued invoices (less credit notes
    and payments) plus what confirmed orders still have to invoice, VAT included.

    Reads billing and payments through their reverse relation names ("invoice", "payments"),
    so sales does not import the apps above it.
    """
    issued = Q(invoice__status="issued")
    invoiced = _sums(customer_ids, "invoice__total_gross", issued & ~Q(invoice__kind="credit_note"))
    credited = _sums(customer_ids, "invoice__total_gross", issued & Q(invoice__kind="credit_note"))
    received = Q(payments__status="received")
    paid = _sums(customer_ids, "payments__amount", received)
    refunded = _sums(customer_ids, "payments__refunds__amount", received)
    to_invoice_value = ExpressionWrapper(
        (F("quantity") - F("quantity_invoiced"))
        * F("unit_price")
        * (100 - F("discount_pct"))
        * (100 + F("vat_rate"))
        / 10000,
        output_field=AMOUNT,
    )
    open_orders = dict(
        SalesOrderLine.objects.filter(
            order__customer_id__in=customer_ids,
            order__status=SalesOrder.Status.CONFIRMED,
            quantity__gt=F("quantity_invoiced"),
        )
        .order_by()
        .values_list("order__customer_id")
        .annotate(s=Sum(to_invoice_value))
    )
    return {
        pk: invoiced.get(pk, ZERO)
        - credited.get(pk, ZERO)
        - paid.get(pk, ZERO)
        + refunded.get(pk, ZERO)
        + Decimal(open_orders.get(pk) or 0)
        for pk in customer_ids
    }
