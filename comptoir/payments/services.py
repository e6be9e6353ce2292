"""Registering payments and allocating them to invoices; what is not allocated stays as the
customer's credit."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.billing.models import Invoice
from comptoir.billing.queries import ZERO, settlements
from comptoir.billing.services import refresh_settlements
from comptoir.core import audit
from comptoir.core.bulk import insert_objects, new_instances
from comptoir.core.errors import BusinessError, InvalidTransition
from comptoir.core.money import MAX_AMOUNT, format_amount, parse_decimal, round_amount
from comptoir.core.numbering import take_numbers
from comptoir.parties.models import Customer
from comptoir.payments.errors import NeedsConfirmation, PaymentError
from comptoir.payments.models import Allocation, Payment, PaymentMethod, Refund
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
    # Refuse (NeedsConfirmation) an amount above what the invoices it settles still owe: a
    # mistyped amount would silently become the customer's credit. Forms and the API ask;
    # imports and data that state what was paid do not.
    check_due: bool = False


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
            if request.check_due and (request.allocations is None or request.allocations):
                _check_due(amount, checked)
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


def _check_due(amount: Decimal, allocations) -> None:
    due = sum((share for _invoice, share in allocations), ZERO)
    if amount > due:
        raise NeedsConfirmation(
            PaymentError.MORE_THAN_DUE,
            _(
                "The payment of %(amount)s is more than the %(due)s due: %(left)s would stay "
                "as the customer's credit. Check the amount, or confirm it."
            )
            % {
                "amount": format_amount(amount),
                "due": format_amount(due),
                "left": format_amount(amount - due),
            },
            "amount",
        )


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
        payment = _lock_payment(payment)
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
        for invoice, amount in checked:
            for target, other in ((payment, invoice.number), (invoice, payment.number)):
                audit.record_event(
                    "allocated",
                    str(target),
                    by=by,
                    target=target,
                    changes={
                        "invoice" if target is payment else "payment": [None, other],
                        "amount": [None, str(amount)],
                    },
                )
        return allocations


# Undoing a payment typed by mistake ---------------------------------------------------------------

audit.ACTION_LABELS["allocated"] = gettext_lazy("credit allocated")
audit.ACTION_LABELS["unallocated"] = gettext_lazy("allocation removed")
audit.ACTION_LABELS["refunded"] = gettext_lazy("credit refunded")
audit.CHANGE_LABELS.update(invoice=gettext_lazy("invoice"), payment=gettext_lazy("payment"))


def _lock_payment(payment: Payment) -> Payment:
    """The payment, locked; refused when it is cancelled."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.is_cancelled:
        raise InvalidTransition(
            PaymentError.CANCELLED,
            _("Payment %(ref)s is cancelled.") % {"ref": payment.number},
            "status",
        )
    return payment


def _undo_allocations(payment: Payment, allocations: list[Allocation], *, by) -> None:
    """Remove allocations: their invoices owe the money again, the payment keeps it as the
    customer's credit; both histories say so."""
    ids = sorted({a.invoice_id for a in allocations})
    invoices = {
        invoice.pk: invoice
        for invoice in Invoice.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    Allocation.objects.filter(pk__in=[a.pk for a in allocations]).delete()
    refresh_settlements(ids)
    paid = dict(Invoice.objects.filter(pk__in=ids).values_list("pk", "amount_paid"))
    for allocation in allocations:
        invoice = invoices[allocation.invoice_id]
        audit.record_event(
            "unallocated",
            str(payment),
            by=by,
            target=payment,
            changes={"invoice": [invoice.number, None], "amount": [str(allocation.amount), None]},
        )
        audit.record_event(
            "unallocated",
            str(invoice),
            by=by,
            target=invoice,
            changes={
                "payment": [payment.number, None],
                "amount_paid": [str(invoice.amount_paid), str(paid[invoice.pk])],
            },
        )


def unallocate(payment: Payment, allocation_id: int, *, by=None) -> Payment:
    """Take one allocation back: the invoice owes that amount again, the payment keeps it as
    the customer's credit (to allocate elsewhere)."""
    with transaction.atomic():
        payment = _lock_payment(payment)
        allocation = payment.allocations.filter(pk=allocation_id).first()
        if allocation is None:
            raise BusinessError(
                PaymentError.NOT_AN_ALLOCATION,
                _("This allocation is not one of payment %(ref)s.") % {"ref": payment.number},
                "allocation",
            )
        _undo_allocations(payment, [allocation], by=by)
        return payment


def cancel_payment(payment: Payment, *, reason: str, by=None) -> Payment:
    """Cancel a payment typed by mistake: it keeps its number, says why, and its allocations
    are undone (the invoices owe the money again)."""
    with transaction.atomic():
        payment = _lock_payment(payment)
        reason = (reason or "").strip()
        if not reason:
            raise BusinessError(
                PaymentError.REASON_REQUIRED,
                _("Say why the payment is cancelled."),
                "reason",
            )
        if payment.refunds.exists():
            raise BusinessError(
                PaymentError.REFUNDED,
                _("Part of payment %(ref)s was refunded to the customer: it cannot be cancelled.")
                % {"ref": payment.number},
                "status",
            )
        _undo_allocations(payment, list(payment.allocations.order_by("pk")), by=by)
        reason = reason[:500]
        Payment.objects.filter(pk=payment.pk).update(
            status=Payment.Status.CANCELLED, cancel_reason=reason, cancelled_at=timezone.now()
        )
        payment.refresh_from_db()
        # The history says "cancelled" and why (the status itself is the entry's action).
        audit.record(
            [payment], Payment.Status.CANCELLED, by=by, changes={"cancel_reason": ["", reason]}
        )
        return payment


def refund_credit(
    payment: Payment,
    amount,
    *,
    date: dt.date | None = None,
    method: str = PaymentMethod.TRANSFER,
    reference: str = "",
    by=None,
) -> Refund:
    """Pay back to the customer some of what the payment left unallocated (their credit)."""
    with transaction.atomic():
        payment = _lock_payment(payment)
        amount = round_amount(parse_decimal(amount, field="amount", maximum=MAX_AMOUNT))
        if amount <= 0:
            raise BusinessError(
                PaymentError.AMOUNT_NOT_POSITIVE,
                _("A refund must be greater than zero."),
                "amount",
            )
        left = unallocated_amount(payment)
        if amount > left:
            raise BusinessError(
                PaymentError.REFUND_EXCEEDS_CREDIT,
                _("%(amount)s is more than the %(left)s of credit left on payment %(ref)s.")
                % {
                    "amount": format_amount(amount),
                    "left": format_amount(left),
                    "ref": payment.number,
                },
                "amount",
            )
        if method not in METHODS:
            raise BusinessError(PaymentError.UNKNOWN_METHOD, _("Unknown payment method."), "method")
        refund = Refund.objects.create(
            payment=payment,
            amount=amount,
            date=date or timezone.localdate(),
            method=method,
            reference=reference,
            created_by=by,
        )
        audit.record_event(
            "refunded", str(payment), by=by, target=payment, changes={"amount": [None, str(amount)]}
        )
        return refund
