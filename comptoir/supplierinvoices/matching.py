"""The three-way match of a supplier invoice: each line against the purchase order line it
bills (the order named by BT-13, the line by BT-132, the item's code or its name) and against
what was received of it, within the tolerances the company sets.

What differs is stored as codes and values on each line and put in words when shown
(``describe``), in the reader's language.
"""

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from comptoir.core.money import HUNDRED, format_amount, format_quantity
from comptoir.purchasing.models import PurchaseOrder, PurchaseOrderLine
from comptoir.supplierinvoices.models import SupplierInvoiceLine

NO_ORDER = "no_order"
NO_LINE = "no_line"
PRICE = "price"
OVER_ORDERED = "over_ordered"
OVER_RECEIVED = "over_received"


def find_order(invoice) -> PurchaseOrder | None:
    """The purchase order the invoice names (BT-13), of its supplier when it is known."""
    if not invoice.order_reference:
        return None
    orders = PurchaseOrder.objects.filter(number=invoice.order_reference).exclude(
        status=PurchaseOrder.Status.CANCELLED
    )
    if invoice.supplier_id:
        orders = orders.filter(supplier_id=invoice.supplier_id)
    return orders.first()


def match_lines(invoice, lines, settings) -> str:
    """Links each line to its order line and records what differs; returns the invoice's
    match (a ``SupplierInvoice.Match`` value). The lines are changed, not saved."""
    order = find_order(invoice)
    invoice.purchase_order = order
    if order is None:
        for line in lines:
            line.order_line = None
            line.problems = [{"code": NO_ORDER, "reference": invoice.order_reference}]
        return "no_order"
    order_lines = list(order.lines.select_related("item"))
    earlier = _invoiced_before(invoice, order_lines)
    taken: set[int] = set()
    for line in lines:
        line.order_line = _order_line(line, order_lines, taken)
        if line.order_line is None:
            line.problems = [{"code": NO_LINE, "order": order.reference}]
            continue
        taken.add(line.order_line.pk)
        line.problems = _differences(
            line, line.order_line, earlier.get(line.order_line.pk, Decimal("0")), settings
        )
    return "mismatch" if any(line.problems for line in lines) else "matched"


def _order_line(line, order_lines, taken) -> PurchaseOrderLine | None:
    free = [o for o in order_lines if o.pk not in taken]
    if line.order_line_reference.isdigit():  # BT-132: the line's position on our order
        position = int(line.order_line_reference)
        if 1 <= position <= len(order_lines) and order_lines[position - 1] in free:
            return order_lines[position - 1]
    # by the item's code (BT-155, BT-156, or a name that is the code), then by its name
    codes = {c.strip().casefold() for c in (line.seller_item_code, line.buyer_item_code, line.name)}
    codes.discard("")
    for candidate in free:
        if candidate.item.code.casefold() in codes:
            return candidate
    name = line.name.strip().casefold()
    for candidate in free:
        if name and name in (candidate.item.name.casefold(), candidate.description.casefold()):
            return candidate
    return None


def _differences(line, order_line, earlier: Decimal, settings) -> list[dict]:
    problems = []
    ordered_price = order_line.unit_cost
    limit = ordered_price * (1 + settings.price_tolerance_pct / HUNDRED)
    if line.unit_price > limit:
        problems.append(
            {
                "code": PRICE,
                "invoiced": str(line.unit_price),
                "ordered": str(ordered_price),
                "tolerance": str(settings.price_tolerance_pct),
            }
        )
    quantity = line.quantity + earlier
    tolerance = settings.quantity_tolerance
    if quantity > order_line.quantity + tolerance:
        problems.append(
            {
                "code": OVER_ORDERED,
                "invoiced": str(line.quantity),
                "earlier": str(earlier),
                "ordered": str(order_line.quantity),
            }
        )
    elif quantity > order_line.quantity_received + tolerance:
        problems.append(
            {
                "code": OVER_RECEIVED,
                "invoiced": str(line.quantity),
                "earlier": str(earlier),
                "received": str(order_line.quantity_received),
            }
        )
    return problems


def _invoiced_before(invoice, order_lines) -> dict[int, Decimal]:
    """What other supplier invoices, not refused, already bill of each order line."""
    rows = SupplierInvoiceLine.objects.filter(order_line__in=order_lines).exclude(
        invoice__status="refused"
    )
    if invoice.pk:
        rows = rows.exclude(invoice_id=invoice.pk)
    totals = rows.values("order_line").annotate(total=Sum("quantity")).order_by()
    return {row["order_line"]: row["total"] for row in totals}


def describe(problem: dict, currency: str = "EUR") -> str:
    """What differs, in words."""
    code = problem["code"]
    if code == NO_ORDER:
        if not problem.get("reference"):
            return _("The invoice names no purchase order.")
        return _("No purchase order %(ref)s of this supplier.") % {"ref": problem["reference"]}
    if code == NO_LINE:
        return _("No line of the order %(ref)s is for this item.") % {"ref": problem["order"]}
    if code == PRICE:
        return _(
            "Price %(invoiced)s, above the ordered %(ordered)s (tolerance %(tolerance)s %%)."
        ) % {
            "invoiced": format_amount(Decimal(problem["invoiced"]), currency),
            "ordered": format_amount(Decimal(problem["ordered"]), currency),
            "tolerance": format_quantity(Decimal(problem["tolerance"])),
        }
    earlier = Decimal(problem["earlier"])
    values = {
        "invoiced": format_quantity(Decimal(problem["invoiced"])),
        "earlier": format_quantity(earlier),
    }
    if code == OVER_ORDERED:
        values["ordered"] = format_quantity(Decimal(problem["ordered"]))
        if earlier:
            return (
                _("%(invoiced)s invoiced after %(earlier)s already, for %(ordered)s ordered.")
                % values
            )
        return _("%(invoiced)s invoiced for %(ordered)s ordered.") % values
    values["received"] = format_quantity(Decimal(problem["received"]))
    if earlier:
        return (
            _("%(invoiced)s invoiced after %(earlier)s already, for %(received)s received.")
            % values
        )
    return _("%(invoiced)s invoiced for %(received)s received.") % values
