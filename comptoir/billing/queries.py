"""What an invoice still owes: its total less the payments allocated to it and the credit
notes issued against it.

The truth is the lineage (allocations, issued credit notes); `settlements` reads it. Each issued
invoice also stores the result (amount_paid, amount_credited, amount_due), written only by
`billing.services.refresh_settlements` in the transaction that changes the lineage, so that
lists, receivables and the dashboard filter and add it up without a subquery per invoice.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, Q, Sum, When
from django.utils import timezone

from comptoir.billing.models import Invoice, PaymentStatus
from comptoir.billing.signals import LISTED_FACTS
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
        """As stored on the invoice."""
        return cls(invoice.total_gross, invoice.amount_paid, invoice.amount_credited)

    @property
    def outstanding(self) -> Decimal:
        return self.total - self.paid - self.credited


def settlements(invoice_ids) -> dict[int, Settlement]:
    """Recomputed from the lineage, in three queries whatever the number of invoices."""
    ids = list(invoice_ids)
    totals = dict(Invoice.objects.filter(pk__in=ids).values_list("pk", "total_gross"))
    paid = dict(
        Invoice.objects.filter(pk__in=ids, allocations__isnull=False)
        .order_by()
        .values("pk")
        .annotate(s=Sum("allocations__amount"))
        .values_list("pk", "s")
    )
    credited = dict(
        Invoice.objects.filter(
            credited_invoice_id__in=ids,
            kind=Invoice.Kind.CREDIT_NOTE,
            status=Invoice.Status.ISSUED,
        )
        .order_by()
        .values("credited_invoice_id")
        .annotate(s=Sum("total_gross"))
        .values_list("credited_invoice_id", "s")
    )
    return {
        pk: Settlement(
            *(round_amount(x) for x in (total, paid.get(pk, ZERO), credited.get(pk, ZERO)))
        )
        for pk, total in totals.items()
    }


def payment_status(invoice: Invoice, settlement: Settlement, today: date | None = None) -> str:
    today = today or timezone.localdate()
    if settlement.outstanding <= 0:
        return PaymentStatus.PAID
    if invoice.due_date and invoice.due_date < today:
        return PaymentStatus.OVERDUE
    if settlement.paid > 0:  # money received: a credit note alone pays nothing
        return PaymentStatus.PARTLY_PAID
    return PaymentStatus.UNPAID


def payment_status_q(status: str, today: date | None = None) -> Q:
    """The issued invoices (not credit notes) whose ``payment_status`` is ``status``, as a
    filter on their stored settlement: lists filter in SQL, keyset paging unchanged."""
    today = today or timezone.localdate()
    owes = Q(status=Invoice.Status.ISSUED, amount_due__gt=0) & ~Q(kind=Invoice.Kind.CREDIT_NOTE)
    late = Q(due_date__lt=today)
    return {
        PaymentStatus.PAID: Q(status=Invoice.Status.ISSUED, amount_due__lte=0)
        & ~Q(kind=Invoice.Kind.CREDIT_NOTE),
        PaymentStatus.OVERDUE: owes & late,
        PaymentStatus.PARTLY_PAID: owes & ~late & Q(amount_paid__gt=0),
        PaymentStatus.UNPAID: owes & ~late & Q(amount_paid__lte=0),
    }[status]


def stored_payment_status(invoice: Invoice, today: date | None = None) -> str:
    """The payment status of an issued invoice (not a credit note), else ""."""
    if invoice.status != Invoice.Status.ISSUED or invoice.kind == Invoice.Kind.CREDIT_NOTE:
        return ""
    return payment_status(invoice, Settlement.of(invoice), today)


def signed_net():
    """Net amount counted in sales: credit notes count against them."""
    return Case(
        When(kind=Invoice.Kind.CREDIT_NOTE, then=-F("total_net")),
        default=F("total_net"),
        output_field=AMOUNT,
    )


def issued():
    return Invoice.objects.filter(status=Invoice.Status.ISSUED)


def receivables():
    """Issued invoices (not credit notes) that still owe something."""
    return issued().exclude(kind=Invoice.Kind.CREDIT_NOTE).filter(amount_due__gt=0)


def open_receivables(invoices=None, today: date | None = None) -> dict:
    """Count and amount still owed, overdue ones apart, in one aggregate query."""
    today = today or timezone.localdate()
    rows = receivables() if invoices is None else invoices & receivables()
    overdue = Q(due_date__lt=today)
    result = rows.aggregate(
        count=Count("pk"),
        amount=Sum("amount_due"),
        overdue_count=Count("pk", filter=overdue),
        overdue_amount=Sum("amount_due", filter=overdue),
    )
    return {k: round_amount(v or ZERO) if "amount" in k else v for k, v in result.items()}


def sales_by_customer(since: date | None = None, until: date | None = None):
    """Net sales per customer over issued invoices (credit notes deducted), largest first."""
    rows = issued()
    if since:
        rows = rows.filter(date__gte=since)
    if until:
        rows = rows.filter(date__lte=until)
    return (
        rows.order_by()
        .values("customer_id", "customer_name")
        .annotate(net=Sum(signed_net()), invoices=Count("pk", filter=~Q(kind="credit_note")))
        .order_by("-net", "customer_id")
    )


def with_listed_facts(invoices):
    """The invoices with the facts other apps list (``LISTED_FACTS``) as annotations."""
    if not LISTED_FACTS:
        return invoices
    return invoices.annotate(**{fact.name: fact.expression() for fact in LISTED_FACTS})


def listed_fact(name: str):
    """The listed fact of this name, if an app registered it."""
    return next((fact for fact in LISTED_FACTS if fact.name == name), None)
