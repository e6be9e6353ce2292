"""The cost of what an invoice sells, fixed on each line when it is issued
(docs/stock-valuation.md).

- a credit note's line gives back the credited share of its invoice line's cost (the one that
  credits the last of the line, what is left of it: all of them together, never a cent more);
- a line of an order line whose goods shipped costs what they left at (the shipped delivery
  lines' cost, per unit);
- any other line of an item costs what a unit costs today (``stock.valuation.unit_costs``: the
  average for goods in stock, the cost price for services and without stock management);
- a down payment, a down payment taken off, a line of no item cost nothing.

Set-based: a batch of any size reads its credited lines, its deliveries, its items and their
averages in one query each, whatever its number of lines.
"""

from decimal import Decimal

from django.db.models import Q, Sum

from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.catalog.models import Item
from comptoir.core.money import round_amount
from comptoir.stock.models import DeliveryNote, DeliveryNoteLine
from comptoir.stock.valuation import cost_of, unit_costs

ZERO = Decimal("0")


def fix_costs(documents: list[tuple[Invoice, list[InvoiceLine]]]) -> None:
    """Set ``cost_amount`` on the lines of these documents being issued (in memory: the caller
    writes them with the rest of the issuing)."""
    costed = [
        (invoice.kind, line)
        for invoice, lines in documents
        if invoice.kind != Invoice.Kind.DOWN_PAYMENT
        for line in lines
        if line.deducted_line_id is None and line.item_id is not None
    ]
    for _invoice, lines in documents:
        for line in lines:
            line.cost_amount = ZERO
    credits = [line for kind, line in costed if _credits(kind, line)]
    _credited_shares(credits)
    sold = [line for kind, line in costed if not _credits(kind, line)]
    delivered = _delivered_unit_costs({line.source_line_id for line in sold if line.source_line_id})
    rest = [line for line in sold if line.source_line_id not in delivered]
    items = Item.objects.filter(pk__in={line.item_id for line in rest}).only(
        "pk", "kind", "cost_price"
    )
    today = unit_costs(items) if rest else {}
    for line in sold:
        unit = delivered.get(line.source_line_id)
        if unit is None:
            unit = today.get(line.item_id, ZERO)
        line.cost_amount = cost_of(line.quantity, unit)


def _credits(kind: str, line: InvoiceLine) -> bool:
    return kind == Invoice.Kind.CREDIT_NOTE and line.credited_line_id is not None


def _credited_shares(lines: list[InvoiceLine]) -> None:
    """Each credit line's share of the cost of the line it credits."""
    if not lines:
        return
    issued = Q(credit_lines__invoice__status=Invoice.Status.ISSUED)
    credited = {
        pk: [quantity, cost, given_quantity or ZERO, given_cost or ZERO]
        for pk, quantity, cost, given_quantity, given_cost in InvoiceLine.objects.filter(
            pk__in={line.credited_line_id for line in lines}
        )
        .order_by()
        .annotate(
            given_quantity=Sum("credit_lines__quantity", filter=issued),
            given_cost=Sum("credit_lines__cost_amount", filter=issued),
        )
        .values_list("pk", "quantity", "cost_amount", "given_quantity", "given_cost")
    }
    for line in lines:
        state = credited[line.credited_line_id]
        quantity, cost, given_quantity, given_cost = state
        if not quantity:
            share = ZERO
        elif given_quantity + line.quantity >= quantity:
            share = cost - given_cost  # the last of the line: what is left of its cost
        else:
            share = round_amount(cost * line.quantity / quantity)
        line.cost_amount = share
        state[2] += line.quantity
        state[3] += share


def _delivered_unit_costs(order_line_ids: set[int]) -> dict[int, Decimal]:
    """What a unit of each order line's shipped goods cost, {order line id: unit cost}."""
    if not order_line_ids:
        return {}
    rows = (
        DeliveryNoteLine.objects.filter(
            source_line_id__in=order_line_ids, delivery__status=DeliveryNote.Status.SHIPPED
        )
        .order_by()
        .values_list("source_line_id")
        .annotate(quantity=Sum("quantity"), cost=Sum("cost_amount"))
    )
    return {pk: cost / quantity for pk, quantity, cost in rows if quantity}
