"""Every state change of quotations and sales orders. Batch-first: the plural function does
the work, the singular one calls it with one document."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core import audit
from comptoir.core.bulk import update_rows
from comptoir.core.errors import BusinessError, InvalidInput
from comptoir.core.models import Company
from comptoir.core.money import format_amount, round_amount
from comptoir.core.numbering import take_numbers
from comptoir.core.transitions import check_transition
from comptoir.parties.models import Customer
from comptoir.pricing.coupons import redeem
from comptoir.pricing.documents import (
    DocumentRequest,
    build_documents,
    replace_lines,
    reprice_document,
    save_documents,
)
from comptoir.pricing.engine import LineSpec
from comptoir.sales import signals
from comptoir.sales.errors import SalesError
from comptoir.sales.models import Progress, Quotation, QuotationLine, SalesOrder, SalesOrderLine
from comptoir.sales.queries import credit_exposure

HEADER_FIELDS = {
    "date",
    "notes",
    "terms",
    "customer_reference",
    "payment_terms",
    "allowances_charges",
    "shipping_method",
    "coupon_code",
}
# Changed without the lines, they change the totals: the draft is priced again.
REPRICING_FIELDS = {"allowances_charges", "shipping_method", "coupon_code"}


def _lock(model, documents):
    """Re-read documents under a row lock, in id order (no deadlock between batches)."""
    ids = [d.pk for d in documents]
    locked = model.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    by_id = {d.pk: d for d in locked}
    return [by_id[i] for i in ids]


def _require_draft(document) -> None:
    if document.status != "draft":
        raise BusinessError(
            SalesError.NOT_DRAFT,
            _("%(ref)s is no longer a draft: it cannot be edited.") % {"ref": document.reference},
            "status",
        )


# Quotations ------------------------------------------------------------------------------------


def create_quotation(
    customer: Customer, lines: list[LineSpec], *, by=None, valid_until=None, **header
) -> Quotation:
    with transaction.atomic():
        company = Company.get()
        built = build_documents(
            Quotation, QuotationLine, [DocumentRequest(customer, lines, header)], by=by
        )
        quotation = built[0][0]
        quotation.valid_until = valid_until or quotation.date + timedelta(
            days=company.quotation_validity_days
        )
        _check_validity(quotation)
        quotation.number = take_numbers("quotation", quotation.date)[0]
        save_documents(built, "quotation")
        redeem([quotation], by=by)
        return quotation


def update_quotation(
    quotation: Quotation, *, lines: list[LineSpec] | None = None, by=None, **header
):
    with transaction.atomic():
        (quotation,) = _lock(Quotation, [quotation])
        _require_draft(quotation)
        coupon_before = quotation.coupon_code
        for name, value in header.items():
            if name in HEADER_FIELDS | {"valid_until"}:
                setattr(quotation, name, value)
        _check_validity(quotation)
        if lines is not None:
            replace_lines(quotation, QuotationLine, "quotation", lines, by=by)
        elif header.keys() & REPRICING_FIELDS:
            reprice_document(quotation, QuotationLine, "quotation")
        quotation.save()
        if quotation.coupon_code or coupon_before:
            redeem([quotation], by=by)
        return quotation


def _check_validity(quotation: Quotation) -> None:
    if quotation.valid_until and quotation.valid_until < quotation.date:
        raise InvalidInput(
            SalesError.VALID_UNTIL_BEFORE_DATE,
            _("A quotation cannot be valid until a date before its own date."),
            "valid_until",
        )


def _move_quotation(quotation: Quotation, target: str) -> Quotation:
    with transaction.atomic():
        (quotation,) = _lock(Quotation, [quotation])
        check_transition(quotation, target)
        quotation.status = target
        quotation.save(update_fields=["status", "updated_at"])
        return quotation


def send_quotation(quotation: Quotation, *, by=None) -> Quotation:
    return _move_quotation(quotation, Quotation.Status.SENT)


def accept_quotation(quotation: Quotation, *, by=None) -> Quotation:
    return _move_quotation(quotation, Quotation.Status.ACCEPTED)


def refuse_quotation(quotation: Quotation, *, by=None) -> Quotation:
    return _move_quotation(quotation, Quotation.Status.REFUSED)


def expire_quotations(today=None) -> int:
    """Sent quotations past their validity date become expired."""
    today = today or timezone.localdate()
    with transaction.atomic():
        return Quotation.objects.filter(status=Quotation.Status.SENT, valid_until__lt=today).update(
            status=Quotation.Status.EXPIRED, updated_at=timezone.now()
        )


def quotation_lines_as_specs(quotation: Quotation) -> list[LineSpec]:
    """The quotation's lines as they were agreed: same prices, discounts and VAT (its
    shipping line aside: the new document prices its own shipping)."""
    return [
        LineSpec(
            item=line.item,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount_pct=line.discount_pct,
            description=line.description,
            tax=line.tax,
            explanation=line.price_explanation,
            promotion_code=line.promotion_code,
        )
        for line in quotation.lines.filter(is_shipping=False).select_related("item", "tax")
    ]


def quotation_header(quotation: Quotation) -> dict:
    """What an order or invoice made from a quotation takes from it besides its lines."""
    return {
        "quotation": quotation,
        "customer_reference": quotation.customer_reference,
        "notes": quotation.notes,
        "terms": quotation.terms,
        "payment_terms": quotation.payment_terms,
        "allowances_charges": quotation.allowances_charges,
        "shipping_method": quotation.shipping_method,
        "coupon_code": quotation.coupon_code,
    }


def check_quotation_convertible(quotation: Quotation) -> None:
    if quotation.status != Quotation.Status.ACCEPTED:
        raise BusinessError(
            SalesError.QUOTATION_NOT_ACCEPTED,
            _("Only an accepted quotation can be converted."),
            "status",
        )
    # "invoices" is the reverse side of billing's Invoice.quotation.
    if (
        quotation.orders.exclude(status=SalesOrder.Status.CANCELLED).exists()
        or quotation.invoices.exists()
    ):
        raise BusinessError(
            SalesError.QUOTATION_ALREADY_CONVERTED,
            _("Quotation %(ref)s was already converted.") % {"ref": quotation.reference},
        )


def convert_quotation_to_order(quotation: Quotation, *, by=None) -> SalesOrder:
    with transaction.atomic():
        (quotation,) = _lock(Quotation, [quotation])
        check_quotation_convertible(quotation)
        return create_order(
            quotation.customer,
            quotation_lines_as_specs(quotation),
            by=by,
            **quotation_header(quotation),
        )


# Sales orders ----------------------------------------------------------------------------------


def create_orders(requests: list[DocumentRequest], *, by=None) -> list[SalesOrder]:
    with transaction.atomic():
        built = build_documents(SalesOrder, SalesOrderLine, requests, by=by)
        by_date: dict = {}
        for order, _lines in built:
            by_date.setdefault(order.date, []).append(order)
        for day in sorted(by_date):
            for order, number in zip(
                by_date[day], take_numbers("order", day, len(by_date[day])), strict=True
            ):
                order.number = number
        orders = save_documents(built, "order")
        redeem([order for order in orders if order.coupon_code], by=by)
        return orders


def create_order(customer: Customer, lines: list[LineSpec], *, by=None, **header) -> SalesOrder:
    return create_orders([DocumentRequest(customer, lines, header)], by=by)[0]


def update_order(order: SalesOrder, *, lines: list[LineSpec] | None = None, by=None, **header):
    with transaction.atomic():
        (order,) = _lock(SalesOrder, [order])
        _require_draft(order)
        coupon_before = order.coupon_code
        for name, value in header.items():
            if name in HEADER_FIELDS | {"requested_delivery_date"}:
                setattr(order, name, value)
        if lines is not None:
            replace_lines(order, SalesOrderLine, "order", lines, by=by)
        elif header.keys() & REPRICING_FIELDS:
            reprice_document(order, SalesOrderLine, "order")
        order.save()
        if order.coupon_code or coupon_before:
            redeem([order], by=by)
        return order


def _check_credit_limits(orders: list[SalesOrder]) -> None:
    """Refuse orders that take a customer past its credit limit (none set: no limit)."""
    limits = dict(
        Customer.objects.filter(
            pk__in={o.customer_id for o in orders}, credit_limit__isnull=False
        ).values_list("pk", "credit_limit")
    )
    if not limits:
        return
    exposure = credit_exposure(list(limits))
    for order in orders:
        if order.customer_id not in limits:
            continue
        exposure[order.customer_id] += order.total_gross
        if exposure[order.customer_id] > limits[order.customer_id]:
            raise BusinessError(
                SalesError.CREDIT_LIMIT,
                _(
                    "Order %(ref)s takes the customer to %(exposure)s, past the credit limit "
                    "of %(limit)s."
                )
                % {
                    "ref": order.reference,
                    "exposure": format_amount(
                        round_amount(exposure[order.customer_id]), order.currency
                    ),
                    "limit": format_amount(limits[order.customer_id], order.currency),
                },
            )


def confirm_orders(orders: list[SalesOrder], *, by=None) -> list[SalesOrder]:
    with transaction.atomic():
        orders = _lock(SalesOrder, orders)
        now = timezone.now()
        for order in orders:
            check_transition(order, SalesOrder.Status.CONFIRMED)
        _check_credit_limits(orders)
        for order in orders:
            order.status = SalesOrder.Status.CONFIRMED
            order.confirmed_at = now
            order.updated_at = now
        SalesOrder.objects.bulk_update(orders, ["status", "confirmed_at", "updated_at"])
        audit.record(orders, by=by)
        signals.orders_confirmed.send(SalesOrder, orders=orders, by=by)
        return orders


def confirm_order(order: SalesOrder, *, by=None) -> SalesOrder:
    return confirm_orders([order], by=by)[0]


def check_order_cancellable(order: SalesOrder) -> None:
    check_transition(order, SalesOrder.Status.CANCELLED)
    if order.lines.filter(Q(quantity_delivered__gt=0) | Q(quantity_invoiced__gt=0)).exists():
        raise BusinessError(
            SalesError.ORDER_HAS_ACTIVITY,
            _("Order %(ref)s has deliveries or invoices: it cannot be cancelled.")
            % {"ref": order.reference},
        )


def cancel_order(order: SalesOrder, *, by=None) -> SalesOrder:
    with transaction.atomic():
        (order,) = _lock(SalesOrder, [order])
        check_order_cancellable(order)
        order.status = SalesOrder.Status.CANCELLED
        order.save(update_fields=["status", "updated_at"])
        signals.orders_cancelled.send(SalesOrder, orders=[order], by=by)
        return order


# Lineage: the delivery and invoicing progress of orders ----------------------------------------
# A delivery line counts once its delivery is shipped, less what the customer sent back. An
# invoice line counts while its invoice exists (draft or issued: a draft must not be invoiced
# twice); an issued credit note line gives its quantity back when it is to invoice again (goods
# returned, an invoice cancelled or corrected), not when it reduces the price of goods kept.
SHIPPED = Q(delivery_lines__delivery__status="shipped")
RETURNED = Q(delivery_lines__return_lines__isnull=False)  # goods back: no longer delivered
INVOICED = Q(invoice_lines__invoice__kind="invoice")
CREDITED = Q(
    invoice_lines__invoice__kind="credit_note",
    invoice_lines__invoice__status="issued",
    invoice_lines__invoice__invoice_again=True,
)


def _progress(done: Decimal, total: Decimal) -> str:
    if done <= 0:
        return Progress.NOT
    return Progress.FULLY if done >= total else Progress.PARTLY


def refresh_order_progress(order_ids) -> None:
    """Recompute delivered and invoiced quantities and the order statuses from lineage."""
    order_ids = set(order_ids)
    if not order_ids:
        return
    base = SalesOrderLine.objects.filter(order_id__in=order_ids).order_by()
    delivered = dict(
        base.filter(SHIPPED).values_list("pk").annotate(q=Sum("delivery_lines__quantity"))
    )
    returned = dict(
        base.filter(RETURNED)
        .values_list("pk")
        .annotate(q=Sum("delivery_lines__return_lines__quantity"))
    )
    invoiced = dict(
        base.filter(INVOICED).values_list("pk").annotate(q=Sum("invoice_lines__quantity"))
    )
    credited = dict(
        base.filter(CREDITED).values_list("pk").annotate(q=Sum("invoice_lines__quantity"))
    )
    lines = list(
        base.only(
            "pk", "order_id", "quantity", "is_service", "quantity_delivered", "quantity_invoiced"
        )
    )
    zero = Decimal("0")
    changed = []
    for line in lines:
        now_delivered = Decimal(delivered.get(line.pk) or zero) - Decimal(
            returned.get(line.pk) or zero
        )
        now_invoiced = Decimal(invoiced.get(line.pk) or zero) - Decimal(
            credited.get(line.pk) or zero
        )
        if (now_delivered, now_invoiced) != (line.quantity_delivered, line.quantity_invoiced):
            line.quantity_delivered, line.quantity_invoiced = now_delivered, now_invoiced
            changed.append((line.pk, now_delivered, now_invoiced))
    update_rows(SalesOrderLine, ["quantity_delivered", "quantity_invoiced"], changed)
    orders = {
        o.pk: o
        for o in SalesOrder.objects.filter(pk__in=order_ids).only(
            "pk", "status", "delivery_status", "billing_status"
        )
    }
    per_order: dict[int, list] = {}
    for line in lines:
        per_order.setdefault(line.order_id, []).append(line)
    for order_id, order_lines in per_order.items():
        order = orders[order_id]
        goods = [line for line in order_lines if not line.is_service]
        order.delivery_status = _progress(
            sum((min(line.quantity_delivered, line.quantity) for line in goods), zero),
            sum((line.quantity for line in goods), zero),
        )
        order.billing_status = _progress(
            sum((min(line.quantity_invoiced, line.quantity) for line in order_lines), zero),
            sum((line.quantity for line in order_lines), zero),
        )
        complete = order.billing_status == Progress.FULLY and (
            order.delivery_status == Progress.FULLY or not goods
        )
        if order.status == SalesOrder.Status.CONFIRMED and complete:
            order.status = SalesOrder.Status.DONE
        elif order.status == SalesOrder.Status.DONE and not complete:
            order.status = SalesOrder.Status.CONFIRMED
    # Few distinct outcomes: one UPDATE per (status, delivery, billing) combination.
    groups: dict[tuple, list[int]] = {}
    for order in orders.values():
        key = (order.status, order.delivery_status, order.billing_status)
        groups.setdefault(key, []).append(order.pk)
    for (status, delivery, billing), pks in groups.items():
        SalesOrder.objects.filter(pk__in=pks).update(
            status=status, delivery_status=delivery, billing_status=billing
        )
