"""Operational reports: what is left to deliver (the backlog), what is delivered and left to
invoice, the quotations pipeline with its conversion rate, and the invoiced sales of a month.

Each report reads its rows in one or a few queries whatever their number, and adds amounts up
in Python ``Decimal`` (or over integer cents in the database): SQLite's ``SUM`` over a decimal
column adds floating-point numbers and may come back a hair off the cent. The dashboard shows
these reports' totals, so each of its figures is the total of the report it links to.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Round
from django.utils import timezone

from comptoir.billing.models import Invoice
from comptoir.billing.queries import signed_net
from comptoir.core import access
from comptoir.core.money import round_amount
from comptoir.sales.models import Quotation, SalesOrder, SalesOrderLine
from comptoir.stock.models import DeliveryNote, DeliveryNoteLine

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
AMOUNT = DecimalField(max_digits=20, decimal_places=2)


def cents_sum(expression):
    """``Sum`` of an amount expression over integer cents: exact on SQLite too (read it back
    with ``from_cents``)."""
    hundredfold = ExpressionWrapper(expression * Value(100), output_field=AMOUNT)
    return Sum(Cast(Round(hundredfold), BigIntegerField()))


def from_cents(value) -> Decimal:
    return (Decimal(int(value or 0)) * CENT).quantize(CENT)


def share(net_amount: Decimal, part: Decimal, quantity: Decimal) -> Decimal:
    """The net amount of ``part`` of a line's quantity, to the cent (all of it: its amount)."""
    if not quantity or part == quantity:
        return round_amount(net_amount)
    return round_amount(Decimal(net_amount) * Decimal(part) / Decimal(quantity))


def month_start(day: date, back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


# Backlog --------------------------------------------------------------------------------------


@dataclass
class BacklogRow:
    order_id: int
    order_number: str
    order_date: date
    customer_id: int
    customer_name: str
    item_code: str
    description: str
    requested: date | None
    quantity: Decimal
    quantity_left: Decimal
    amount_left: Decimal
    late: bool


@dataclass
class Report:
    rows: list
    total: Decimal = ZERO
    count: int = 0  # documents the rows come from (orders, deliveries…)
    groups: list = field(default_factory=list)  # subtotals: (label, id, amount)


def backlog_lines(user=None):
    """The goods lines of confirmed orders not fully delivered, among the customers ``user``
    sees."""
    lines = SalesOrderLine.objects.filter(
        order__status=SalesOrder.Status.CONFIRMED,
        is_service=False,
        quantity__gt=F("quantity_delivered"),
    )
    return access.owned(lines, user, "order__customer")


def backlog(
    user=None,
    *,
    customer: str = "",
    item: str = "",
    due_before: date | None = None,
    late_only: bool = False,
    today: date | None = None,
) -> Report:
    """What confirmed orders still have to deliver, line by line: late ones first (their
    requested date passed), then by requested date, customer and order."""
    today = today or timezone.localdate()
    lines = backlog_lines(user)
    if customer:
        lines = lines.filter(
            Q(order__customer__code__iexact=customer) | Q(order__customer_name__icontains=customer)
        )
    if item:
        lines = lines.filter(Q(item_code__iexact=item) | Q(description__icontains=item))
    if due_before:
        lines = lines.filter(order__requested_delivery_date__lte=due_before)
    if late_only:
        lines = lines.filter(order__requested_delivery_date__lt=today)
    values = lines.order_by(
        F("order__requested_delivery_date").asc(nulls_last=True),
        "order__customer_name",
        "order__date",
        "order_id",
        "position",
        "pk",
    ).values_list(
        "order_id",
        "order__number",
        "order__date",
        "order__customer_id",
        "order__customer_name",
        "item_code",
        "description",
        "order__requested_delivery_date",
        "quantity",
        "quantity_delivered",
        "net_amount",
    )
    rows = []
    for (
        order_id,
        number,
        order_date,
        customer_id,
        name,
        code,
        text,
        requested,
        quantity,
        delivered,
        net,
    ) in values:
        left = quantity - delivered
        rows.append(
            BacklogRow(
                order_id=order_id,
                order_number=number or f"#{order_id}",
                order_date=order_date,
                customer_id=customer_id,
                customer_name=name,
                item_code=code,
                description=text,
                requested=requested,
                quantity=quantity,
                quantity_left=left,
                amount_left=share(net, left, quantity),
                late=bool(requested and requested < today),
            )
        )
    return _report(rows, "amount_left", "order_id")


def _report(rows, amount: str, document: str) -> Report:
    """The rows with their total, the number of documents they come from and the subtotal of
    each customer (largest first)."""
    total = sum((getattr(row, amount) for row in rows), ZERO)
    per_customer: dict[int, list] = {}
    for row in rows:
        entry = per_customer.setdefault(row.customer_id, [row.customer_name, row.customer_id, ZERO])
        entry[2] += getattr(row, amount)
    groups = sorted((tuple(e) for e in per_customer.values()), key=lambda g: (-g[2], g[0]))
    count = len({getattr(row, document) for row in rows})
    return Report(rows=rows, total=total, count=count, groups=groups)


# Delivered, not invoiced ----------------------------------------------------------------------


@dataclass
class ToInvoiceRow:
    delivery_id: int | None  # None: delivered without a shipped delivery note to show
    delivery_number: str
    delivery_date: date | None
    order_id: int
    order_number: str
    customer_id: int
    customer_name: str
    lines: int
    amount: Decimal


def uninvoiced_lines(user=None):
    """Order lines delivered beyond what is invoiced, on confirmed or done orders."""
    lines = SalesOrderLine.objects.filter(
        order__status__in=[SalesOrder.Status.CONFIRMED, SalesOrder.Status.DONE],
        quantity_delivered__gt=F("quantity_invoiced"),
        quantity__gt=0,
    )
    return access.owned(lines, user, "order__customer")


def to_invoice(user=None, *, customer: str = "", up_to: date | None = None) -> Report:
    """What is delivered and not yet invoiced, per delivery note: invoices take an order
    line's deliveries oldest first, so what is left of it sits on its latest deliveries.

    Two queries: the order lines, then their shipped delivery lines with what came back.
    """
    lines = uninvoiced_lines(user)
    if customer:
        lines = lines.filter(
            Q(order__customer__code__iexact=customer) | Q(order__customer_name__icontains=customer)
        )
    order_lines = list(
        lines.order_by("order_id", "pk").values_list(
            "pk",
            "order_id",
            "order__number",
            "order__customer_id",
            "order__customer_name",
            "quantity",
            "quantity_delivered",
            "quantity_invoiced",
            "net_amount",
        )
    )
    shipped: dict[int, list] = defaultdict(list)
    delivery_lines = (
        DeliveryNoteLine.objects.filter(
            source_line__in=lines.values("pk"), delivery__status=DeliveryNote.Status.SHIPPED
        )
        .order_by("delivery__date", "delivery_id", "pk")
        .values_list(
            "pk", "source_line_id", "delivery_id", "delivery__number", "delivery__date", "quantity"
        )
        .annotate(returned=Sum("return_lines__quantity"))
    )
    for _pk, source, delivery, number, day, quantity, returned in delivery_lines:
        shipped[source].append((delivery, number, day, quantity - Decimal(returned or 0)))
    pieces: dict[tuple, ToInvoiceRow] = {}
    for pk, order_id, number, customer_id, name, quantity, delivered, invoiced, net in order_lines:
        left = delivered - invoiced
        amount_left = share(net, left, quantity)
        # Invoiced quantities use up the oldest deliveries; the rest is left on the latest.
        already = invoiced
        parts: list[tuple] = []
        for delivery, delivery_number, day, shipped_quantity in shipped[pk]:
            taken = min(max(already, 0), shipped_quantity)
            already -= taken
            rest = shipped_quantity - taken
            if rest > 0:
                parts.append(((delivery, delivery_number, day), rest))
        placed = sum((rest for _, rest in parts), Decimal(0))
        if placed < left:  # delivered otherwise (a service, a correction): on the order itself
            parts.append(((None, "", None), left - placed))
        elif placed > left:  # more left on the deliveries than the line says: trust the line
            parts = _trim(parts, left)
        amounts = [share(net, rest, quantity) for _, rest in parts]
        if amounts:
            amounts[-1] = amount_left - sum(amounts[:-1], ZERO)
        for ((delivery, delivery_number, day), _rest), amount in zip(parts, amounts, strict=True):
            key = (delivery, order_id)
            row = pieces.get(key)
            if row is None:
                row = pieces[key] = ToInvoiceRow(
                    delivery_id=delivery,
                    delivery_number=delivery_number or (f"#{delivery}" if delivery else ""),
                    delivery_date=day,
                    order_id=order_id,
                    order_number=number or f"#{order_id}",
                    customer_id=customer_id,
                    customer_name=name,
                    lines=0,
                    amount=ZERO,
                )
            row.lines += 1
            row.amount += amount
    rows = [
        row for row in pieces.values() if up_to is None or (row.delivery_date or up_to) <= up_to
    ]
    rows.sort(
        key=lambda r: (r.customer_name, r.customer_id, r.delivery_date or date.max, r.order_id)
    )
    return _report(rows, "amount", "order_id")


def _trim(parts: list[tuple], left: Decimal) -> list[tuple]:
    """The latest parts making up ``left``."""
    kept: list[tuple] = []
    for key, rest in reversed(parts):
        if left <= 0:
            break
        taken = min(rest, left)
        kept.insert(0, (key, taken))
        left -= taken
    return kept


# Quotations pipeline --------------------------------------------------------------------------

OPEN = (Quotation.Status.DRAFT, Quotation.Status.SENT)
DECIDED = (Quotation.Status.ACCEPTED, Quotation.Status.REFUSED, Quotation.Status.EXPIRED)


@dataclass
class PipelineCell:
    count: int = 0
    amount: Decimal = ZERO


@dataclass
class Conversion:
    label: str
    decided: int = 0
    converted: int = 0

    @property
    def rate(self) -> Decimal | None:
        """Quotations turned into orders per quotation decided, in per cent."""
        if not self.decided:
            return None
        return (Decimal(100) * self.converted / self.decided).quantize(Decimal("0.1"))


@dataclass
class Pipeline:
    months: list  # (month, {status: PipelineCell}, PipelineCell of the month)
    statuses: list  # (status, label, PipelineCell)
    total: PipelineCell
    expiring: list  # the open quotations expiring within ``soon`` days
    by_month: list  # Conversion per month
    by_salesperson: list  # Conversion per salesperson
    conversion: Conversion


@dataclass
class Expiring:
    pk: int
    reference: str
    customer_id: int
    customer_name: str
    valid_until: date
    total_net: Decimal
    expired: bool = False  # still open after its last valid day


def _person(first: str | None, last: str | None, username: str | None) -> str:
    return f"{first or ''} {last or ''}".strip() or username or ""


def quotations(user=None, *, since: date | None = None, soon: int = 14, today=None) -> Pipeline:
    """The open quotations (draft or sent) by month and status, those expiring soon, and the
    conversion rate since ``since`` (12 months back by default) per month and salesperson.

    A quotation is decided when accepted, refused or expired, or when an order was made from
    it; it converted when a (not cancelled) order was made from it.
    """
    today = today or timezone.localdate()
    since = since or month_start(today, 11)
    quotes = access.owned(Quotation.objects.all(), user)
    open_rows = quotes.filter(status__in=OPEN).order_by("date", "pk")
    cells: dict[date, dict[str, PipelineCell]] = defaultdict(lambda: defaultdict(PipelineCell))
    statuses: dict[str, PipelineCell] = defaultdict(PipelineCell)
    total = PipelineCell()
    expiring = []
    horizon = today + timedelta(days=soon)
    for pk, number, day, status, valid_until, customer_id, name, net in open_rows.values_list(
        "pk", "number", "date", "status", "valid_until", "customer_id", "customer_name", "total_net"
    ):
        for cell in (cells[day.replace(day=1)][status], statuses[status], total):
            cell.count += 1
            cell.amount += net
        if valid_until and valid_until <= horizon:
            expiring.append(
                Expiring(
                    pk, number or f"#{pk}", customer_id, name, valid_until, net, valid_until < today
                )
            )
    expiring.sort(key=lambda q: (q.valid_until, q.pk))
    months = []
    for month in sorted(cells):
        month_total = PipelineCell(
            sum(c.count for c in cells[month].values()),
            sum((c.amount for c in cells[month].values()), ZERO),
        )
        months.append((month, dict(cells[month]), month_total))
    labels = dict(Quotation.Status.choices)
    ordered = [(status, labels[status], statuses.get(status, PipelineCell())) for status in OPEN]
    converted = Exists(
        SalesOrder.objects.filter(quotation=OuterRef("pk")).exclude(
            status=SalesOrder.Status.CANCELLED
        )
    )
    decided = (
        quotes.filter(date__gte=since, date__lte=today)
        .annotate(converted=Case(When(converted, then=1), default=0, output_field=IntegerField()))
        .filter(Q(status__in=DECIDED) | Q(converted=1))
        .order_by()
        .values_list(
            "date",
            "customer__salesperson_id",
            "customer__salesperson__first_name",
            "customer__salesperson__last_name",
            "customer__salesperson__username",
            "converted",
        )
        .annotate(n=Count("pk"))
    )
    per_month: dict[date, Conversion] = {}
    per_person: dict[int | None, Conversion] = {}
    everything = Conversion("")
    for day, person, first, last, username, was_converted, n in decided:
        month = day.replace(day=1)
        for conversion in (
            per_month.setdefault(month, Conversion(month)),
            per_person.setdefault(person, Conversion(_person(first, last, username))),
            everything,
        ):
            conversion.decided += n
            conversion.converted += n if was_converted else 0
    return Pipeline(
        months=months,
        statuses=ordered,
        total=total,
        expiring=expiring,
        by_month=[per_month[m] for m in sorted(per_month)],
        by_salesperson=sorted(per_person.values(), key=lambda c: (c.label == "", c.label)),
        conversion=everything,
    )


# Invoiced sales of a month --------------------------------------------------------------------


@dataclass
class SalesRow:
    invoice_id: int
    number: str
    date: date
    kind: str
    customer_id: int
    customer_name: str
    net: Decimal  # credit notes count against sales


def issued_invoices(user=None):
    return access.owned(Invoice.objects.filter(status=Invoice.Status.ISSUED), user)


def month_sales(user=None, *, month: date) -> Report:
    """The invoices and credit notes issued in a month: their net amounts add up to the month's
    sales (excl. VAT), credit notes deducted."""
    start, end = month_start(month), month_start(month, -1)
    values = (
        issued_invoices(user)
        .filter(date__gte=start, date__lt=end)
        .order_by("date", "pk")
        .values_list("pk", "number", "date", "kind", "customer_id", "customer_name", "total_net")
    )
    rows = [
        SalesRow(
            invoice_id=pk,
            number=number,
            date=day,
            kind=kind,
            customer_id=customer_id,
            customer_name=name,
            net=-net if kind == Invoice.Kind.CREDIT_NOTE else net,
        )
        for pk, number, day, kind, customer_id, name, net in values
    ]
    return _report(rows, "net", "invoice_id")


def monthly_sales(user=None, *, first: date, last: date) -> dict[date, Decimal]:
    """Net sales (credit notes deducted) per month from ``first`` to ``last`` (their months),
    summed over integer cents by day in the database, then by month here."""
    rows = (
        issued_invoices(user)
        .filter(date__gte=month_start(first), date__lt=month_start(last, -1))
        .order_by()
        .values_list("date")
        .annotate(cents=cents_sum(signed_net()))
    )
    result: dict[date, Decimal] = {}
    for day, cents in rows:
        month = day.replace(day=1)
        result[month] = result.get(month, ZERO) + from_cents(cents)
    return result
