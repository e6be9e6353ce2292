"""The 212 Encaissée: Comptoir tells the platform that an invoice it sent there is fully paid.

Mandatory for services whose VAT is due on receipt (the buyer's platform and the State learn
the date and the amount received); sent for every invoice of the platform once fully paid.

When a payment allocation settles an invoice in full, its CDAR message is written and queued
in that same transaction (``follow_settlements``, called by billing's ``settled`` signal), once
per invoice and status: the row's file, tracking id and SHA-256 never change, so a retry makes
no second flow. The job worker sends it as a flow of its own (flowSyntax CDAR), after the
invoice itself reached the platform. A payment cancelled before the message leaves withdraws
it; once sent, nothing is sent back: the French lifecycle has no status that undoes a 212 (the
payment of an invoice is then corrected between the parties), so the row only notes it.
"""

import hashlib
import logging
import uuid
from dataclasses import replace
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.billing.facturx import electronic_address
from comptoir.billing.models import Invoice
from comptoir.core.models import Company
from comptoir.core.money import round_amount
from comptoir.einvoicing.cdar import PARIS, CdarError, Party, payment_received, write_cdar
from comptoir.einvoicing.client import Client
from comptoir.einvoicing.errors import ConnectionSettingsError, PlatformError
from comptoir.einvoicing.models import LifecycleStatus, OutgoingStatus, Submission
from comptoir.einvoicing.statuses import PAYMENT_RECEIVED

NEVER_RECEIVED = (210, 213)  # refused by the buyer, rejected by the platform

logger = logging.getLogger(__name__)
WAIT_FOR_INVOICE = timedelta(minutes=2)  # before asking again whether the invoice was sent
FORGOTTEN = timedelta(minutes=2)  # still to send this long after it was queued: sent by the job


# Queueing and withdrawing, in the transaction that changed the payments --------------------


def follow_settlements(invoice_ids) -> list[OutgoingStatus]:
    """For the invoices sent to the platform among these: queue the 212 of each one now fully
    paid, withdraw the one still waiting of each one no longer fully paid. The rows queued."""
    ids = list(
        Submission.objects.filter(
            invoice_id__in=list(invoice_ids), channel=Submission.Channel.B2B
        ).values_list("invoice_id", flat=True)
    )
    if not ids:
        return []
    rows = {
        row.invoice_id: row
        for row in OutgoingStatus.objects.select_for_update().filter(
            invoice_id__in=ids, code=PAYMENT_RECEIVED
        )
    }
    # An invoice the platform rejected or its buyer refused was never owed: its money is not
    # « encaissée » whatever the settlement says (its credit note settles it).
    void = set(
        LifecycleStatus.objects.filter(
            invoice_id__in=ids, code__in=NEVER_RECEIVED, sent_by_us=False
        ).values_list("invoice_id", flat=True)
    )
    queued = []
    for invoice in Invoice.objects.filter(pk__in=ids).select_related("customer", "submission"):
        row = rows.get(invoice.pk)
        if invoice.pk not in void and is_fully_paid(invoice):
            if row is None or row.state == OutgoingStatus.State.WITHDRAWN:
                queued.append(_queue(invoice, row))
        elif row is not None:
            _withdraw_or_note(row)
    if queued:
        from comptoir.einvoicing.tasks import send_payment_statuses

        pks = [row.pk for row in queued]
        transaction.on_commit(lambda: send_payment_statuses.enqueue(pks))
    return queued


def is_fully_paid(invoice: Invoice) -> bool:
    """Nothing left to pay, money received, and not cancelled by a credit note of the whole
    invoice (an invoice settled by its credit note received nothing, whatever was paid on it
    before: that money is owed back)."""
    cancelled = invoice.amount_credited >= invoice.total_gross
    return invoice.amount_due <= 0 and invoice.amount_paid > 0 and not cancelled


def _queue(invoice: Invoice, row: OutgoingStatus | None) -> OutgoingStatus:
    paid_on = Invoice.objects.filter(pk=invoice.pk).aggregate(day=Max("allocations__date"))["day"]
    at = _encashment_moment(paid_on)
    try:
        content = write_cdar(payment_message(invoice, at))
        state, message = OutgoingStatus.State.TO_SEND, ""
    except CdarError as error:  # e.g. the buyer's electronic address unknown: said, not sent
        content, state, message = b"", OutgoingStatus.State.ERROR, error.message
    values = {
        "tracking_id": str(uuid.uuid4()),  # a new one after a withdrawal: a new flow
        "state": state,
        "content": content,
        "sha256": hashlib.sha256(content).hexdigest(),
        "amount": invoice.amount_paid,
        "status_at": at,
        "flow_id": "",
        "message": message,
        "attempts": 0,
        "retry_at": None,
        "withdrawn_at": None,
    }
    if row is None:
        return OutgoingStatus.objects.create(invoice=invoice, code=PAYMENT_RECEIVED, **values)
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    return row


def _encashment_moment(paid_on) -> datetime:
    """When the money was received: now for a payment of today; for one recorded later than
    it came in, noon (French time) on its date, which is all a payment's date tells."""
    now = timezone.now()
    if paid_on is None or paid_on >= timezone.localdate():
        return now
    return datetime.combine(paid_on, time(12, 0), tzinfo=PARIS)


def _withdraw_or_note(row: OutgoingStatus) -> None:
    """The invoice is no longer fully paid (a payment cancelled or an allocation undone)."""
    State = OutgoingStatus.State
    if row.state == State.WITHDRAWN:
        return
    untried = row.state == State.TO_SEND and row.attempts == 0
    refused = row.state == State.ERROR and row.retry_at is None  # the platform holds nothing
    if untried or refused:
        row.state, row.withdrawn_at, row.retry_at = State.WITHDRAWN, timezone.now(), None
        row.message = _("Withdrawn before it was sent: the invoice is no longer fully paid.")
        row.save(update_fields=["state", "withdrawn_at", "retry_at", "message"])
        return
    # Sent, or maybe received by the platform (an attempt whose answer was lost): no status
    # undoes a 212, so the fact is noted for the user and nothing more is sent.
    row.message = _(
        "The invoice is no longer fully paid, but the platform was already told it was paid "
        "(no status undoes it): settle the correction with the customer."
    )
    row.save(update_fields=["message"])


# The message -------------------------------------------------------------------------------


def payment_message(invoice: Invoice, at: datetime):
    """The 212 of a fully paid invoice: the amount received per VAT rate, to the buyer at the
    electronic address its invoice stated, and to the State's concentrator."""
    company = Company.get()
    submission = invoice.submission
    address, scheme = electronic_address(
        invoice.customer_siren, invoice.customer.email, submission.electronic_address
    ) or ("", "")
    seller = Party(id=company.siren, name=company.legal_name)
    buyer = Party(
        id=invoice.customer_siren,
        name=invoice.customer_name,
        address=address,
        address_scheme=scheme,
    )
    message = payment_received(
        invoice_number=invoice.number,
        invoice_date=invoice.date,
        invoice_type=invoice.TYPE_CODES[invoice.kind],
        seller=seller,
        buyer=buyer,
        at=at,
        received=received_by_rate(invoice),
        currency=invoice.currency,
    )
    return replace(message, issued_at=timezone.now().astimezone(PARIS))


def received_by_rate(invoice: Invoice) -> dict[Decimal, Decimal]:
    """What was received, including VAT, for each VAT rate of the invoice: the amount paid
    shared out as the invoice's total is, each rate's share rounded, the last one taking what
    rounding left (so that the shares add up to the amount paid)."""
    gross: dict[Decimal, Decimal] = {}
    for group in invoice.vat_breakdown:
        rate = Decimal(group["rate"])
        amount = Decimal(group["taxable_amount"]) + Decimal(group["tax_amount"])
        gross[rate] = gross.get(rate, Decimal(0)) + amount
    gross = {rate: amount for rate, amount in gross.items() if amount > 0}
    total = sum(gross.values(), Decimal(0))
    paid = invoice.amount_paid
    if not gross or total <= 0:
        return {Decimal(0): paid}
    shares, left = {}, paid
    rates = sorted(gross)
    for rate in rates[:-1]:
        shares[rate] = round_amount(paid * gross[rate] / total)
        left -= shares[rate]
    shares[rates[-1]] = left
    return {rate: amount for rate, amount in shares.items() if amount > 0}


# Sending -----------------------------------------------------------------------------------


def send_payment_status(pk: int, *, platform: Client | None = None) -> OutgoingStatus:
    """Send one queued status (again), once its invoice is on the platform. A retry sends the
    same tracking id and file: the platform answers with the flow it made the first time."""
    from comptoir.einvoicing.services import client, next_attempt

    with transaction.atomic():
        row = OutgoingStatus.objects.select_for_update().select_related("invoice").get(pk=pk)
        if row.state not in (OutgoingStatus.State.TO_SEND, OutgoingStatus.State.ERROR):
            return row
        if not row.content:
            return row  # could not be written: nothing to send
        submission = Submission.objects.filter(invoice_id=row.invoice_id).first()
        if submission is None or submission.state != Submission.State.SENT:
            row.retry_at = timezone.now() + WAIT_FOR_INVOICE
            row.message = _("Waits for the invoice to reach the platform.")
            row.save(update_fields=["retry_at", "message"])
            return row
        row.attempts += 1
        row.save(update_fields=["attempts"])
    try:
        platform = platform or client()
        flow = platform.submit(
            bytes(row.content),
            {
                "flowSyntax": "CDAR",
                "trackingId": row.tracking_id,
                "processingRule": Submission.Channel.B2B,
                "sha256": row.sha256,
                "name": f"{row.invoice.number}-CDV-{row.code}.xml",
            },
            f"{row.invoice.number}-CDV-{row.code}.xml",
        )
        acknowledgement = platform.flow(flow["flowId"]).get("acknowledgement") or {}
    except (PlatformError, ConnectionSettingsError) as error:
        with transaction.atomic():
            row = OutgoingStatus.objects.select_for_update().get(pk=pk)
            row.state = OutgoingStatus.State.ERROR
            row.message = error.message
            row.retry_at = next_attempt(row.attempts, error)
            row.save(update_fields=["state", "message", "retry_at"])
        logger.warning("Status %s of %s not sent: %s", row.code, row.invoice_id, error.message)
        return row
    with transaction.atomic():
        row = OutgoingStatus.objects.select_for_update().get(pk=pk)
        row.flow_id = flow.get("flowId", "")
        row.retry_at = None
        if acknowledgement.get("status") == "Error":  # the platform refused the message
            row.state = OutgoingStatus.State.ERROR
            details = acknowledgement.get("details") or [{}]
            row.message = _("The platform refused the message: %(reason)s") % {
                "reason": details[0].get("reasonMessage") or details[0].get("reasonCode", "")
            }
            row.save()
            return row
        row.state, row.sent_at, row.message = OutgoingStatus.State.SENT, timezone.now(), ""
        row.save()
        LifecycleStatus.objects.get_or_create(
            flow_id=row.flow_id,
            invoice_id=row.invoice_id,
            code=row.code,
            defaults={"at": row.status_at, "sent_by_us": True},
        )
    return row


def due_payment_statuses(now=None) -> list[int]:
    """Statuses to try now: those whose wait is over (after a fault, or for their invoice to
    reach the platform), and those still to send long after they were queued."""
    now = now or timezone.now()
    State = OutgoingStatus.State
    waited = OutgoingStatus.objects.filter(
        state__in=[State.ERROR, State.TO_SEND], retry_at__lte=now
    )
    forgotten = OutgoingStatus.objects.filter(
        state=State.TO_SEND, retry_at__isnull=True, created_at__lte=now - FORGOTTEN
    )
    return list((waited | forgotten).order_by("pk").values_list("pk", flat=True))


def send_due_payment_statuses() -> int:
    due = due_payment_statuses()
    for pk in due:
        send_payment_status(pk)
    return len(due)
