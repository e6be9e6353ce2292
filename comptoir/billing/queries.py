"""What an invoice still owes: its total less the payments allocated to it and the credit
notes issued against it. Derived, never stored."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
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


def signed_net():
    """Net amount counted in sales: credit notes count against them."""
    return Case(
        When(kind=Invoice.Kind.CREDIT_NOTE, then=-F("total_net")),
        default=F("total_net"),
        output_field=AMOUNT,
    )


def issued():
    return Invoice.objects.filter(status=Invoice.Status.ISSUED)


def open_receivables(invoices, today: date | None = None) -> dict:
    """Count and amount still owed on the given invoices, overdue ones apart (one query)."""
    today = today or timezone.localdate()
    rows = (
        with_settlement(invoices.exclude(kind=Invoice.Kind.CREDIT_NOTE))
        .annotate(outstanding=F("total_gross") - F("amount_paid") - F("amount_credited"))
        .filter(outstanding__gt=0)
    )
    overdue = Q(due_date__lt=today)
    result = rows.aggregate(
        count=Count("pk"),
        amount=Sum("outstanding"),
        overdue_count=Count("pk", filter=overdue),
        overdue_amount=Sum("outstanding", filter=overdue),
    )
    return {k: round_amount(v or ZERO) if "amount" in k else v for k, v in result.items()}
