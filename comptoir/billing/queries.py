"""What an invoice still owes: its total less the payments allocated to it and the credit
notes issued against it. Derived, never stored."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from comptoir.billing.models import Invoice, PaymentStatus
from comptoir.core.money import round_amount

ZERO = Decimal("0.00")
AMOUNT = DecimalField(max_digits=14, decimal_places=2)


@dataclass(frozen=True)
class Settlement:
    total: Decimal
    paid: Decimal
    credited: Decimal

    @classmethod
    def of(cls, invoice) -> "Settlement":
        """From an invoice annotated by with_settlement (SQLite sums lose the 2 places)."""
        return cls(
            round_amount(invoice.total_gross),
            round_amount(invoice.amount_paid),
            round_amount(invoice.amount_credited),
        )

    @property
    def outstanding(self) -> Decimal:
        return self.total - self.paid - self.credited


def _sum_subquery(queryset, group_field: str, amount_field: str):
    return Coalesce(
        Subquery(
            queryset.filter(**{group_field: OuterRef("pk")})
            .order_by()
            .values(group_field)
            .annotate(s=Sum(amount_field))
            .values("s"),
            output_field=AMOUNT,
        ),
        Value(ZERO),
        output_field=AMOUNT,
    )


def with_settlement(invoices):
    """Annotate an invoice queryset with amount_paid and amount_credited (two subqueries)."""
    return invoices.annotate(
        # "allocations" is the reverse side of payments' Allocation.invoice.
        amount_paid=Coalesce(Sum("allocations__amount"), Value(ZERO), output_field=AMOUNT),
        amount_credited=_sum_subquery(
            Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE, status=Invoice.Status.ISSUED),
            "credited_invoice",
            "total_gross",
        ),
    )


def settlements(invoice_ids) -> dict[int, Settlement]:
    invoices = with_settlement(Invoice.objects.filter(pk__in=list(invoice_ids)))
    return {invoice.pk: Settlement.of(invoice) for invoice in invoices}


def payment_status(invoice: Invoice, settlement: Settlement, today: date | None = None) -> str:
    today = today or timezone.localdate()
    if settlement.outstanding <= 0:
        return PaymentStatus.PAID
    if invoice.due_date and invoice.due_date < today:
        return PaymentStatus.OVERDUE
    if settlement.paid + settlement.credited > 0:
        return PaymentStatus.PARTLY_PAID
    return PaymentStatus.UNPAID
