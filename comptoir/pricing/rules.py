"""Pricing rules: which rules a line meets, in which order they apply, and the price they give.

A rule's conditions are all optional; a line meets the rule when it meets every condition the
rule states. Among the rules a line meets, in the order of their priority (highest first, the
oldest rule first on a tie):

- the first rule that sets a price (fixed price, cost + margin, another price list) gives the
  line its price; the later ones that would set it too are shadowed;
- discounts per unit (amounts) then come off that price, then discount percentages add up
  into the line's discount (10 % then 5 % make 14.5 %): the usual cascade of discounts;
- a rule that stops the others ends the list: no rule after it applies.

Rules are read once per process, again when they change (`active_rules`), and sorted for each
batch of documents into buckets by the most selective condition they state of the item (the
item, else its group) and of the customer (the customer, else its group, else its territory),
so that a line only looks at the rules that can concern it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from comptoir.catalog.models import Item, ItemGroup, ItemPrice, VariantValue
from comptoir.core.money import HUNDRED, ZERO, round_amount, round_price
from comptoir.pricing.models import PRICE_SETTING_ACTIONS, PricingRule, RuleAction

# The fields a rule is read with: every condition and its action, nothing else.
# The columns a rule is read from, in the order of ``Rule``'s fields.
RULE_FIELDS = (
    "id", "code", "name", "priority", "stop_others", "customer_id", "customer_group_id",
    "territory_id", "item_id", "item_group_id", "attribute_value_id", "min_quantity",
    "min_amount", "valid_from", "valid_to", "currency", "channel", "partner", "action", "value",
    "price_list_id",
)  # fmt: skip


def net_price(unit_price: Decimal, discount_pct: Decimal) -> Decimal:
    """The price of one unit once the line's discount is taken off, as the explanation shows."""
    if not discount_pct:
        return round_price(unit_price)
    return round_price(unit_price * (HUNDRED - discount_pct) / HUNDRED)


def combined_discount(current: Decimal, added: Decimal) -> Decimal:
    """Two discounts one after the other, as one percentage (stored with 2 places)."""
    return round_amount(HUNDRED - (HUNDRED - current) * (HUNDRED - added) / HUNDRED)


@dataclass(slots=True)
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
    values: frozenset = frozenset()  # the item's attribute values, for a variant
    item_id: int | None = None
    template_id: int | None = None

    def __post_init__(self) -> None:
        self.item_id, self.template_id = self.item.pk, self.item.template_id


@dataclass(frozen=True, slots=True)
class Rule:
    """A pricing rule as the engine reads it: its conditions and its action, nothing else."""

    pk: int
    code: str
    name: str
    priority: int
    stop_others: bool
    customer_id: int | None
    customer_group_id: int | None
    territory_id: int | None
    item_id: int | None
    item_group_id: int | None
    attribute_value_id: int | None
    min_quantity: Decimal
    min_amount: Decimal
    valid_from: date | None
    valid_to: date | None
    currency: str
    channel: str
    partner: str
    action: str
    value: Decimal
    price_list_id: int | None

    # Whether it states more than one condition of a side (an item and its group, a customer
    # and its territory…): its bucket vouches for one only (``RuleBook.candidates``).
    more: bool = False
    # What its step of an explanation says of it; the order it applies in among the rules
    # applied to a line (its price first, then amounts off it, then percentages).
    said: dict = field(default_factory=dict)
    stage: int = 0

    @classmethod
    def read(cls, row: tuple) -> "Rule":
        rule = cls(*row)
        item_side = (rule.item_id, rule.item_group_id, rule.attribute_value_id)
        customer_side = (rule.customer_id, rule.customer_group_id, rule.territory_id)
        more = sum(v is not None for v in item_side) > 1
        more |= sum(v is not None for v in customer_side) > 1
        said = {"kind": "rule", "rule": rule.pk, "code": rule.code, "name": rule.name,
                "action": rule.action, "value": str(rule.value)}  # fmt: skip
        stage = {RuleAction.DISCOUNT_AMOUNT: 1, RuleAction.DISCOUNT_PCT: 2}.get(rule.action, 0)
        return replace(rule, more=more, said=said, stage=stage)

    def meets(self, facts: LineFacts, lineage: tuple) -> bool:
        """Whether the line meets every condition the rule states (``lineage``: the line's
        item group and its ancestors)."""
        return (
            (self.item_id is None or self.item_id in (facts.item_id, facts.template_id))
            and (self.item_group_id is None or self.item_group_id in lineage)
            and (self.attribute_value_id is None or self.attribute_value_id in facts.values)
            and (self.customer_id is None or self.customer_id == facts.customer_id)
            and (
                self.customer_group_id is None or self.customer_group_id == facts.customer_group_id
            )
            and (self.territory_id is None or self.territory_id == facts.territory_id)
            and self.meets_now(facts)
            and (not self.currency or self.currency == facts.currency)
            and (
                not self.channel
                or (
                    self.channel == facts.channel
                    and (not self.partner or self.partner == facts.partner)
                )
            )
        )

    def meets_now(self, facts: LineFacts) -> bool:
        """The conditions of the line itself: its quantity, its amount, its day."""
        return (
            facts.quantity >= self.min_quantity
            and (not self.min_amount or facts.quantity * facts.base_price >= self.min_amount)
            and (self.valid_from is None or self.valid_from <= facts.day)
            and (self.valid_to is None or facts.day <= self.valid_to)
        )


@dataclass
class Outcome:
    """A rule the line meets, and what became of it."""

    rule: Rule
    applied: bool
    # Why a rule the line meets did not apply: shadowed, stopped, no_list_price, no_cost.
    reason: str = ""
    by: Rule | None = None
    price: Decimal | None = None  # the price it sets, for a price-setting rule


# The active rules, read once per process and again only when they changed: (version, rules);
# and the buckets they make, by version, currency, channel and partner.
_RULES: dict[str, tuple[tuple, list[Rule]]] = {}
_BOOKS: dict[tuple, tuple] = {}


def active_rules() -> tuple[tuple, list[Rule]]:
    """Every active rule, in the order they apply, and the version they were read at. One
    small query tells whether the rules read before are still those in the database (their
    number and latest change: a rule added, changed or deleted changes one of them)."""
    from django.db import connection
    from django.db.models import Count, Max

    database = connection.settings_dict["NAME"]
    counted = PricingRule.objects.aggregate(count=Count("id"), changed=Max("updated_at"))
    version = (database, counted["count"], counted["changed"])
    cached = _RULES.get(database)
    if cached is not None and cached[0] == version:
        return cached
    rows = (
        PricingRule.objects.filter(active=True)
        .order_by("-priority", "id")
        .values_list(*RULE_FIELDS)
    )
    _RULES[database] = cached = (version, [Rule.read(row) for row in rows])
    return cached


@dataclass
class RuleBook:
    """The rules of a batch sorted into buckets, with what their actions need."""

    # Rules by (item key, customer key): the most selective condition of each side, if any.
    buckets: dict[tuple, list[Rule]] = field(default_factory=dict)
    # Each item group with its ancestors (a rule on a group covers its sub-groups).
    group_lineage: dict[int, tuple[int, ...]] = field(default_factory=dict)
    # (price list, item) -> price breaks, highest minimum quantity first.
    list_prices: dict[tuple[int, int], list[ItemPrice]] = field(default_factory=dict)
    size: int = 0
    # The keys of an item's buckets, worked out once per batch.
    item_keys: dict[int, list] = field(default_factory=dict)
    # The keys of a customer's buckets (by its id), worked out once per batch.
    customer_keys: dict[int | None, list] = field(default_factory=dict)
    # A variant's attribute values, when rules name one.
    item_values: dict[int, frozenset] = field(default_factory=dict)

    @classmethod
    def load(
        cls, items: Iterable[Item] = (), *, currency: str = "", channel: str = "", partner: str = ""
    ) -> "RuleBook":
        """The rules that may apply to a batch of documents in ``currency`` from ``channel``,
        in buckets. The price lists the rules name are read for ``items`` only."""
        version, rules = active_rules()
        key = (version, currency, channel, partner)
        sorted_ = _BOOKS.get(key)
        if sorted_ is None:
            kept = [
                rule
                for rule in rules
                if not (currency and rule.currency and rule.currency != currency)
                and not (
                    channel
                    and rule.channel
                    and (rule.channel != channel or (rule.partner and rule.partner != partner))
                )
            ]
            buckets: dict[tuple, list[Rule]] = {}
            for rule in kept:
                buckets.setdefault(_bucket(rule), []).append(rule)
            if len(_BOOKS) > 100:  # versions gone by
                _BOOKS.clear()
            sorted_ = _BOOKS[key] = (
                buckets,
                len(kept),
                any(rule.item_group_id is not None for rule in kept),
                any(rule.attribute_value_id is not None for rule in kept),
                {r.price_list_id for r in kept if r.action == RuleAction.PRICE_LIST},
            )
        buckets, size, needs_groups, needs_values, listed = sorted_
        book = cls(buckets=buckets, size=size)
        if needs_groups:
            parents = dict(ItemGroup.objects.values_list("id", "parent_id"))
            book.group_lineage = {pk: lineage(pk, parents) for pk in parents}
        item_ids = {item.pk for item in items if item is not None}
        if needs_values and item_ids:
            found: dict[int, set] = {}
            for item_id, value_id in VariantValue.objects.filter(
                variant_id__in=item_ids
            ).values_list("variant_id", "value_id"):
                found.setdefault(item_id, set()).add(value_id)
            book.item_values = {pk: frozenset(values) for pk, values in found.items()}
        if listed and item_ids:
            for row in ItemPrice.objects.filter(
                price_list_id__in=listed, item_id__in=item_ids
            ).order_by("-min_quantity"):
                book.list_prices.setdefault((row.price_list_id, row.item_id), []).append(row)
        return book

    def candidates(self, facts: LineFacts) -> list[Rule]:
        """The rules that may concern the line, in the order they apply (not yet checked):
        those kept under one of its item's keys and one of its customer's."""
        item = facts.item
        item_keys = self.item_keys.get(item.pk)
        if item_keys is None:
            lineage = self.group_lineage.get(item.group_id, ())
            item_keys = self.item_keys[item.pk] = [
                ("item", item.pk),
                *([("item", item.template_id)] if item.template_id else []),
                *(("value", value) for value in self.item_values.get(item.pk, ())),
                *(("item_group", group) for group in lineage),
                None,
            ]
        customer_keys = self.customer_keys.get(facts.customer_id)
        if customer_keys is None:
            customer_keys = self.customer_keys[facts.customer_id] = [
                *([("customer", facts.customer_id)] if facts.customer_id else []),
                *([("customer_group", facts.customer_group_id)] if facts.customer_group_id else []),
                *([("territory", facts.territory_id)] if facts.territory_id else []),
                None,
            ]
        buckets = self.buckets
        found = [
            rule
            for item_key in item_keys
            for customer_key in customer_keys
            for rule in buckets.get((item_key, customer_key), ())
        ]
        if len(found) > 1:
            found.sort(key=_order)
        return found

    def list_price(self, rule: Rule, facts: LineFacts) -> Decimal | None:
        for row in self.list_prices.get((rule.price_list_id, facts.item.pk), ()):
            if row.min_quantity <= facts.quantity and (
                (row.valid_from is None or row.valid_from <= facts.day)
                and (row.valid_to is None or facts.day <= row.valid_to)
            ):
                return row.price
        return None

    def resolve(self, facts: LineFacts) -> list[Outcome]:
        """Every rule the line meets, in order, with whether it applied and why not.

        A rule comes from the buckets of the line's item and customer: the one condition of
        each side its bucket stands for is met; the currency and channel were met when the
        batch's rules were sorted (``load``). What is left: the line's own quantity, amount
        and day, and all of it for a rule stating more than one condition of a side."""
        outcomes: list[Outcome] = []
        price_rule = stopper = None
        line_lineage = self.group_lineage.get(facts.item.group_id, ())
        quantity, day = facts.quantity, facts.day
        for rule in self.candidates(facts):
            if rule.more:
                if not rule.meets(facts, line_lineage):
                    continue
            elif (  # rule.meets_now, inline: it runs for every rule of every line
                quantity < rule.min_quantity
                or (rule.min_amount and quantity * facts.base_price < rule.min_amount)
                or (rule.valid_from is not None and day < rule.valid_from)
                or (rule.valid_to is not None and day > rule.valid_to)
            ):
                continue
            if stopper is not None:
                outcomes.append(Outcome(rule, False, "stopped", stopper))
                continue
            outcome = Outcome(rule, True)
            if rule.action in PRICE_SETTING_ACTIONS:
                outcome = self._price_outcome(rule, facts, price_rule)
                if outcome.applied:
                    price_rule = rule
            outcomes.append(outcome)
            if outcome.applied and rule.stop_others:
                stopper = rule
        return outcomes

    def _price_outcome(self, rule: Rule, facts: LineFacts, price_rule) -> Outcome:
        if price_rule is not None:
            return Outcome(rule, False, "shadowed", price_rule)
        if rule.action == RuleAction.FIXED_PRICE:
            return Outcome(rule, True, price=round_price(rule.value))
        if rule.action == RuleAction.COST_PLUS:
            cost = facts.item.cost_price
            if not cost:
                return Outcome(rule, False, "no_cost")
            # In cents: a price a customer reads (8,00 € + 37 % is 10,96 €, not 10,9600).
            return Outcome(rule, True, price=round_amount(cost * (HUNDRED + rule.value) / HUNDRED))
        price = self.list_price(rule, facts)
        if price is None:
            return Outcome(rule, False, "no_list_price")
        return Outcome(rule, True, price=round_price(price))


def _order(rule: Rule) -> tuple[int, int]:
    return (-rule.priority, rule.pk)


def _bucket(rule: Rule) -> tuple:
    """The rule's key: the most selective condition it states on the item side (the item,
    else its group) and on the customer side (the customer, else its group, else its
    territory); None for a side it states nothing of."""
    if rule.item_id is not None:
        item_key = ("item", rule.item_id)
    elif rule.attribute_value_id is not None:
        item_key = ("value", rule.attribute_value_id)
    elif rule.item_group_id is not None:
        item_key = ("item_group", rule.item_group_id)
    else:
        item_key = None
    for name in ("customer", "customer_group", "territory"):
        value = getattr(rule, f"{name}_id")
        if value is not None:
            return (item_key, (name, value))
    return (item_key, None)


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
        self.said({"kind": kind, **facts})

    def said(self, what: dict) -> None:
        before = self.steps[-1]["after"] if self.steps else None
        self.steps.append({**what, "before": before, "after": str(self.net)})


def apply_rules(base: Decimal, base_step: dict, outcomes: list[Outcome]) -> Priced:
    """The price the applied rules give, from the line's base price, step by step: the price
    first, then amounts off it, then percentages."""
    priced = Priced(unit_price=base, discount_pct=ZERO, steps=[], outcomes=outcomes)
    priced.steps.append({**base_step, "before": None, "after": str(priced.net)})
    applied = [o for o in outcomes if o.applied]
    if len(applied) > 1:
        applied.sort(key=_stage)
    for outcome in applied:
        rule = outcome.rule
        if outcome.price is not None:
            priced.unit_price = outcome.price
        elif rule.stage == 1:
            priced.unit_price = max(ZERO, round_price(priced.unit_price - rule.value))
        else:
            priced.discount_pct = combined_discount(priced.discount_pct, rule.value)
        priced.said(rule.said)
    return priced


def _stage(outcome: Outcome) -> int:
    return outcome.rule.stage
