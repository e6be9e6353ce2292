"""The stock's valuation: a weighted average cost (CUMP) per item and warehouse, and the cost
of what leaves (docs/stock-valuation.md).

The average lives beside the balance it values (``StockLevel.average_cost``) and is written by
``post_moves`` in the statement that writes the balance: no query of its own. Every move
carries the unit cost it moved at, so the valuation can be replayed from the ledger.

- goods coming in with a cost (a receipt, a return at the cost it left with, the arrival of
  a transfer) move the average: (stock × average + quantity × cost) ÷ (stock + quantity),
  counting no stock below zero;
- goods coming in without a cost (an inventory surplus, an opening stock typed without one)
  come in at the average, and leave it as it is;
- goods going out leave at the average and do not move it; with none left, the last known
  average stays, and an item that never had one goes at its cost price.

Unit costs are kept at 4 decimals, as prices; amounts at the cent.
"""

from collections.abc import Iterable
from decimal import Decimal

from comptoir.core.money import round_amount, round_price

ZERO = Decimal("0")


def next_average(on_hand: Decimal, average: Decimal | None, quantity: Decimal, cost: Decimal):
    """The average once ``quantity`` units come in at ``cost`` (stock below zero counts as
    none: the goods sold short already left at the average of their day)."""
    base = max(on_hand, ZERO)
    if average is None or base == 0:
        return round_price(cost)
    return round_price((base * average + quantity * cost) / (base + quantity))


def value_moves(moves: list, levels: dict) -> dict[tuple[int, int], Decimal | None]:
    """Give each move to post (``ledger.Move``, in order) the unit cost it moves at, and answer
    the average each (item id, warehouse id) is left with; ``levels`` are the locked balances
    as they were before the moves."""
    state = {key: (level.on_hand, level.average_cost) for key, level in levels.items()}
    for move in moves:
        key = (move.item.pk, move.warehouse.pk)
        on_hand, average = state[key]
        known = average if average is not None else move.item.cost_price
        if move.quantity > 0:
            cost = move.unit_cost
            if cost is None and move.cost_from is not None:  # a transfer's arrival
                cost = move.cost_from.unit_cost
            move.unit_cost = round_price(known if cost is None else cost)
            average = next_average(on_hand, average, move.quantity, move.unit_cost)
        else:
            move.unit_cost = round_price(known)
        state[key] = (on_hand + move.quantity, average)
    return {key: average for key, (_on_hand, average) in state.items()}


def average_cost(item_ids: Iterable[int], warehouse=None) -> dict[int, Decimal]:
    """The average unit cost of these items, in one query: in ``warehouse``, or over every
    warehouse (weighted by the stock each holds; with none in stock, the mean of their last
    known averages). An item never valued is left out: its cost price stands for it."""
    from comptoir.stock.models import StockLevel

    levels = StockLevel.objects.filter(
        item_id__in=set(item_ids), average_cost__isnull=False
    ).order_by()
    if warehouse is not None:
        return dict(levels.filter(warehouse=warehouse).values_list("item_id", "average_cost"))
    rows: dict[int, list] = {}
    for item_id, on_hand, average in levels.values_list("item_id", "on_hand", "average_cost"):
        rows.setdefault(item_id, []).append((on_hand, average))
    answer = {}
    for item_id, values in rows.items():
        stocked = [(q, a) for q, a in values if q > 0]
        if stocked:
            total = sum((q for q, _a in stocked), ZERO)
            answer[item_id] = round_price(sum((q * a for q, a in stocked), ZERO) / total)
        else:
            answer[item_id] = round_price(sum((a for _q, a in values), ZERO) / len(values))
    return answer


def unit_costs(items: Iterable, warehouse=None, *, stock_management: bool | None = None):
    """What one unit of each item costs today, {item id: unit cost}: goods kept in stock at
    their average (``average_cost``), a bundle as its components, a service (and every item
    when stock is not managed) at its cost price. At most three queries."""
    from comptoir.catalog.queries import stocked_parts
    from comptoir.core.models import Company

    items = list({item.pk: item for item in items}.values())
    if stock_management is None:
        stock_management = Company.get().stock_management
    if not stock_management:
        return {item.pk: item.cost_price for item in items}
    goods = [item for item in items if not item.is_service]
    parts = stocked_parts(goods)
    averages = average_cost({part.pk for rows in parts.values() for part, _q in rows}, warehouse)
    costs = {item.pk: item.cost_price for item in items if item.is_service}
    for item in goods:
        costs[item.pk] = round_price(
            sum((q * averages.get(part.pk, part.cost_price) for part, q in parts[item.pk]), ZERO)
        )
    return costs


def cost_of(quantity: Decimal, unit_cost: Decimal) -> Decimal:
    """What ``quantity`` units cost, to the cent."""
    return round_amount(quantity * unit_cost)
