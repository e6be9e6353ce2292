"""Promotions: what a whole document gets once its lines are priced.

- Buy X get Y: each complete ``quantity`` of the item (or of the item group) bought on the
  user's lines gives ``reward_quantity`` of the reward item at ``reward_discount_pct`` (100:
  free), on a line of its own, as many times as the quantity bought allows. The units given
  come on top of the units bought: « 3 achetées, 1 offerte » is 3 bought, 1 given; 6 bought, 2.
- Threshold: a document whose lines total excluding VAT reaches ``min_amount`` (reward lines
  included, other document allowances not deducted), or whose quantity (the user's lines)
  reaches ``min_quantity``, gets a document allowance (EN 16931 BG-20): a percentage on every
  VAT rate of the lines (BT-94 on its base BT-93, as ``core.totals`` states it), or an amount
  split between the VAT rates of the lines in proportion to their net amounts.
- Bundle at a set price: each complete set of its components found on the user's lines costs
  the set price; the difference with the components' net prices is a document allowance
  « Lot … », of the components' VAT: split per VAT rate in proportion to their value when the
  components have several rates. A set that would cost more than its items gives nothing.

The promotions in force apply in the order of their priority (highest first); the units a buy
X get Y or a bundle counted are not counted again by another. Applying the promotions again
first drops what an earlier application added (lines with a ``promotion_code``, allowances with
``"source": "promotion"``), so that nothing is given twice and what no longer applies goes.
The user's own lines never change. The promotions are read once for a batch (``Promotions``).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from comptoir.catalog.models import ItemGroup
from comptoir.core.bulk import new_instances
from comptoir.core.documents import given_allowances_charges
from comptoir.core.money import ZERO, round_amount
from comptoir.core.templatetags.comptoir import percent
from comptoir.core.totals import compute, line_amounts
from comptoir.pricing.models import Promotion, PromotionComponent, PromotionKind, RuleChannel
from comptoir.pricing.rules import lineage, net_price

SOURCE = "promotion"


@dataclass
class Promotions:
    """The active promotions with their components, read once for a batch of documents."""

    rows: list[Promotion] = field(default_factory=list)
    group_parents: dict[int, int | None] = field(default_factory=dict)
    # A bundle's components, by promotion; those in force, by what decides it.
    components: dict[int, list] = field(default_factory=dict)
    in_force_for: dict[tuple, "InForce"] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "Promotions":
        rows = list(
            Promotion.objects.filter(active=True)
            .select_related("item__tax", "item__unit", "reward_item__tax", "reward_item__unit")
            .prefetch_related(
                Prefetch("components", queryset=PromotionComponent.objects.select_related("item"))
            )
        )
        parents = {}
        if any(row.item_group_id for row in rows):
            parents = dict(ItemGroup.objects.values_list("id", "parent_id"))
        components = {row.pk: list(row.components.all()) for row in rows}
        return cls(rows, parents, components)

    def in_force(self, customer, day: date, channel: str, item_ids=None) -> list[Promotion]:
        """The promotions a customer's document of that day and channel meets, best first;
        with ``item_ids`` (the items on the document), only those that may concern them: a
        promotion on an item, or a bundle, whose item is not there is left out."""
        key = (customer.group_id, customer.territory_id, day, channel)
        found = self.in_force_for.get(key)
        if found is None:
            found = self.in_force_for[key] = InForce(
                [
                    row
                    for row in self.rows
                    if (row.valid_from is None or row.valid_from <= day)
                    and (row.valid_to is None or day <= row.valid_to)
                    and (
                        row.customer_group_id is None or row.customer_group_id == customer.group_id
                    )
                    and (row.territory_id is None or row.territory_id == customer.territory_id)
                    and (not row.channel or row.channel == channel)
                ],
                self.components,
            )
        return found.rows if item_ids is None else found.concerning(item_ids)


class InForce:
    """The promotions in force for one kind of document, best first, with those tied to an
    item found by it: a document of five lines looks at a few of a hundred promotions."""

    def __init__(self, rows: list[Promotion], components: dict[int, list]):
        self.rows = rows
        self.general: list[int] = []  # positions in ``rows``
        self.by_item: dict[int, list[int]] = {}
        for position, row in enumerate(rows):
            if row.kind == PromotionKind.BUNDLE:
                parts = components.get(row.pk)
                if parts:  # a bundle is for a document holding all its items, the first too
                    self.by_item.setdefault(parts[0].item_id, []).append(position)
            elif row.kind == PromotionKind.BUY_X_GET_Y and row.item_id:
                self.by_item.setdefault(row.item_id, []).append(position)
            else:
                self.general.append(position)

    def concerning(self, item_ids) -> list[Promotion]:
        positions = list(self.general)
        for item_id in item_ids:
            positions += self.by_item.get(item_id, ())
        return [self.rows[position] for position in sorted(positions)]


def generated(entry: dict) -> bool:
    return entry.get("source") == SOURCE


def amount_after_promotions(document, lines) -> Decimal:
    """The lines total excluding VAT less the promotions' document discounts (what a shipping
    rule from an amount sees: free shipping from 100 € is from 100 € once promotions are taken
    off). Other discounts and charges of the document are not taken off, as before."""
    rows = [entry for entry in document.allowances_charges if generated(entry)]
    if not rows:  # most documents: the lines' total
        return sum((line_amounts(line.totals_input()).net_amount for line in lines), ZERO)
    given = [item for item, _row in given_allowances_charges(rows)]
    return compute([line.totals_input() for line in lines], given).tax_basis


def vat_key(line) -> tuple[str, Decimal]:
    return line.vat_category, Decimal(line.vat_rate)


def split_by_vat(amount: Decimal, weights: dict) -> list[tuple[tuple, Decimal]]:
    """An amount split between VAT groups in proportion to their weights, to the cent; the
    last group takes what rounding leaves, so that the parts add up to the amount."""
    total = sum(weights.values(), ZERO)
    if total <= 0:
        return []
    keys = sorted((k for k in weights if weights[k] > 0), key=lambda k: (-k[1], k[0]))
    parts, left = [], amount
    for index, key in enumerate(keys):
        part = left if index == len(keys) - 1 else round_amount(amount * weights[key] / total)
        left -= part
        if part:
            parts.append((key, part))
    return parts


def _times(available: Decimal, size: Decimal) -> int:
    if size <= 0:
        return 0
    return int((available / size).to_integral_value(rounding=ROUND_FLOOR))


def apply_promotions(
    document, lines: list, promotions: Promotions, customer, *, line_model, channel=None
) -> list[Promotion]:
    """Apply the promotions in force to a document and its priced lines (``lines`` is changed
    in place: reward lines dropped and added at its end); returns those that applied."""
    lines[:] = [line for line in lines if not line.promotion_code]
    document.allowances_charges = [e for e in document.allowances_charges if not generated(e)]
    document.applied_promotions = []
    day = document.date
    if not lines:
        return []
    user_lines = list(lines)
    available: dict[int, Decimal] = {}
    first_line: dict[int, object] = {}
    for line in user_lines:
        if line.item_id is not None:
            available[line.item_id] = available.get(line.item_id, ZERO) + Decimal(line.quantity)
            first_line.setdefault(line.item_id, line)
    in_force = promotions.in_force(customer, day, channel or RuleChannel.TYPED, first_line)
    if not in_force:
        return []
    applied, entries = [], []
    nets = None  # the lines' net amounts, for the thresholds
    for promotion in in_force:
        if promotion.kind == PromotionKind.BUY_X_GET_Y:
            if promotion.item_id and promotion.item_id not in available:
                continue  # its item is not on the document
            line = _reward_line(promotion, available, first_line, promotions, customer)
            if line is None:
                continue
            line["position"] = len(lines) + 1
            lines.append(new_instances(line_model, [line])[0])
        elif promotion.kind == PromotionKind.THRESHOLD:
            if nets is None or len(nets) != len(lines):  # once, and again after a reward line
                nets = [(line, line_amounts(line.totals_input()).net_amount) for line in lines]
            found = _threshold(promotion, nets, user_lines)
            if not found:
                continue
            entries += found
        else:
            found = _bundle(promotion, promotions.components[promotion.pk], available, first_line)
            if not found:
                continue
            entries += found
        applied.append(promotion)
    document.allowances_charges = [*document.allowances_charges, *entries]
    document.applied_promotions = applied
    return applied


def _consume(available: dict, item_ids: list[int], quantity: Decimal) -> None:
    for item_id in item_ids:
        taken = min(available.get(item_id, ZERO), quantity)
        available[item_id] -= taken
        quantity -= taken
        if quantity <= 0:
            return


def _reward_line(promotion, available, first_line, promotions, customer) -> dict | None:
    if promotion.item_id:
        bought = [promotion.item_id] if available.get(promotion.item_id) else []
    else:
        bought = [
            item_id
            for item_id, line in first_line.items()
            if available.get(item_id)
            and promotion.item_group_id in lineage(line.item.group_id, promotions.group_parents)
        ]
    total = sum((available[item_id] for item_id in bought), ZERO)
    times = _times(total, Decimal(promotion.quantity))
    if times <= 0:
        return None
    _consume(available, bought, times * Decimal(promotion.quantity))
    reward = promotion.reward_item or promotion.item
    # The price of the item on the user's line, else its sale price.
    same = first_line.get(reward.pk)
    price = Decimal(same.unit_price) if same is not None else reward.sale_price
    pct = Decimal(promotion.reward_discount_pct)
    tax = customer.default_tax or reward.tax
    return {
        "item": reward,
        "item_code": reward.code,
        "description": (
            _("%(item)s — promotion “%(name)s”") % {"item": reward.name, "name": promotion.name}
        )[:500],
        "is_service": reward.is_service,
        "unit_code": reward.unit.code,
        "quantity": times * Decimal(promotion.reward_quantity),
        "unit_price": price,
        "discount_pct": pct,
        "price_explanation": [
            {"kind": "item", "before": None, "after": str(price)},
            {
                "kind": "promotion",
                "code": promotion.code,
                "name": promotion.name,
                "value": str(pct),
                "before": str(price),
                "after": str(net_price(price, pct)),
            },
        ],
        "tax": tax,
        "vat_category": tax.category,
        "vat_rate": tax.rate,
        "vat_exemption_reason": tax.exemption_reason,
        "vat_exemption_code": tax.exemption_reason_code,
        "promotion_code": promotion.code,
    }


def _entry(promotion, reason: str, **stated) -> dict:
    return {
        "is_charge": False,
        "reason": reason,
        **stated,
        "source": SOURCE,
        "promotion": promotion.code,
    }


def _threshold(promotion, nets: list, user_lines) -> list[dict]:
    amount = sum((net for _line, net in nets), ZERO)
    quantity = sum((Decimal(line.quantity) for line in user_lines), ZERO)
    reached = (promotion.min_amount is not None and amount >= promotion.min_amount) or (
        promotion.min_quantity is not None and quantity >= promotion.min_quantity
    )
    if not reached or amount <= 0:
        return []
    if promotion.discount_pct is not None:
        pct = Decimal(promotion.discount_pct)
        reason = _("Promotion “%(name)s”: %(pct)s") % {
            "name": promotion.name,
            "pct": percent(pct),
        }
        return [_entry(promotion, reason, percent=str(pct))]
    weights: dict = {}
    for line, net in nets:
        weights[vat_key(line)] = weights.get(vat_key(line), ZERO) + net
    reason = _("Promotion “%(name)s”") % {"name": promotion.name}
    discount = min(round_amount(promotion.discount_amount), amount)
    return [
        _entry(promotion, reason, amount=str(part), vat_category=key[0], vat_rate=str(key[1]))
        for key, part in split_by_vat(discount, weights)
    ]


def _bundle(promotion, components: list, available, first_line) -> list[dict]:
    if not components or any(c.item_id not in first_line for c in components):
        return []
    sets = min(_times(available.get(c.item_id, ZERO), Decimal(c.quantity)) for c in components)
    if sets <= 0:
        return []
    weights: dict = {}
    for component in components:
        line = first_line[component.item_id]
        value = (
            sets
            * Decimal(component.quantity)
            * net_price(Decimal(line.unit_price), Decimal(line.discount_pct))
        )
        weights[vat_key(line)] = weights.get(vat_key(line), ZERO) + value
    normal = round_amount(sum(weights.values(), ZERO))
    difference = normal - sets * round_amount(promotion.set_price)
    if difference <= 0:
        return []
    for component in components:
        _consume(available, [component.item_id], sets * Decimal(component.quantity))
    reason = _("Bundle “%(name)s” × %(sets)s") % {"name": promotion.name, "sets": sets}
    return [
        _entry(promotion, reason, amount=str(part), vat_category=key[0], vat_rate=str(key[1]))
        for key, part in split_by_vat(difference, weights)
    ]
