"""Every state change of invoices and credit notes.

Issuing gives the gapless number and freezes the document (CGI art. 242 nonies A; corrections
are credit notes, never edits). Batch-first: issuing many invoices locks the series once.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.billing.errors import BillingError
from comptoir.billing.models import Invoice, InvoiceLine, SentEmail
from comptoir.billing.queries import settlements
from comptoir.billing.sealing import contents
from comptoir.core.bulk import update_rows
from comptoir.core.errors import BusinessError
from comptoir.core.journal import append as append_to_journal
from comptoir.core.messages import render as render_message
from comptoir.core.models import Company, InvoiceBasis
from comptoir.core.money import parse_decimal, round_amount, round_quantity
from comptoir.core.numbering import take_numbers
from comptoir.core.totals import line_amounts
from comptoir.core.transitions import check_transition
from comptoir.parties.models import Customer
from comptoir.pricing.documents import (
    DocumentRequest,
    build_documents,
    replace_lines,
    save_documents,
)
from comptoir.pricing.engine import LineSpec
from comptoir.pricing.models import PaymentTerms, Tax
from comptoir.sales.models import Quotation, SalesOrder, SalesOrderLine
from comptoir.sales.services import (
    check_quotation_convertible,
    quotation_lines_as_specs,
    refresh_order_progress,
)

HEADER_FIELDS = {"date", "notes", "terms", "customer_reference", "payment_terms", "supply_date"}
LINE_COPY_FIELDS = [
    "item_id",
    "item_code",
    "description",
    "is_service",
    "unit_code",
    "unit_price",
    "discount_pct",
    "tax_id",
    "vat_category",
    "vat_rate",
    "vat_exemption_reason",
]
HEADER_COPY_FIELDS = [
    "customer_id",
    "customer_name",
    "customer_siren",
    "customer_vat_id",
    "customer_is_business",
    "billing_address",
    "shipping_address",
    "currency",
    "payment_terms_id",
    "payment_terms_text",
    "customer_reference",
]


def _copy(source, target, fields) -> None:
    for name in fields:
        setattr(target, name, getattr(source, name))


def _lock_invoices(invoices) -> list[Invoice]:
    ids = [i.pk for i in invoices]
    locked = Invoice.objects.select_for_update().filter(pk__in=ids).order_by("pk").in_bulk()
    return [locked[i] for i in ids]


def _require_draft(invoice: Invoice) -> None:
    if invoice.status != Invoice.Status.DRAFT:
        raise BusinessError(
            BillingError.NOT_DRAFT,
            _("Invoice %(ref)s is issued: it can no longer be changed; credit it instead.")
            % {"ref": invoice.reference},
            "status",
        )


# Drafts -------------------------------------------------------------------------------------------


def create_invoices(requests: list[DocumentRequest], *, by=None) -> list[Invoice]:
    """Direct invoices (not from an order), as drafts."""
    with transaction.atomic():
        return save_documents(build_documents(Invoice, InvoiceLine, requests, by=by), "invoice")


def create_invoice(customer: Customer, lines: list[LineSpec], *, by=None, **header) -> Invoice:
    return create_invoices([DocumentRequest(customer, lines, header)], by=by)[0]


def update_invoice(invoice: Invoice, *, lines: list[LineSpec] | None = None, **header) -> Invoice:
    with transaction.atomic():
        (invoice,) = _lock_invoices([invoice])
        _require_draft(invoice)
        for name, value in header.items():
            if name in HEADER_FIELDS:
                setattr(invoice, name, value)
        if lines is not None:
            if invoice.order_id:
                raise BusinessError(
                    BillingError.NOT_DRAFT,
                    _("The lines of an invoice made from an order follow the order."),
                    "lines",
                )
            replace_lines(invoice, InvoiceLine, "invoice", lines)
        invoice.save()
        return invoice


def delete_invoice(invoice: Invoice, *, by=None) -> None:
    with transaction.atomic():
        (invoice,) = _lock_invoices([invoice])
        _require_draft(invoice)
        order_id = invoice.order_id
        invoice.lines.all().delete()
        invoice.delete()
        if order_id:
            refresh_order_progress({order_id})


def invoice_quotation(quotation: Quotation, *, by=None) -> Invoice:
    """An accepted quotation invoiced straight away (services, or goods sold at the counter)."""
    with transaction.atomic():
        quotation = Quotation.objects.select_for_update().get(pk=quotation.pk)
        check_quotation_convertible(quotation)
        return create_invoice(
            quotation.customer,
            quotation_lines_as_specs(quotation),
            by=by,
            quotation=quotation,
            customer_reference=quotation.customer_reference,
            notes=quotation.notes,
            terms=quotation.terms,
            payment_terms=quotation.payment_terms,
            allowances_charges=quotation.allowances_charges,
        )


def invoice_orders(orders: list[SalesOrder], *, by=None, day=None) -> list[Invoice]:
    """One draft invoice per order, for what is delivered (or ordered, by company setting) and
    not yet invoiced. Lines keep the order's prices and point to their order line (lineage)."""
    day = day or timezone.localdate()
    with transaction.atomic():
        basis = Company.get().invoice_basis
        ids = [o.pk for o in orders]
        locked = SalesOrder.objects.select_for_update().in_bulk(ids)
        lines_by_order: dict[int, list] = {}
        for line in SalesOrderLine.objects.filter(order_id__in=ids).order_by(
            "order_id", "position", "pk"
        ):
            lines_by_order.setdefault(line.order_id, []).append(line)
        already = set(
            Invoice.objects.filter(order_id__in=ids, kind=Invoice.Kind.INVOICE).values_list(
                "order_id", flat=True
            )
        )
        pending: dict[int, list[InvoiceLine]] = {}
        for line in _pending_down_payment_lines(ids):
            pending.setdefault(line.invoice.order_id, []).append(line)
        built = []
        for order_id in ids:
            order = locked[order_id]
            if order.status not in (SalesOrder.Status.CONFIRMED, SalesOrder.Status.DONE):
                raise BusinessError(
                    BillingError.ORDER_NOT_CONFIRMED,
                    _("Order %(ref)s is not confirmed: it cannot be invoiced.")
                    % {"ref": order.reference},
                )
            invoice = Invoice(order=order, date=day, created_by=by, supply_date=day)
            _copy(order, invoice, HEADER_COPY_FIELDS)
            if order_id not in already:
                invoice.allowances_charges = order.allowances_charges
            lines = []
            for source in lines_by_order.get(order_id, []):
                ceiling = (
                    source.quantity
                    if basis == InvoiceBasis.ORDERED or source.is_service
                    else source.quantity_delivered
                )
                quantity = ceiling - source.quantity_invoiced
                if quantity <= 0:
                    continue
                line = InvoiceLine(position=len(lines) + 1, source_line=source, quantity=quantity)
                _copy(source, line, LINE_COPY_FIELDS)
                lines.append(line)
            if not lines:
                raise BusinessError(
                    BillingError.NOTHING_TO_INVOICE,
                    _("Nothing is left to invoice on order %(ref)s.") % {"ref": order.reference},
                )
            lines += _deductions(pending.get(order_id, []), lines)
            invoice.apply_totals(lines)
            built.append((invoice, lines))
        invoices = save_documents(built, "invoice")
        refresh_order_progress(ids)
        return invoices


def invoice_order(order: SalesOrder, *, by=None) -> Invoice:
    return invoice_orders([order], by=by)[0]


# Down payments -----------------------------------------------------------------------------------


def _pending_down_payment_lines(order_ids):
    """Lines of issued down-payment invoices that no invoice deducts yet (a draft counts)."""
    return list(
        InvoiceLine.objects.filter(
            invoice__order_id__in=order_ids,
            invoice__kind=Invoice.Kind.DOWN_PAYMENT,
            invoice__status=Invoice.Status.ISSUED,
            deductions__isnull=True,
        )
        .select_related("invoice")
        .order_by("invoice__number", "position")
    )


def _deductions(pending: list[InvoiceLine], lines: list[InvoiceLine]) -> list[InvoiceLine]:
    """Negative lines taking the down payments off this invoice, with their VAT, when the
    invoice is large enough to bear them (otherwise a later invoice of the order will)."""
    invoiced = sum((line_amounts(x.totals_input()).net_amount for x in lines), Decimal("0"))
    if not pending or sum(x.net_amount for x in pending) > invoiced:
        return []
    deductions = []
    for source in pending:
        line = InvoiceLine(position=len(lines) + len(deductions) + 1, deducted_line=source)
        _copy(source, line, LINE_COPY_FIELDS)
        line.quantity = Decimal("-1")
        line.item_id, line.item_code = None, ""
        line.description = _("Down payment %(ref)s deducted") % {"ref": source.invoice.number}
        deductions.append(line)
    return deductions


def create_down_payment(order: SalesOrder, *, percent=None, amount=None, by=None) -> Invoice:
    """A down-payment invoice (type 386) on a confirmed order, as a draft: a share of each of
    the order's VAT groups, given as a percentage or as an amount including VAT. The final
    invoice of the order deducts it."""
    with transaction.atomic():
        order = SalesOrder.objects.select_for_update().get(pk=order.pk)
        if order.status not in (SalesOrder.Status.CONFIRMED, SalesOrder.Status.DONE):
            raise BusinessError(
                BillingError.ORDER_NOT_CONFIRMED,
                _("Order %(ref)s is not confirmed.") % {"ref": order.reference},
            )
        if (percent is None) == (amount is None):
            raise BusinessError(
                BillingError.DOWN_PAYMENT, _("Give a percentage or an amount."), "percent"
            )
        if percent is not None:
            ratio = parse_decimal(percent, field="percent") / 100
        else:
            ratio = parse_decimal(amount, field="amount") / order.total_gross
        already = Invoice.objects.filter(order=order, kind=Invoice.Kind.DOWN_PAYMENT).aggregate(
            total=Sum("total_gross")
        )["total"] or Decimal("0")
        if not 0 < ratio <= 1 or already + order.total_gross * ratio > order.total_gross:
            raise BusinessError(
                BillingError.DOWN_PAYMENT,
                _("Down payments cannot exceed the order's total (%(total)s).")
                % {"total": order.total_gross},
                "percent" if percent is not None else "amount",
            )
        invoice = Invoice(
            kind=Invoice.Kind.DOWN_PAYMENT,
            order=order,
            date=timezone.localdate(),
            supply_date=timezone.localdate(),
            created_by=by,
        )
        _copy(order, invoice, HEADER_COPY_FIELDS)
        taxes = {(t.category, Decimal(t.rate)): t for t in Tax.objects.all()}
        lines = []
        for group in order.vat_breakdown:
            net = round_amount(Decimal(group["taxable_amount"]) * ratio)
            if net <= 0:
                continue
            rate = Decimal(group["rate"])
            line = InvoiceLine(
                position=len(lines) + 1,
                description=_("Down payment on order %(ref)s") % {"ref": order.reference},
                is_service=False,
                unit_code="C62",
                quantity=Decimal("1"),
                unit_price=net,
                tax=taxes.get((group["category"], rate)),
                vat_category=group["category"],
                vat_rate=rate,
                vat_exemption_reason=group.get("exemption_reason", ""),
            )
            lines.append(line)
        if not lines:
            raise BusinessError(
                BillingError.DOWN_PAYMENT, _("This down payment would be zero."), "percent"
            )
        invoice.apply_totals(lines)
        return save_documents([(invoice, lines)], "invoice")[0]


# Issuing ------------------------------------------------------------------------------------------


def issue_invoices(invoices: list[Invoice], *, by=None, day=None) -> list[Invoice]:
    """Number and freeze draft invoices and credit notes, dated the day they are issued."""
    day = day or timezone.localdate()
    with transaction.atomic():
        invoices = _lock_invoices(invoices)
        counts = dict(
            InvoiceLine.objects.filter(invoice__in=invoices)
            .order_by()
            .values_list("invoice_id")
            .annotate(n=Count("pk"))
        )
        terms = PaymentTerms.objects.in_bulk(
            {i.payment_terms_id for i in invoices if i.payment_terms_id}
        )
        now = timezone.now()
        series: dict[str, list[Invoice]] = {}
        for invoice in invoices:
            check_transition(invoice, Invoice.Status.ISSUED)
            if not counts.get(invoice.pk):
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
            invoice.supply_date = invoice.supply_date or day
            invoice.issued_at = now
            invoice.issued_by = by
            payment_terms = terms.get(invoice.payment_terms_id)
            invoice.due_date = payment_terms.due_date(day) if payment_terms else day
            key = "credit_note" if invoice.kind == Invoice.Kind.CREDIT_NOTE else "invoice"
            series.setdefault(key, []).append(invoice)
        for key, members in series.items():
            for invoice, number in zip(members, take_numbers(key, day, len(members)), strict=True):
                invoice.number = number
        fields = ["status", "number", "date", "supply_date", "due_date", "issued_at", "issued_by"]
        # Still drafts in the database until this write, inside this transaction.
        update_rows(
            Invoice,
            fields,
            [
                (i.pk, *(getattr(i, f if f != "issued_by" else "issued_by_id") for f in fields))
                for i in invoices
            ],
        )
        sealed = contents(invoices)
        append_to_journal([(i.kind, i.pk, i.number, sealed[i.pk]) for i in invoices])
        _store_files_later([i.pk for i in invoices])
        refresh_settlements(
            [i.credited_invoice_id or i.pk for i in invoices]  # a credit note settles its invoice
        )
        # Draft invoices already count as invoiced; only an issued credit note gives quantities
        # back to its orders.
        credit_notes = [i for i in invoices if i.kind == Invoice.Kind.CREDIT_NOTE]
        if credit_notes:
            refresh_order_progress(
                InvoiceLine.objects.filter(invoice__in=credit_notes, source_line__isnull=False)
                .values_list("source_line__order_id", flat=True)
                .distinct()
            )
        return invoices


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
        ["amount_paid", "amount_credited", "amount_due"],
        [(pk, s.paid, s.credited, s.outstanding) for pk, s in truth.items()],
    )


def issue_invoice(invoice: Invoice, *, by=None) -> Invoice:
    return issue_invoices([invoice], by=by)[0]


# Credit notes -------------------------------------------------------------------------------------


def credit_invoice(
    invoice: Invoice, quantities: dict | None = None, *, by=None, reason: str = ""
) -> Invoice:
    """A draft credit note for some lines and quantities of an issued invoice (all if None)."""
    with transaction.atomic():
        (invoice,) = _lock_invoices([invoice])
        if invoice.status != Invoice.Status.ISSUED:
            raise BusinessError(
                BillingError.NOT_ISSUED, _("Only an issued invoice can be credited."), "status"
            )
        if invoice.kind == Invoice.Kind.CREDIT_NOTE:
            raise BusinessError(
                BillingError.NOT_CREDITABLE, _("A credit note cannot be credited."), "kind"
            )
        source_lines = list(invoice.lines.all())
        credited = dict(
            InvoiceLine.objects.filter(credited_line__in=source_lines)
            .order_by()
            .values_list("credited_line_id")
            .annotate(q=Sum("quantity"))
        )
        left = {
            line.pk: line.quantity - credited.get(line.pk, Decimal("0")) for line in source_lines
        }
        whole = quantities is None and not credited
        if quantities is None:
            quantities = {pk: qty for pk, qty in left.items() if qty > 0}
        by_id = {line.pk: line for line in source_lines}
        credit_note = Invoice(
            kind=Invoice.Kind.CREDIT_NOTE,
            credited_invoice=invoice,
            order_id=invoice.order_id,
            date=timezone.localdate(),
            supply_date=invoice.supply_date,
            notes=reason,
            created_by=by,
        )
        _copy(invoice, credit_note, HEADER_COPY_FIELDS)
        if whole:
            credit_note.allowances_charges = invoice.allowances_charges
        lines = []
        for line_id, raw in quantities.items():
            field = f"lines.{line_id}"
            quantity = round_quantity(parse_decimal(raw, field=field))
            if quantity == 0:
                continue
            source = by_id.get(int(line_id))
            if source is None:
                raise BusinessError(
                    BillingError.WRONG_LINE,
                    _("Line %(line)s is not a line of invoice %(ref)s.")
                    % {"line": line_id, "ref": invoice.reference},
                    field,
                )
            if quantity < 0 or quantity > left[source.pk]:
                raise BusinessError(
                    BillingError.TOO_MUCH_CREDITED,
                    _("%(qty)s is more than the %(left)s left to credit on this line.")
                    % {"qty": quantity, "left": left[source.pk]},
                    field,
                )
            line = InvoiceLine(
                position=len(lines) + 1,
                quantity=quantity,
                credited_line=source,
                source_line_id=source.source_line_id,
            )
            _copy(source, line, LINE_COPY_FIELDS)
            lines.append(line)
        if not lines:
            raise BusinessError(
                BillingError.NOT_CREDITABLE, _("Nothing is left to credit on this invoice.")
            )
        credit_note.apply_totals(lines)
        return save_documents([(credit_note, lines)], "invoice")[0]


# Cancelling and correcting an issued invoice ----------------------------------------------------


def _check_cancellable(invoice: Invoice) -> None:
    if invoice.amount_paid > 0:
        raise BusinessError(
            BillingError.PAID,
            _(
                "Invoice %(ref)s has payments: it can only be credited (a refund or the "
                "customer's credit)."
            )
            % {"ref": invoice.reference},
            "status",
        )


def cancel_invoice(invoice: Invoice, *, by=None, reason: str = "") -> Invoice:
    """Cancel an issued, unpaid invoice: its full credit note, issued at once."""
    with transaction.atomic():
        (invoice,) = _lock_invoices([invoice])
        _check_cancellable(invoice)
        credit_note = credit_invoice(
            invoice, by=by, reason=reason or _("Cancels invoice %(ref)s") % {"ref": invoice}
        )
        return issue_invoice(credit_note, by=by)


def correct_invoice(invoice: Invoice, *, by=None, reason: str = "") -> Invoice:
    """Cancel an issued, unpaid invoice by credit note and open a draft copy of it to fix.

    The copy takes the lines the cancellation credited (the invoice less earlier credit
    notes), with their prices and links to the order lines, so what the order has invoiced
    stays right."""
    with transaction.atomic():
        credit_note = cancel_invoice(
            invoice, by=by, reason=reason or _("Corrects invoice %(ref)s") % {"ref": invoice}
        )
        source = Invoice.objects.get(pk=invoice.pk)
        draft = Invoice(
            kind=source.kind,
            order_id=source.order_id,
            quotation_id=source.quotation_id,
            date=timezone.localdate(),
            supply_date=source.supply_date,
            notes=_("Replaces invoice %(ref)s.") % {"ref": source.number},
            terms=source.terms,
            allowances_charges=source.allowances_charges,
            created_by=by,
        )
        _copy(source, draft, HEADER_COPY_FIELDS)
        lines = []
        for old in credit_note.lines.all():  # what the invoice still stated before the cancel
            line = InvoiceLine(
                position=old.position, quantity=old.quantity, source_line_id=old.source_line_id
            )
            _copy(old, line, LINE_COPY_FIELDS)
            lines.append(line)
        draft.apply_totals(lines)
        (draft,) = save_documents([(draft, lines)], "invoice")
        if source.order_id:
            refresh_order_progress({source.order_id})
        return draft


# Sending by e-mail ------------------------------------------------------------------------------


def message_for(invoice: Invoice) -> tuple[str, str]:
    """The subject and body of the message that sends this document, from its template, in
    the company's language (customers have no language of their own yet)."""
    from django.conf import settings
    from django.utils import formats, translation

    company = Company.get()
    with translation.override(settings.LANGUAGE_CODE):
        return _render_message(invoice, company, formats)


def _render_message(invoice: Invoice, company: Company, formats) -> tuple[str, str]:
    return render_message(
        invoice.kind,
        {
            "number": invoice.number,
            "customer": invoice.customer_name,
            "date": formats.date_format(invoice.date, "SHORT_DATE_FORMAT"),
            "due_date": formats.date_format(invoice.due_date, "SHORT_DATE_FORMAT")
            if invoice.due_date
            else "",
            "total": f"{formats.number_format(invoice.total_gross, 2, use_l10n=True)} "
            f"{invoice.currency}",
            "company": company.trade_name or company.legal_name,
        },
    )


def send_invoice(
    invoice: Invoice, *, to: list[str], subject: str = "", body: str = "", by=None
) -> SentEmail:
    """E-mail an issued invoice or credit note with its Factur-X PDF attached."""
    import smtplib

    from django.core.mail import EmailMessage
    from django.core.validators import validate_email

    from comptoir.billing.files import read, store_files

    if invoice.status != Invoice.Status.ISSUED:
        raise BusinessError(
            BillingError.NOT_ISSUED, _("Only an issued document can be sent."), "status"
        )
    recipients = [address.strip() for address in to if address.strip()]
    if not recipients:
        raise BusinessError(BillingError.NO_RECIPIENT, _("Give an e-mail address."), "to")
    for address in recipients:
        try:
            validate_email(address)
        except ValidationError:
            raise BusinessError(
                BillingError.NO_RECIPIENT,
                _("“%(address)s” is not an e-mail address.") % {"address": address},
                "to",
            ) from None
    default_subject, default_body = message_for(invoice)
    message = EmailMessage(subject or default_subject, body or default_body, to=recipients)
    message.attach(f"{invoice.number}.pdf", read(store_files(invoice), "pdf"), "application/pdf")
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        raise BusinessError(
            BillingError.SEND_FAILED,
            _("The message could not be sent: %(error)s") % {"error": error},
        ) from None
    return SentEmail.objects.create(
        invoice=invoice, to=", ".join(recipients), subject=message.subject, sent_by=by
    )
