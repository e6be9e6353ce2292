"""What customers owe and what is left of their payments."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from comptoir.billing.models import Invoice
from comptoir.billing.queries import ZERO, open_receivables
from comptoir.core.money import round_amount
from comptoir.payments.models import Payment, Refund


def unallocated_amount(payment: Payment) -> Decimal:
    """What is left of the payment as the customer's credit (nothing once cancelled)."""
    if payment.is_cancelled:
        return ZERO
    allocated = payment.allocations.aggregate(s=Sum("amount"))["s"] or ZERO
    refunded = payment.refunds.aggregate(s=Sum("amount"))["s"] or ZERO
    return round_amount(payment.amount - allocated - refunded)


@dataclass(frozen=True)
class CustomerBalance:
    invoiced: Decimal
    credited: Decimal
    paid: Decimal
    overdue: Decimal

    @property
    def balance(self) -> Decimal:
        """What the customer owes (negative: what we owe them, i.e. their credit)."""
        return self.invoiced - self.credited - self.paid


def customer_balance(customer, today: date | None = None) -> CustomerBalance:
    today = today or timezone.localdate()
    issued = Invoice.objects.filter(customer=customer, status=Invoice.Status.ISSUED)
    invoiced = issued.exclude(kind=Invoice.Kind.CREDIT_NOTE).aggregate(s=Sum("total_gross"))["s"]
    credited = issued.filter(kind=Invoice.Kind.CREDIT_NOTE).aggregate(s=Sum("total_gross"))["s"]
    received = Payment.objects.filter(customer=customer, status=Payment.Status.RECEIVED)
    paid = received.aggregate(s=Sum("amount"))["s"] or ZERO
    paid -= Refund.objects.filter(payment__in=received).aggregate(s=Sum("amount"))["s"] or ZERO
    overdue = open_receivables(issued, today)["overdue_amount"]
    return CustomerBalance(
        round_amount(invoiced or ZERO),
        round_amount(credited or ZERO),
        round_amount(paid or ZERO),
        overdue,
    )
