"""What an issued document adds to the sales summary tables, kept in the issuing's own
transaction, and the rebuild and the check that recompute them from the invoice lines.

Set-based: one read of the lines of the documents issued (with their items), one of their
customers, then per grain one read of the rows they touch and one bulk insert and one bulk
update; never a query per line (an import issues tens of thousands of invoices at once).
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.core.bulk import insert_rows, update_rows
from comptoir.core.money import round_amount
from comptoir.parties.models import Customer
from comptoir.reports.models import GRAINS, SalesGrain, SoldTo

ZERO = Decimal("0.00")
CHUNK = 2000  # invoices read at a time
HEADER = ("customer", "customer_group", "territory", "salesperson", "sales_partner")
MEASURES = ["quantity", "net", "cost", "invoices"]


def cents(amount: Decimal) -> int:
    return int(amount * 100)


def thousandths(quantity: Decimal) -> int:
    return int(quantity * 1000)


@dataclass
class Sums:
    quantity: int = 0
    net: int = 0
    cost: int = 0
    invoice_ids: set = field(default_factory=set)


Tally = dict[type[SalesGrain], dict[tuple, Sums]]


def _lines(invoice_ids: list[int]):
    return (
        InvoiceLine.objects.filter(invoice_id__in=invoice_ids)
        .select_related("item")
        .only(
            "invoice_id", "quantity", "net_amount", "cost_amount", "vat_category", "vat_rate",
            "item__group_id",
        )
        .order_by("invoice_id", "pk")
    )  # fmt: skip


def shared_out(invoice, lines: list) -> tuple[dict[int, Decimal], Decimal]:
    """What each line sold once the document's allowances are shared out, and what its
    charges add beside the lines, so that they add up to its net total (``total_net``, what
    the dashboard counts).

    An allowance (a discount on the whole document) is shared between the lines of its VAT
    rate in proportion to their net amounts, to the cent: each line takes the rounded share
    of the running total less what the lines before it took, so the shares add up to the
    allowance exactly. A charge (shipping…) belongs to no item: it is returned apart."""
    nets = {line.pk: line.net_amount for line in lines}
    allowances: dict[tuple, Decimal] = {}
    charges = ZERO
    for row in invoice.allowances_charges or ():
        amount = Decimal(str(row.get("amount") or 0))
        if row.get("is_charge"):
            charges += amount
        else:
            key = (row.get("vat_category"), Decimal(str(row.get("vat_rate") or 0)))
            allowances[key] = allowances.get(key, ZERO) + amount
    for key, allowance in allowances.items():
        group = [line for line in lines if (line.vat_category, Decimal(line.vat_rate)) == key]
        base = sum((line.net_amount for line in group), ZERO)
        if base <= 0:  # nothing to share it on: it stays beside the lines
            charges -= allowance
            continue
        running = taken = ZERO
        for line in group:
            running += line.net_amount
            share = round_amount(allowance * running / base) - taken
            taken += share
            nets[line.pk] -= share
    return nets, charges


def _customers_now(invoices: list[Invoice]) -> dict[int, dict]:
    """Each invoice's customer with its group, territory, salesperson and partner now."""
    rows = Customer.objects.filter(pk__in={i.customer_id for i in invoices}).values_list(
        "pk", "group_id", "territory_id", "salesperson_id", "sales_partner_id"
    )
    customers = {row[0]: dict(zip(HEADER, row, strict=True)) for row in rows}
    return {invoice.pk: customers[invoice.customer_id] for invoice in invoices}


def _sold_to_at_issue(invoices: list[Invoice], *, keep_missing: bool) -> dict[int, dict]:
    """Each invoice's customer as it stood at the issue; for invoices issued before these
    records existed, as it stands now (kept from then on when ``keep_missing``)."""
    stored = SoldTo.objects.filter(invoice_id__in=[i.pk for i in invoices]).values_list(
        "invoice_id", *HEADER
    )
    found = {row[0]: dict(zip(HEADER, row[1:], strict=True)) for row in stored}
    missing = [invoice for invoice in invoices if invoice.pk not in found]
    if missing:
        now = _customers_now(missing)
        if keep_missing:
            _keep_sold_to(now)
        found.update(now)
    return found


def _keep_sold_to(sold_to: dict[int, dict]) -> None:
    insert_rows(
        SoldTo,
        ["invoice_id", *HEADER],
        [(pk, *(values[name] for name in HEADER)) for pk, values in sold_to.items()],
    )


def tally(invoices: list[Invoice], sold_to: dict[int, dict], into: Tally | None = None) -> Tally:
    """The sums the documents' lines add to each grain (credit notes negative), each sold to
    the customer as ``sold_to`` gives it."""
    into = into if into is not None else {grain: {} for grain in GRAINS}
    if not invoices:
        return into
    by_id = {invoice.pk: invoice for invoice in invoices}
    lines_of: dict[int, list] = {pk: [] for pk in by_id}
    for line in _lines(list(by_id)):
        lines_of[line.invoice_id].append(line)
    for pk, lines in lines_of.items():
        invoice = by_id[pk]
        sign = invoice.sign
        month = invoice.date.replace(day=1)
        counted = invoice.kind != Invoice.Kind.CREDIT_NOTE
        nets, charges = shared_out(invoice, lines)
        values = dict(sold_to[pk])
        for line in lines:
            values["item"] = line.item_id
            values["item_group"] = line.item.group_id if line.item_id else None
            figures = (
                sign * thousandths(line.quantity),
                sign * cents(nets[line.pk]),
                sign * cents(line.cost_amount),
            )
            _add(into, month, values, figures, pk if counted else None)
        if charges:
            values["item"] = values["item_group"] = None
            _add(into, month, values, (0, sign * cents(charges), 0), pk if counted else None)
    return into


def _add(into: Tally, month, values: dict, figures: tuple, invoice_id) -> None:
    quantity, net, cost = figures
    for grain in GRAINS:
        key = (month, *(values[name] for name in grain.DIMENSIONS))
        sums = into[grain].get(key)
        if sums is None:
            sums = into[grain][key] = Sums()
        sums.quantity += quantity
        sums.net += net
        sums.cost += cost
        if invoice_id is not None:
            sums.invoice_ids.add(invoice_id)


def _key(grain: type[SalesGrain], row) -> tuple:
    return (row.month, *(getattr(row, name) for name in grain.DIMENSIONS))


def _stored(grain: type[SalesGrain], keys: Iterable[tuple]) -> dict[tuple, tuple]:
    """The grain's rows having these keys, as (id, quantity, net, cost, invoices), read in one
    query (by month and the grain's most selective column), then matched here."""
    keys = set(keys)
    months = {key[0] for key in keys}
    condition = Q(month__in=months)
    if grain.LOOKUP != "month":
        position = grain.DIMENSIONS.index(grain.LOOKUP) + 1
        values = {key[position] for key in keys}
        lookup = Q(**{f"{grain.LOOKUP}__in": values - {None}})
        if None in values:
            lookup |= Q(**{f"{grain.LOOKUP}__isnull": True})
        condition &= lookup
    width = 1 + len(grain.DIMENSIONS)
    rows = grain.objects.filter(condition).values_list("month", *grain.DIMENSIONS, "pk", *MEASURES)
    return {row[:width]: row[width:] for row in rows.iterator() if row[:width] in keys}


def _write(grain: type[SalesGrain], sums: dict[tuple, Sums], stored: dict[tuple, tuple]):
    updates, inserts = [], []
    for key, add in sums.items():
        row = stored.get(key)
        if row is None:
            inserts.append(
                (key[0].isoformat(), *key[1:], add.quantity, add.net, add.cost,
                 len(add.invoice_ids))
            )  # fmt: skip
        else:
            pk, quantity, net, cost, invoices = row
            updates.append(
                (pk, quantity + add.quantity, net + add.net, cost + add.cost,
                 invoices + len(add.invoice_ids))
            )  # fmt: skip
    if updates:
        update_rows(grain, MEASURES, updates)
    if inserts:
        insert_rows(grain, ["month", *grain.DIMENSIONS, *MEASURES], inserts)


def add_issued(invoices: list[Invoice]) -> None:
    """Add documents just issued to every grain (inside the issuing's transaction, which the
    numbering serialises: no other issuing adds to the same rows meanwhile)."""
    for start in range(0, len(invoices), CHUNK):
        chunk = invoices[start : start + CHUNK]
        sold_to = _customers_now(chunk)
        _keep_sold_to(sold_to)
        for grain, sums in tally(chunk, sold_to).items():
            _write(grain, sums, _stored(grain, sums))


def on_issued(sender, invoices, **kwargs) -> None:
    add_issued(list(invoices))


def _issued_by_month(*, keep_missing: bool = False) -> Iterator[tuple[object, Tally]]:
    """Every issued document's sums, a month at a time (memory stays that of one month)."""

    def add(batch, current):
        return tally(batch, _sold_to_at_issue(batch, keep_missing=keep_missing), current)

    month, current = None, None
    batch: list[Invoice] = []
    documents = (
        Invoice.objects.filter(status=Invoice.Status.ISSUED)
        .only("pk", "kind", "date", "customer_id", "allowances_charges")
        .order_by("date", "pk")
    )
    for invoice in documents.iterator(chunk_size=CHUNK):
        invoice_month = invoice.date.replace(day=1)
        if invoice_month != month or len(batch) >= CHUNK:
            current = add(batch, current)
            batch = []
            if invoice_month != month:
                if month is not None:
                    yield month, current
                month, current = invoice_month, None
        batch.append(invoice)
    if month is not None:
        yield month, add(batch, current)


def rebuild() -> int:
    """Recompute every grain from the issued lines (sold to each customer as it stood at
    the issue); the number of rows written."""
    written = 0
    with transaction.atomic():
        for grain in GRAINS:
            grain.objects.all().delete()
        for _month, sums in _issued_by_month(keep_missing=True):
            for grain in GRAINS:
                _write(grain, sums[grain], {})
                written += len(sums[grain])
    return written


@dataclass(frozen=True)
class Difference:
    grain: str
    key: tuple
    stored: tuple | None
    expected: tuple | None


def differences() -> list[Difference]:
    """Where the stored sums differ from a recomputation from the lines (none, normally)."""
    found = []
    seen_months = set()
    for month, sums in _issued_by_month():
        seen_months.add(month)
        for grain in GRAINS:
            expected = {
                key: (s.quantity, s.net, s.cost, len(s.invoice_ids))
                for key, s in sums[grain].items()
            }
            stored = {
                _key(grain, row): (row.quantity, row.net, row.cost, row.invoices)
                for row in grain.objects.filter(month=month)
            }
            found += _compare(grain, stored, expected)
    for grain in GRAINS:
        for row in grain.objects.exclude(month__in=seen_months):
            stored = (row.quantity, row.net, row.cost, row.invoices)
            if any(stored):
                found.append(Difference(grain.__name__, _key(grain, row), stored, None))
    return found


def _compare(grain, stored: dict, expected: dict) -> list[Difference]:
    found = []
    for key in stored.keys() | expected.keys():
        have, want = stored.get(key), expected.get(key)
        if (have or (0, 0, 0, 0)) != (want or (0, 0, 0, 0)):
            found.append(Difference(grain.__name__, key, have, want))
    return found
