"""Pricing rules: which rules a line meets, in which order they apply, and the price they give.

A rule's conditions are all optional; a line meets the rule when it meets every condition the
rule states. Among the rules a line meets, in the order of their priority (highest first, the
oldest rule first on a tie):

- the first rule that sets a price (fixed price, cost + margin, another price list) gives the
  line its price; the later ones that would set it too are shadowed;
- discounts per unit (amounts) then come off that price, then discount percentages add up
  into the line's discount (10 % then 5 % make 14.5 %): the usual cascade of discounts;
- a rule that stops the others ends the list: no rule after it applies.

Rules are read once per batch of documents (`RuleBook.load`) and sorted into buckets by the
most selective condition they state (the item, else its group, else the customer…), so that a
line only looks at the rules that can concern it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q

from comptoir.catalog.models import Item, ItemGroup, ItemPrice
from comptoir.core.money import HUNDRED, ZERO, round_amount, round_price
from comptoir.pricing.models import PricingRule, RuleAction

# The fields a rule is read with: every condition and its action, nothing else.
RULE_FIELDS = (
    "id", "code", "name", "priority", "stop_others", "customer_id", "customer_group_id",
    "territory_id", "item_id", "item_group_id", "min_quantity", "min_amount", "valid_from",
    "valid_to", "currency", "channel", "partner", "action", "value", "price_list_id",
)  # fmt: skip


def net_price(unit_price: Decimal, discount_pct: Decimal) -> Decimal:
    """The price of one unit once the line's discount is taken off, as the explanation shows."""
    return round_price(unit_price * (HUNDRED - discount_pct) / HUNDRED)


def combined_discount(current: Decimal, added: Decimal) -> Decimal:
    """Two discounts one after the other, as one percentage (stored with 2 places)."""
    return round_amount(HUNDRED - (HUNDRED - current) * (HUNDRED - added) / HUNDRED)


@dataclass
class LineFacts:
    """What the conditions of a rule look at, for one line."""

    customer_id: int | None
    customer_group_id: int | None
    territory_id: int | None
    item: Item
    quantity: Decimal
    base_price: Decimal
    day: date
    currency: str
    channel: str
    partner: str = ""


@dataclass
class Outcome:
    """A rule the line meets, and what became of it."""

    rule: PricingRule
    applied: bool
    # Why a rule the line meets did not apply: shadowed, stopped, no_list_price, no_cost.
    reason: str = ""
    by: PricingRule | None = None
    price: Decimal | None = None  # the price it sets, for a price-setting rule


@dataclass
class RuleBook:
    """The active rules of a batch, sorted into buckets, with what their actions need."""

    buckets: dict[tuple[str, int | None], list[PricingRule]] = field(default_factory=dict)
    # Each item group with its ancestors (a rule on a group covers its sub-groups).
    group_lineage: dict[int, tuple[int, ...]] = field(default_factory=dict)
    # (price list, item) -> price breaks, highest minimum quantity first.
    list_prices: dict[tuple[int, int], list[ItemPrice]] = field(default_factory=dict)
    size: int = 0

    @classmethod
    def load(cls, items: Iterable[Item] = (), days: Iterable[date] = ()) -> "RuleBook":
        """The rules in force on any of ``days`` (all active rules without days), in at most
        three queries; the price lists that rules name are read for ``items`` only."""
        rules = PricingRule.objects.filter(active=True).only(*RULE_FIELDS)
        days = sorted(set(days))
        if days:
            rules = rules.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=days[-1]))
            rules = rules.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=days[0]))
        book = cls()
        listed: set[int] = set()
        needs_groups = False
        for rule in rules.order_by("-priority", "id"):
            book.buckets.setdefault(_bucket(rule), []).append(rule)
            book.size += 1
            needs_groups |= rule.item_group_id is not None
            if rule.action == RuleAction.PRICE_LIST and rule.price_list_id:
                listed.add(rule.price_list_id)
        if needs_groups:
            parents = dict(ItemGroup.objects.values_list("id", "parent_id"))
            book.group_lineage = {pk: lineage(pk, parents) for pk in parents}
        item_ids = {item.pk for item in items if item is not None}
        if listed and item_ids:
            for row in ItemPrice.objects.filter(
                price_list_id__in=listed, item_id__in=item_ids
            ).order_by("-min_quantity"):
                book.list_prices.setdefault((row.price_list_id, row.item_id), []).append(row)
        return book

    def candidates(self, facts: LineFacts) -> list[PricingRule]:
        """The rules that may concern the line, in the order they apply (not yet checked)."""
        keys = [("item", facts.item.pk), ("customer", facts.customer_id)]
        keys += [("item_group", g) for g in self.group_lineage.get(facts.item.group_id, ())]
        if facts.customer_group_id:
            keys.append(("customer_group", facts.customer_group_id))
        if facts.territory_id:
            keys.append(("territory", facts.territory_id))
        keys.append(("any", None))
        found = [rule for key in keys for rule in self.buckets.get(key, ())]
        if len(found) > 1:
            found.sort(key=lambda rule: (-rule.priority, rule.pk))
        return found

    def meets(self, rule: PricingRule, facts: LineFacts) -> bool:
        """Whether the line meets every condition the rule states."""
        return (
            (rule.item_id is None or rule.item_id == facts.item.pk)
            and (
                rule.item_group_id is None
                or rule.item_group_id in self.group_lineage.get(facts.item.group_id, ())
            )
            and (rule.customer_id is None or rule.customer_id == facts.customer_id)
            and (
                rule.customer_group_id is None or rule.customer_group_id == facts.customer_group_id
            )
            and (rule.territory_id is None or rule.territory_id == facts.territory_id)
            and facts.quantity >= rule.min_quantity
            and (not rule.min_amount or facts.quantity * facts.base_price >= rule.min_amount)
            and (rule.valid_from is None or rule.valid_from <= facts.day)
            and (rule.valid_to is None or facts.day <= rule.valid_to)
            and (not rule.currency or rule.currency == facts.currency)
            and (
                not rule.channel
                or (
                    rule.channel == facts.channel
                    and (not rule.partner or rule.partner == facts.partner)
                )
            )
        )

    def list_price(self, rule: PricingRule, facts: LineFacts) -> Decimal | None:
        for row in self.list_prices.get((rule.price_list_id, facts.item.pk), ()):
            if row.min_quantity <= facts.quantity and (
                (row.valid_from is None or row.valid_from <= facts.day)
                and (row.valid_to is None or facts.day <= row.valid_to)
            ):
                return row.price
        return None

    def resolve(self, facts: LineFacts) -> list[Outcome]:
        """Every rule the line meets, in order, with whether it applied and why not."""
        outcomes: list[Outcome] = []
        price_rule = stopper = None
        for rule in self.candidates(facts):
            if not self.meets(rule, facts):
                continue
            if stopper is not None:
                outcomes.append(Outcome(rule, False, "stopped", stopper))
                continue
            outcome = Outcome(rule, True)
            if rule.action in (RuleAction.FIXED_PRICE, RuleAction.COST_PLUS, RuleAction.PRICE_LIST):
                outcome = self._price_outcome(rule, facts, price_rule)
                if outcome.applied:
                    price_rule = rule
            outcomes.append(outcome)
            if outcome.applied and rule.stop_others:
                stopper = rule
        return outcomes

    def _price_outcome(self, rule, facts: LineFacts, price_rule) -> Outcome:
        if price_rule is not None:
            return Outcome(rule, False, "shadowed", price_rule)
        if rule.action == RuleAction.FIXED_PRICE:
            return Outcome(rule, True, price=round_price(rule.value))
        if rule.action == RuleAction.COST_PLUS:
            cost = facts.item.cost_price
            if not cost:
                return Outcome(rule, False, "no_cost")
            return Outcome(rule, True, price=round_price(cost * (HUNDRED + rule.value) / HUNDRED))
        price = self.list_price(rule, facts)
        if price is None:
            return Outcome(rule, False, "no_list_price")
        return Outcome(rule, True, price=round_price(price))


def _bucket(rule: PricingRule) -> tuple[str, int | None]:
    for name in ("item", "item_group", "customer", "customer_group", "territory"):
        value = getattr(rule, f"{name}_id")
        if value is not None:
            return (name, value)
    return ("any", None)


def lineage(pk: int, parents: dict[int, int | None]) -> tuple[int, ...]:
    lineage, seen = [], set()
    while pk is not None and pk not in seen:
        seen.add(pk)
        lineage.append(pk)
        pk = parents.get(pk)
    return tuple(lineage)


@dataclass
class Priced:
    """A line's price, discount and the steps that gave them."""

    unit_price: Decimal
    discount_pct: Decimal
    steps: list[dict]
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def net(self) -> Decimal:
        return net_price(self.unit_price, self.discount_pct)

    def step(self, kind: str, **facts) -> None:
        """Record a step that brought the price to where it is now."""
        before = self.steps[-1]["after"] if self.steps else None
        self.steps.append({"kind": kind, **facts, "before": before, "after": str(self.net)})


def apply_rules(base: Decimal, base_step: dict, outcomes: list[Outcome]) -> Priced:
    """The price the applied rules give, from the line's base price, step by step: the price
    first, then amounts off it, then percentages."""
    priced = Priced(unit_price=base, discount_pct=ZERO, steps=[], outcomes=outcomes)
    priced.steps.append({**base_step, "before": None, "after": str(priced.net)})
    applied = [o for o in outcomes if o.applied]
    order = {RuleAction.DISCOUNT_AMOUNT: 1, RuleAction.DISCOUNT_PCT: 2}
    for outcome in sorted(applied, key=lambda o: order.get(o.rule.action, 0)):
        rule = outcome.rule
        if outcome.price is not None:
            priced.unit_price = outcome.price
        elif rule.action == RuleAction.DISCOUNT_AMOUNT:
            priced.unit_price = max(ZERO, round_price(priced.unit_price - rule.value))
        else:
            priced.discount_pct = combined_discount(priced.discount_pct, rule.value)
        priced.step(
            "rule",
            rule=rule.pk,
            code=rule.code,
            name=rule.name,
            action=rule.action,
            value=str(rule.value),
        )
    return priced
