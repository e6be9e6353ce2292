"""Drafts of invoices: direct, from quotations and orders; down payments and their deduction."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.billing.errors import BillingError
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.core.documents import (
    allowances_charges_as_amounts,
    allowances_charges_for,
    is_percentage,
)
from comptoir.core.errors import BusinessError
from comptoir.core.models import Company, InvoiceBasis, JournalEntry
from comptoir.core.money import format_amount, parse_decimal, round_amount
from comptoir.core.totals import line_amounts
from comptoir.parties.models import Customer
from comptoir.pricing.coupons import redeem, release
from comptoir.pricing.documents import (
    DocumentRequest,
    build_documents,
    replace_lines,
    reprice_document,
    save_documents,
)
from comptoir.pricing.engine import LineSpec
from comptoir.pricing.models import Tax
from comptoir.sales.models import Quotation, SalesOrder, SalesOrderLine
from comptoir.sales.services import (
    check_quotation_convertible,
    quotation_header,
    quotation_lines_as_specs,
    refresh_order_progress,
)
from comptoir.stock.models import DeliveryNote, DeliveryNoteLine

HEADER_FIELDS = {
    "date",
    "notes",
    "terms",
    "customer_reference",
    "payment_terms",
    "supply_date",
    "supply_end_date",
    "allowances_charges",
    "shipping_method",
    "coupon_code",
}
LINE_COPY_FIELDS = [
    "is_shipping",
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
    "vat_exemption_code",
    "price_explanation",
    "promotion_code",
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
    _refuse_sealed([invoice])


def _refuse_sealed(invoices: list[Invoice]) -> None:
    """A draft with a number or a journal entry was issued, then set back to draft outside
    Comptoir: the journal keeps it as issued, so it is neither changed nor issued again."""
    drafts = {i.pk: i for i in invoices if i.status == Invoice.Status.DRAFT}
    sealed = dict(
        JournalEntry.objects.filter(document_id__in=drafts, kind__in=Invoice.Kind.values)
        .order_by()
        .values_list("document_id", "number")
    )
    for pk, invoice in drafts.items():
        number = sealed.get(pk) or invoice.number
        if number:
            raise BusinessError(
                BillingError.SEALED,
                _(
                    "Invoice %(number)s was issued and is sealed in the journal, although it "
                    "now reads as a draft: it was altered outside Comptoir and can be neither "
                    "changed nor issued again."
                )
                % {"number": number},
                "status",
            )


def check_expected_date(down_payment: Invoice) -> None:
    """A down payment on an intra-community supply states the expected date of supply: the
    e-invoice of such a supply gives its date or period (EN 16931, BR-IC-11)."""
    intra_eu = any(group["category"] == "K" for group in down_payment.vat_breakdown)
    if intra_eu and not down_payment.supply_date:
        raise BusinessError(
            BillingError.SUPPLY_PERIOD,
            _(
                "An invoice of an intra-community supply states when the goods are delivered: "
                "give the expected date of supply."
            ),
            "supply_date",
        )


def shipping_days(documents: list[list[InvoiceLine]]) -> list[tuple[dt.date, dt.date] | None]:
    """For each new invoice's lines, the first and last shipping days of the deliveries they
    bill (None when they bill no shipped goods), in one query. Each order line's shipped
    deliveries are billed in the order they shipped: those its earlier invoices billed first,
    then these lines'."""
    billed = {
        line.source_line_id: (index, line.source_line.quantity_invoiced, line.quantity)
        for index, lines in enumerate(documents)
        for line in lines
        if line.source_line_id and line.quantity > 0
    }
    shipped: dict[int, Decimal] = {}
    days: list[list[dt.date]] = [[] for _lines in documents]
    for line_id, quantity, day in (
        DeliveryNoteLine.objects.filter(
            source_line_id__in=billed, delivery__status=DeliveryNote.Status.SHIPPED
        )
        .order_by("delivery__date", "delivery_id", "pk")
        .values_list("source_line_id", "quantity", "delivery__date")
    ):
        index, before, now = billed[line_id]
        start = shipped.get(line_id, Decimal("0"))
        shipped[line_id] = start + quantity
        if start < before + now and start + quantity > before:
            days[index].append(day)
    return [(min(found), max(found)) if found else None for found in days]


# Drafts -------------------------------------------------------------------------------------------


def create_invoices(requests: list[DocumentRequest], *, by=None) -> list[Invoice]:
    """Direct invoices (not from an order), as drafts."""
    with transaction.atomic():
        built = build_documents(Invoice, InvoiceLine, requests, by=by)
        for invoice, _lines in built:
            invoice.check_header()
        invoices = save_documents(built, "invoice")
        redeem([invoice for invoice in invoices if invoice.coupon_code], by=by)
        return invoices


def create_invoice(customer: Customer, lines: list[LineSpec], *, by=None, **header) -> Invoice:
    return create_invoices([DocumentRequest(customer, lines, header)], by=by)[0]


def update_invoice(
    invoice: Invoice, *, lines: list[LineSpec] | None = None, by=None, **header
) -> Invoice:
    with transaction.atomic():
        (invoice,) = _lock_invoices([invoice])
        _require_draft(invoice)
        method_before = invoice.shipping_method_id
        coupon_before = invoice.coupon_code
        for name, value in header.items():
            if name in HEADER_FIELDS:
                setattr(invoice, name, value)
        invoice.check_header()
        replaced = False
        if lines is not None:
            stored = list(invoice.lines.order_by("position", "pk"))
            if invoice.order_id or any(x.source_line_id or x.deducted_line_id for x in stored):
                # Their lineage to the order lines stays: the header alone may change (the
                # form sends the lines back as they are).
                # A promotion's lines are not sent back (its own, not the user's).
                if not _same_lines([x for x in stored if not x.promotion_code], lines):
                    raise BusinessError(
                        BillingError.NOT_DRAFT,
                        _("The lines of an invoice made from an order follow the order."),
                        "lines",
                    )
            else:
                replace_lines(invoice, InvoiceLine, "invoice", lines, by=by)
                replaced = True
        if not replaced and (
            invoice.shipping_method_id != method_before
            or "allowances_charges" in header
            or invoice.coupon_code != coupon_before
        ):
            reprice_document(invoice, InvoiceLine, "invoice")
        invoice.save()
        if invoice.coupon_code or coupon_before:
            redeem([invoice], by=by)
        return invoice


def _same_lines(stored: list[InvoiceLine], specs: list[LineSpec]) -> bool:
    """Whether the lines asked for are the stored ones (what is left out being as stored)."""
    return len(stored) == len(specs) and all(
        (spec.item.pk if spec.item else None) == line.item_id
        and spec.quantity == line.quantity
        and spec.unit_price in (None, line.unit_price)
        and spec.discount_pct in (None, line.discount_pct)
        and spec.description in (None, line.description)
        and (spec.tax is None or spec.tax.pk == line.tax_id)
        for line, spec in zip(stored, specs, strict=True)
    )


def delete_invoice(invoice: Invoice, *, by=None) -> None:
    with transaction.atomic():
        (invoice,) = _lock_invoices([invoice])
        _require_draft(invoice)
        order_id = invoice.order_id
        release(invoice)
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
            **quotation_header(quotation),
        )


def invoice_orders(orders: list[SalesOrder], *, by=None, day=None) -> list[Invoice]:
    """One draft invoice per order, for what is delivered (or ordered, by company setting) and
    not yet invoiced. Lines keep the order's prices and point to their order line (lineage)."""
    basis = Company.get().invoice_basis

    def quantity(line: SalesOrderLine) -> Decimal:
        ordered = basis == InvoiceBasis.ORDERED or line.is_service
        return (line.quantity if ordered else line.quantity_delivered) - line.quantity_invoiced

    with transaction.atomic():
        ids = [o.pk for o in orders]
        return _invoice_groups([[pk] for pk in ids], quantity, by=by, day=day)


def invoice_deliveries(*, up_to, customer=None, by=None, day=None) -> list[Invoice]:
    """Invoice every delivery shipped up to a date and not yet invoiced, for one customer or
    for all: one draft invoice per customer, or per order for customers who ask for it."""
    with transaction.atomic():
        lines = SalesOrderLine.objects.filter(
            order__status__in=(SalesOrder.Status.CONFIRMED, SalesOrder.Status.DONE),
            is_service=False,
        ).order_by()
        if customer is not None:
            lines = lines.filter(order__customer=customer)
        shipped = dict(
            lines.filter(
                delivery_lines__delivery__status="shipped",
                delivery_lines__delivery__date__lte=up_to,
            )
            .values_list("pk")
            .annotate(q=Sum("delivery_lines__quantity"))
        )
        returned = dict(
            lines.filter(delivery_lines__return_lines__customer_return__date__lte=up_to)
            .values_list("pk")
            .annotate(q=Sum("delivery_lines__return_lines__quantity"))
        )
        invoiced = dict(lines.filter(pk__in=shipped).values_list("pk", "quantity_invoiced"))
        due = {pk: q - returned.get(pk, Decimal("0")) - invoiced[pk] for pk, q in shipped.items()}
        due = {pk: q for pk, q in due.items() if q > 0}
        orders = (
            SalesOrder.objects.filter(lines__pk__in=due)
            .distinct()
            .select_related("customer")
            .order_by("customer__code", "pk")
        )
        groups: dict[object, list[int]] = {}
        for order in orders:
            key = order.pk if order.customer.invoice_per_order else f"c{order.customer_id}"
            groups.setdefault(key, []).append(order.pk)
        if not groups:
            return []
        return _invoice_groups(
            list(groups.values()), lambda line: due.get(line.pk, Decimal("0")), by=by, day=day
        )


def _order_allowances_charges(order, lines, *, first: bool, alone: bool) -> list[dict]:
    """What an invoice of these lines of the order takes of its allowances and charges: those
    given as an amount on its first invoice only, those given as a percentage on each invoice
    (of the lines it bills). On an invoice of several orders, each order's percentage is of its
    own lines: it is stated as the amount it comes to."""
    rows = [row for row in order.allowances_charges if first or is_percentage(row)]
    if not lines:
        return [row for row in rows if not is_percentage(row)]
    if alone:
        return allowances_charges_for(rows, lines)
    return allowances_charges_as_amounts(rows, lines)


def _invoice_groups(groups: list[list[int]], quantity, *, by, day) -> list[Invoice]:
    """One draft invoice per group of orders (of one customer), with ``quantity(order line)``
    of each line; each order's down payments are deducted, its document allowances and
    charges taken by its first invoice."""
    day = day or timezone.localdate()
    ids = [pk for group in groups for pk in group]
    locked = SalesOrder.objects.select_for_update().order_by("pk").in_bulk(ids)
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
    already |= set(
        InvoiceLine.objects.filter(
            source_line__order_id__in=ids, invoice__kind=Invoice.Kind.INVOICE
        ).values_list("source_line__order_id", flat=True)
    )
    pending: dict[int, list[InvoiceLine]] = {}
    for line in _pending_down_payment_lines(ids):
        pending.setdefault(line.invoice.order_id, []).append(line)
    built = []
    for group in groups:
        orders = [locked[pk] for pk in group]
        first = orders[0]
        invoice = Invoice(order=first if len(orders) == 1 else None, date=day, created_by=by)
        _copy(first, invoice, HEADER_COPY_FIELDS)
        # The order's coupon goes with its invoice (its discount is in the order's allowances).
        invoice.coupon_code = first.coupon_code if len(orders) == 1 else ""
        invoice.allowances_charges = []
        lines = []
        for order in orders:
            if order.status not in (SalesOrder.Status.CONFIRMED, SalesOrder.Status.DONE):
                raise BusinessError(
                    BillingError.ORDER_NOT_CONFIRMED,
                    _("Order %(ref)s is not confirmed: it cannot be invoiced.")
                    % {"ref": order.reference},
                )
            order_lines = []
            for source in lines_by_order.get(order.pk, []):
                wanted = quantity(source)
                if wanted <= 0:
                    continue
                line = InvoiceLine(position=len(lines) + 1, source_line=source, quantity=wanted)
                _copy(source, line, LINE_COPY_FIELDS)
                order_lines.append(line)
                lines.append(line)
            invoice.allowances_charges += _order_allowances_charges(
                order, order_lines, first=order.pk not in already, alone=len(orders) == 1
            )
            if order_lines:
                deductions = _deductions(pending.get(order.pk, []), order_lines)
                for line in deductions:
                    line.position = len(lines) + 1
                    lines.append(line)
        if not lines:
            raise BusinessError(
                BillingError.NOTHING_TO_INVOICE,
                _("Nothing is left to invoice on order %(ref)s.")
                % {"ref": ", ".join(o.reference for o in orders)},
            )
        invoice.apply_totals(lines)
        built.append((invoice, lines))
    # The date of supply: the shipping day of the goods billed, or their period; the
    # invoice's day when it bills no shipped goods (services, goods invoiced as ordered).
    for (invoice, _lines), days in zip(built, shipping_days([x for _i, x in built]), strict=True):
        invoice.supply_date, invoice.supply_end_date = days or (day, None)
        invoice.check_header()
    invoices = save_documents(built, "invoice")
    redeem([invoice for invoice in invoices if invoice.coupon_code], by=by)
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
                % {"total": format_amount(order.total_gross, order.currency)},
                "percent" if percent is not None else "amount",
            )
        invoice = Invoice(
            kind=Invoice.Kind.DOWN_PAYMENT,
            order=order,
            date=timezone.localdate(),
            supply_date=None,  # nothing is supplied yet; an expected date may be typed
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
                vat_exemption_reason=group.get("exemption_reason", "")[:200],
                vat_exemption_code=group.get("exemption_reason_code", ""),
            )
            lines.append(line)
        if not lines:
            raise BusinessError(
                BillingError.DOWN_PAYMENT, _("This down payment would be zero."), "percent"
            )
        invoice.apply_totals(lines)
        return save_documents([(invoice, lines)], "invoice")[0]
