"""Registering payments and allocating them to invoices; what is not allocated stays as the
customer's credit."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.billing.models import Invoice
from comptoir.billing.queries import ZERO, settlements
from comptoir.billing.services import refresh_settlements
from comptoir.core.bulk import insert_objects, new_instances
from comptoir.core.errors import BusinessError
from comptoir.core.money import MAX_AMOUNT, format_amount, parse_decimal, round_amount
from comptoir.core.numbering import take_numbers
from comptoir.parties.models import Customer
from comptoir.payments.errors import PaymentError
from comptoir.payments.models import Allocation, Payment, PaymentMethod
from comptoir.payments.queries import unallocated_amount

METHODS = frozenset(PaymentMethod.values)


@dataclass
class PaymentRequest:
    customer: Customer
    amount: Decimal
    date: dt.date | None = None
    method: str = PaymentMethod.TRANSFER
    reference: str = ""
    # (invoice, amount) pairs; None allocates to the oldest open invoices first.
    allocations: list[tuple[Invoice, Decimal]] | None = None


def _open_invoices(customer_ids) -> dict[int, list[Invoice]]:
    invoices = (
        Invoice.objects.filter(customer_id__in=customer_ids, status=Invoice.Status.ISSUED)
        .exclude(kind=Invoice.Kind.CREDIT_NOTE)
        .order_by("due_date", "date", "pk")
    )
    by_customer: dict[int, list[Invoice]] = {}
    for invoice in invoices:
        by_customer.setdefault(invoice.customer_id, []).append(invoice)
    return by_customer


def _allocate(payment_amount, pairs, outstanding, customer_id, *, field_prefix="allocations"):
    """Check (invoice, amount) pairs against the payment and what each invoice still owes."""
    allocations = []
    total = ZERO
    for index, (invoice, raw_amount) in enumerate(pairs):
        where = f"{field_prefix}[{index}]"
        amount = round_amount(
            parse_decimal(raw_amount, field=f"{where}.amount", maximum=MAX_AMOUNT)
        )
        if invoice.status != Invoice.Status.ISSUED or invoice.kind == Invoice.Kind.CREDIT_NOTE:
            raise BusinessError(
                PaymentError.INVOICE_NOT_PAYABLE,
                _("%(ref)s is not an issued invoice: it cannot be paid.")
                % {"ref": invoice.reference},
                f"{where}.invoice",
            )
        if invoice.customer_id != customer_id:
            raise BusinessError(
                PaymentError.WRONG_CUSTOMER,
                _("Invoice %(ref)s belongs to another customer.") % {"ref": invoice.reference},
                f"{where}.invoice",
            )
        if amount <= 0 or amount > outstanding[invoice.pk]:
            raise BusinessError(
                PaymentError.EXCEEDS_OUTSTANDING,
                _("%(amount)s is more than the %(left)s still due on invoice %(ref)s.")
                % {
                    "amount": format_amount(amount, invoice.currency),
                    "left": format_amount(outstanding[invoice.pk], invoice.currency),
                    "ref": invoice.reference,
                },
                f"{where}.amount",
            )
        outstanding[invoice.pk] -= amount
        total += amount
        allocations.append((invoice, amount))
    if total > payment_amount:
        raise BusinessError(
            PaymentError.OVER_ALLOCATED,
            _("The allocations (%(total)s) exceed the payment (%(amount)s).")
            % {
                "total": format_amount(total, invoice.currency),
                "amount": format_amount(payment_amount, invoice.currency),
            },
            field_prefix,
        )
    return allocations


def register_payments(
    requests: list[PaymentRequest], *, by=None, settled: bool = False
) -> list[Payment]:
    """Record payments and their allocations; invoices are locked while they are settled.

    ``settled``: every allocation goes to an invoice issued in this transaction with the
    payment already counted in its stored settlement (``create_issued_invoices(…, paid=…)``).
    Nobody else can see those invoices yet: they are neither locked nor read again.
    """
    with transaction.atomic():
        if settled:
            invoices, outstanding = _new_invoices(requests)
            open_by_customer = {}
        else:
            invoices, outstanding, open_by_customer = _lock_for_payment(requests)
        payments, all_allocations = [], []
        for request in requests:
            amount = round_amount(parse_decimal(request.amount, field="amount", maximum=MAX_AMOUNT))
            if amount <= 0:
                raise BusinessError(
                    PaymentError.AMOUNT_NOT_POSITIVE,
                    _("A payment amount must be greater than zero."),
                    "amount",
                )
            if request.method not in METHODS:
                raise BusinessError(
                    PaymentError.UNKNOWN_METHOD, _("Unknown payment method."), "method"
                )
            pairs = [(invoices[inv.pk], share) for inv, share in request.allocations or []]
            if request.allocations is None:
                pairs, left = [], amount
                for invoice in open_by_customer.get(request.customer.pk, []):
                    share = min(left, outstanding[invoice.pk])
                    if share > 0:
                        pairs.append((invoices[invoice.pk], share))
                        left -= share
            [payment] = new_instances(
                Payment,
                [
                    {
                        "customer_id": request.customer.pk,
                        "amount": amount,
                        "date": request.date or timezone.localdate(),
                        "method": request.method,
                        "reference": request.reference,
                        "created_by": by,
                    }
                ],
            )
            checked = _allocate(amount, pairs, outstanding, request.customer.pk)
            all_allocations += new_instances(
                Allocation,
                [
                    {"payment": payment, "invoice": invoice, "amount": share, "date": payment.date}
                    for invoice, share in checked
                ],
            )
            payments.append(payment)
        by_date: dict = {}
        for payment in payments:
            by_date.setdefault(payment.date.year, []).append(payment)
        for members in by_date.values():
            for payment, number in zip(
                members, take_numbers("payment", members[0].date, len(members)), strict=True
            ):
                payment.number = number
        insert_objects(payments, returning=True)
        insert_objects(all_allocations)
        if not settled:
            refresh_settlements({a.invoice_id for a in all_allocations})
        return payments


def _lock_for_payment(requests: list[PaymentRequest]):
    """The invoices the payments may settle, locked; what each still owes; the open invoices
    of the customers whose payments go to their oldest debts."""
    auto_customers = {r.customer.pk for r in requests if r.allocations is None}
    open_by_customer = _open_invoices(auto_customers) if auto_customers else {}
    invoice_ids = {inv.pk for r in requests for inv, _a in (r.allocations or [])}
    invoice_ids |= {inv.pk for invs in open_by_customer.values() for inv in invs}
    locked = (
        Invoice.objects.select_for_update()
        .filter(pk__in=invoice_ids)
        .order_by("pk")
        .only("pk", "number", "status", "kind", "customer_id")  # what allocating checks
    )
    invoices = {invoice.pk: invoice for invoice in locked}
    outstanding = {pk: s.outstanding for pk, s in settlements(invoice_ids).items()}
    return invoices, outstanding, open_by_customer


def _new_invoices(requests: list[PaymentRequest]):
    """Invoices issued in this transaction: nothing but these payments has settled them."""
    invoices = {}
    for request in requests:
        if request.allocations is None:
            raise ValueError("settled payments name their invoices")
        for invoice, _amount in request.allocations:
            invoices[invoice.pk] = invoice
    return invoices, {pk: invoice.total_gross for pk, invoice in invoices.items()}


def register_payment(customer: Customer, amount, *, by=None, **fields) -> Payment:
    return register_payments([PaymentRequest(customer=customer, amount=amount, **fields)], by=by)[0]


def allocate_payment(payment: Payment, pairs: list[tuple[Invoice, Decimal]], *, by=None):
    """Allocate what is left of a payment (the customer's credit) to invoices."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        ids = [invoice.pk for invoice, _a in pairs]
        invoices = Invoice.objects.select_for_update().in_bulk(ids)
        outstanding = {pk: s.outstanding for pk, s in settlements(ids).items()}
        checked = _allocate(
            unallocated_amount(payment),
            [(invoices[inv.pk], amount) for inv, amount in pairs],
            outstanding,
            payment.customer_id,
        )
        allocations = Allocation.objects.bulk_create(
            [Allocation(payment=payment, invoice=inv, amount=a) for inv, a in checked]
        )
        refresh_settlements(ids)
        return allocations
