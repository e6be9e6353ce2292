"""Credit notes, and cancelling or correcting an issued invoice with one."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.billing.errors import BillingError
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.billing.services.drafts import (
    HEADER_COPY_FIELDS,
    LINE_COPY_FIELDS,
    _copy,
    _lock_invoices,
)
from comptoir.billing.services.issuing import issue_invoice
from comptoir.core.documents import allowances_charges_for, read_line_quantities
from comptoir.core.errors import BusinessError
from comptoir.core.money import format_quantity, round_amount
from comptoir.core.totals import line_amounts
from comptoir.pricing.documents import (
    save_documents,
)
from comptoir.sales.services import (
    refresh_order_progress,
)

# Credit notes -------------------------------------------------------------------------------------


def credit_invoice(
    invoice: Invoice,
    quantities: dict | None = None,
    *,
    by=None,
    reason: str = "",
    invoice_again: bool = False,
) -> Invoice:
    """A draft credit note for some lines and quantities of an issued invoice (all if None).

    By default it is a price reduction: the goods stay with the customer and the order keeps
    them invoiced. ``invoice_again``: what it credits is to invoice again (the goods came back,
    or the invoice is cancelled or corrected)."""
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
            supply_end_date=invoice.supply_end_date,
            notes=reason,
            invoice_again=invoice_again,
            created_by=by,
        )
        _copy(invoice, credit_note, HEADER_COPY_FIELDS)
        if whole:
            credit_note.allowances_charges = invoice.allowances_charges
        credited_lines = read_line_quantities(
            quantities,
            by_id,
            lambda source: left[source.pk],
            unknown=lambda line_id, field: BusinessError(
                BillingError.WRONG_LINE,
                _("Line %(line)s is not a line of invoice %(ref)s.")
                % {"line": line_id, "ref": invoice.reference},
                field,
            ),
            excess=lambda source, quantity, field: BusinessError(
                BillingError.TOO_MUCH_CREDITED,
                _("%(qty)s is more than the %(left)s left to credit on this line.")
                % {"qty": format_quantity(quantity), "left": format_quantity(left[source.pk])},
                field,
            ),
        )
        lines = []
        for source, quantity in credited_lines:
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
        if not whole:
            taken = {source.pk: quantity for source, quantity in credited_lines}
            left_after = {pk: qty - taken.get(pk, Decimal("0")) for pk, qty in left.items()}
            credit_note.allowances_charges = _credited_allowances_charges(
                invoice, source_lines, lines, left_after
            )
        credit_note.apply_totals(lines)
        return save_documents([(credit_note, lines)], "invoice")[0]


def _group(line) -> tuple[str, Decimal]:
    return line.vat_category, Decimal(line.vat_rate)


def _credited_allowances_charges(invoice, source_lines, lines, left_after) -> list[dict]:
    """The invoice's allowances (and charges given as a percentage) as a partial credit note
    of it states them, so that it gives back what the credited lines cost less their discount:

    - a percentage: the same percentage of the credited lines of its VAT rate;
    - an allowance given as an amount: its share of it, as the credited lines are of the lines
      of its VAT rate (rounded to the cent);
    - the credit note that credits the last of a VAT rate's lines takes what is left of each
      of them instead, as an amount.

    All the credit notes of an invoice together give back exactly what it charged, never a
    cent more. (A charge given as an amount, such as shipping, is left to a whole credit note,
    as before.)"""
    credited_groups = {_group(line) for line in lines}
    finished = {
        group
        for group in credited_groups
        if all(left_after[s.pk] <= 0 for s in source_lines if _group(s) == group)
    }
    bases: dict[tuple, Decimal] = {}  # the invoice's lines of each VAT rate, as their discounts'
    credited: dict[tuple, Decimal] = {}  # the credited lines of each VAT rate
    for source in source_lines:
        if source.deducted_line_id is None:
            bases[_group(source)] = bases.get(_group(source), Decimal("0")) + source.net_amount
    for line in lines:
        if line.deducted_line_id is None:
            net = line_amounts(line.totals_input()).net_amount
            credited[_group(line)] = credited.get(_group(line), Decimal("0")) + net
    earlier = [
        row
        for rows in Invoice.objects.filter(
            credited_invoice=invoice, kind=Invoice.Kind.CREDIT_NOTE
        ).values_list("allowances_charges", flat=True)
        for row in rows
    ]
    stated = []
    for row in invoice.allowances_charges:
        by_percent = row.get("percent") not in (None, "")
        if not by_percent and row.get("is_charge"):
            continue
        group = (row["vat_category"], Decimal(row["vat_rate"]))
        if group not in credited_groups or not bases.get(group):
            continue
        key = _credited_key(row)
        given_back = sum(
            (Decimal(x["amount"]) for x in earlier if _credited_key(x) == key), Decimal("0")
        )
        rest = Decimal(row["amount"]) - given_back
        kept = {
            "is_charge": bool(row.get("is_charge")),
            "reason": row.get("reason", ""),
            "vat_category": row["vat_category"],
            "vat_rate": row["vat_rate"],
        }
        marker = (
            {"credited_percent": row["percent"]}
            if by_percent
            else {"credited_amount": row["amount"]}
        )
        if group in finished:
            if rest > 0:
                stated.append({**kept, "amount": str(rest), **marker})
        elif by_percent:
            stated.append({**kept, "percent": row["percent"]})
        else:
            share = round_amount(Decimal(row["amount"]) * credited[group] / bases[group])
            share = min(share, rest)
            if share > 0:
                stated.append({**kept, "amount": str(share), **marker})
    return stated


def _credited_key(row: dict) -> tuple:
    """What ties an invoice's allowance or charge to the rows of its credit notes that give it
    back: its kind, reason, VAT and its percentage, or its amount."""
    percent = row.get("percent") or row.get("credited_percent")
    return (
        bool(row.get("is_charge")),
        row.get("reason", ""),
        Decimal(str(percent)) if percent not in (None, "") else None,
        None if percent not in (None, "") else row.get("credited_amount", row.get("amount")),
        row.get("vat_category"),
        Decimal(str(row.get("vat_rate") or 0)),
    )


def credit_for_return(customer_return, *, by=None) -> list[Invoice]:
    """The draft credit notes matching goods a customer sent back: for each returned order
    line, what its issued invoices still have to credit, up to the quantity returned."""
    with transaction.atomic():
        wanted: dict[int, Decimal] = {}  # order line → quantity returned, not yet credited
        for line in customer_return.lines.select_related("delivery_line"):
            key = line.delivery_line.source_line_id
            wanted[key] = wanted.get(key, Decimal("0")) + line.quantity
        for key, quantity in InvoiceLine.objects.filter(
            invoice__customer_return=customer_return
        ).values_list("source_line_id", "quantity"):
            wanted[key] = wanted.get(key, Decimal("0")) - quantity
        invoice_lines = list(
            InvoiceLine.objects.filter(
                source_line_id__in=wanted,
                invoice__kind=Invoice.Kind.INVOICE,
                invoice__status=Invoice.Status.ISSUED,
                invoice__customer_id=customer_return.customer_id,
            )
            .annotate(credited=Sum("credit_lines__quantity"))
            .order_by("invoice__date", "invoice_id", "pk")
        )
        per_invoice: dict[int, dict[int, Decimal]] = {}
        for line in invoice_lines:
            left = line.quantity - (line.credited or Decimal("0"))
            take = min(left, wanted[line.source_line_id])
            if take > 0:
                wanted[line.source_line_id] -= take
                per_invoice.setdefault(line.invoice_id, {})[line.pk] = take
        if not per_invoice:
            raise BusinessError(
                BillingError.NOT_CREDITABLE,
                _("Nothing returned has been invoiced: the order will not invoice it."),
            )
        reason = _("Goods returned (%(ref)s)") % {"ref": customer_return.number}
        invoices = Invoice.objects.in_bulk(list(per_invoice))
        credit_notes = [
            credit_invoice(invoices[pk], quantities, by=by, reason=reason, invoice_again=True)
            for pk, quantities in per_invoice.items()
        ]
        Invoice.objects.filter(pk__in=[c.pk for c in credit_notes]).update(
            customer_return=customer_return
        )
        for credit_note in credit_notes:
            credit_note.customer_return = customer_return
        return credit_notes


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
            invoice,
            by=by,
            reason=reason or _("Cancels invoice %(ref)s") % {"ref": invoice},
            invoice_again=True,
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
            supply_end_date=source.supply_end_date,
            notes=_("Replaces invoice %(ref)s.") % {"ref": source.number},
            terms=source.terms,
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
        draft.allowances_charges = allowances_charges_for(source.allowances_charges, lines)
        draft.apply_totals(lines)
        (draft,) = save_documents([(draft, lines)], "invoice")
        if source.order_id:
            refresh_order_progress({source.order_id})
        return draft
