"""Issuing: the gapless number, the journal seal, the stored settlement."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.billing.costs import fix_costs
from comptoir.billing.errors import BillingError
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.billing.queries import settlements
from comptoir.billing.sealing import contents
from comptoir.billing.services.drafts import _lock_invoices, _refuse_sealed, check_expected_date
from comptoir.billing.signals import issued, settled
from comptoir.core import audit
from comptoir.core.bulk import update_rows
from comptoir.core.errors import BusinessError
from comptoir.core.journal import append as append_to_journal
from comptoir.core.numbering import take_numbers
from comptoir.core.transitions import check_transition
from comptoir.pricing.coupons import redeem
from comptoir.pricing.documents import DocumentRequest, build_documents, save_documents
from comptoir.pricing.models import PaymentTerms
from comptoir.pricing.services import refuse_franchise_on
from comptoir.sales.services import (
    refresh_order_progress,
)

# Issuing ------------------------------------------------------------------------------------------


ISSUE_FIELDS = [
    "status",
    "number",
    "date",
    "supply_date",
    "due_date",
    "issued_at",
    "issued_by",
    "amount_paid",
    "amount_credited",
    "amount_due",
]


def issue_invoices(invoices: list[Invoice], *, by=None, day=None) -> list[Invoice]:
    """Number and freeze draft invoices and credit notes, dated the day they are issued."""
    with transaction.atomic():
        invoices = _lock_invoices(invoices)
        _refuse_sealed(invoices)
        for invoice in invoices:
            refuse_franchise_on(invoice)
        lines: dict[int, list[InvoiceLine]] = {invoice.pk: [] for invoice in invoices}
        for line in InvoiceLine.objects.filter(invoice__in=invoices).only(*COSTED_FIELDS):
            lines[line.invoice_id].append(line)
        _mark_issued([(i, len(lines[i.pk])) for i in invoices], by=by, day=day)
        _fix_line_costs([(i, lines[i.pk]) for i in invoices])
        # Still drafts in the database until this write, inside this transaction.
        update_rows(
            Invoice,
            ISSUE_FIELDS,
            [(i.pk, *(getattr(i, _attname(f)) for f in ISSUE_FIELDS)) for i in invoices],
        )
        audit.record(invoices, by=by)
        _seal(invoices)
        credit_notes = [i for i in invoices if i.kind == Invoice.Kind.CREDIT_NOTE]
        if credit_notes:
            refresh_settlements([i.credited_invoice_id for i in credit_notes])
            # Draft invoices already count as invoiced; only an issued credit note gives
            # quantities back to its orders.
            refresh_order_progress(
                InvoiceLine.objects.filter(invoice__in=credit_notes, source_line__isnull=False)
                .values_list("source_line__order_id", flat=True)
                .distinct()
            )
        return invoices


def create_issued_invoices(
    requests: list[DocumentRequest], *, by=None, day=None, paid: list[Decimal] | None = None
) -> list[Invoice]:
    """Direct invoices issued as they are created (an import's): numbered and sealed as they
    are written, rather than written as drafts and then written again.

    ``paid`` (one amount per request) is what payments registered in the same transaction
    will allocate to each invoice (``register_payments(…, settled=True)``): the invoices are
    written with it already counted in their settlement, never written a second time.
    """
    with transaction.atomic():
        built = build_documents(Invoice, InvoiceLine, requests, by=by)
        _mark_issued([(invoice, len(lines)) for invoice, lines in built], by=by, day=day)
        fix_costs(built)
        for (invoice, _lines), amount in zip(built, paid or [], strict=False):
            invoice.amount_paid = min(amount, invoice.total_gross)
            invoice.amount_due = invoice.total_gross - invoice.amount_paid
        invoices = save_documents(built, "invoice")
        redeem([invoice for invoice in invoices if invoice.coupon_code], by=by)
        _seal(invoices, [line for _invoice, lines in built for line in lines])
        if paid:
            settled.send(sender=Invoice, invoice_ids=[invoice.pk for invoice in invoices])
        return invoices


def _fix_line_costs(documents: list[tuple[Invoice, list[InvoiceLine]]]) -> None:
    """The cost of what the drafts being issued sell, written on their lines while they are
    still drafts (``billing.costs``)."""
    fix_costs(documents)
    rows = [(line.pk, line.cost_amount) for _invoice, lines in documents for line in lines]
    if rows:
        update_rows(InvoiceLine, ["cost_amount"], rows)


COSTED_FIELDS = [
    "pk",
    "invoice_id",
    "item_id",
    "quantity",
    "source_line_id",
    "credited_line_id",
    "deducted_line_id",
]


def _attname(name: str) -> str:
    return "issued_by_id" if name == "issued_by" else name


def _mark_issued(invoices: list[tuple[Invoice, int]], *, by, day) -> None:
    """Check each (invoice, number of lines) may be issued; give it its number, dates and
    first settlement (nothing is paid or credited before an invoice is issued)."""
    day = day or timezone.localdate()
    terms = PaymentTerms.objects.in_bulk(
        {i.payment_terms_id for i, _n in invoices if i.payment_terms_id}
    )
    series: dict[str, list[Invoice]] = {}
    for invoice, line_count in invoices:
        check_transition(invoice, Invoice.Status.ISSUED)
        if not line_count:
            raise BusinessError(
                BillingError.NO_LINES, _("An invoice without lines cannot be issued."), "lines"
            )
        if invoice.total_gross < 0:
            raise BusinessError(
                BillingError.NEGATIVE_TOTAL,
                _("A negative total is a credit note, not an invoice."),
                "lines",
            )
        invoice.status = Invoice.Status.ISSUED
        invoice.date = day
        if invoice.kind == Invoice.Kind.DOWN_PAYMENT:  # it supplies nothing yet
            check_expected_date(invoice)
        elif invoice.kind == Invoice.Kind.INVOICE:  # a credit note keeps its invoice's
            invoice.supply_date = invoice.supply_date or day
        invoice.issued_by = by
        payment_terms = terms.get(invoice.payment_terms_id)
        invoice.due_date = payment_terms.due_date(day) if payment_terms else day
        if invoice.kind == Invoice.Kind.CREDIT_NOTE:
            series.setdefault("credit_note", []).append(invoice)
        else:
            invoice.amount_paid = invoice.amount_credited = Decimal("0")
            invoice.amount_due = invoice.total_gross
            series.setdefault("invoice", []).append(invoice)
    for key, members in series.items():
        for invoice, number in zip(members, take_numbers(key, day, len(members)), strict=True):
            invoice.number = number
    # Taken under the numbering locks, which are held until the commit: a later number never
    # carries an earlier time.
    now = timezone.now()
    for invoice, _n in invoices:
        invoice.issued_at = now


def _seal(invoices: list[Invoice], written_lines: list[InvoiceLine] | None = None) -> None:
    """Seal the issued documents in the journal; their files are made after the commit."""
    sealed = contents(invoices, written_lines)
    append_to_journal([(i.kind, i.pk, i.number, sealed[i.pk]) for i in invoices])
    _store_files_later([i.pk for i in invoices])
    issued.send(sender=Invoice, invoices=invoices)


def _store_files_later(invoice_ids: list[int]) -> None:
    """Once the issuing commits, the worker makes and stores the documents' PDF and XML
    (else the first download makes them)."""
    from django.conf import settings

    from comptoir.billing.tasks import store_issued_files

    if settings.COMPTOIR_STORE_FILES_AFTER_ISSUE:
        transaction.on_commit(lambda: store_issued_files.enqueue(invoice_ids))


def refresh_settlements(invoice_ids) -> None:
    """Store what issued invoices have been paid and credited and what they still owe.

    The only write to an issued invoice: these columns follow its payments and credit notes,
    what the invoice states never changes. Called inside the transaction that changed them.
    """
    truth = settlements(
        Invoice.objects.filter(pk__in=list(set(invoice_ids)), status=Invoice.Status.ISSUED)
        .exclude(kind=Invoice.Kind.CREDIT_NOTE)
        .values_list("pk", flat=True)
    )
    update_rows(
        Invoice,
        list(Invoice.SETTLEMENT_FIELDS),
        [(pk, s.paid, s.credited, s.outstanding) for pk, s in truth.items()],
    )
    settled.send(sender=Invoice, invoice_ids=list(truth))


def issue_invoice(invoice: Invoice, *, by=None) -> Invoice:
    return issue_invoices([invoice], by=by)[0]
