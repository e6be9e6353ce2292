"""The explanation of a line's price in words, in the reader's language.

Lines store their steps as data (``comptoir.pricing.rules.Priced.step``): what each step was,
and the net unit price before and after it. The words are made when the steps are read, so a
French and an English user each read them in their language.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from comptoir.core.money import format_amount
from comptoir.core.templatetags.comptoir import percent
from comptoir.pricing.models import RuleAction

# Why a rule the line meets did not apply (``comptoir.pricing.rules.Outcome.reason``).
NOT_APPLIED = {
    "shadowed": lambda by: (
        _("a rule of a higher priority, “%(name)s”, gives the price") % {"name": by.name}
    ),
    "stopped": lambda by: _("“%(name)s” stops the rules after it") % {"name": by.name},
    "no_list_price": lambda by: _("its price list has no price for this item and quantity"),
    "no_cost": lambda by: _("the item has no cost price"),
}


@dataclass(frozen=True)
class Said:
    """A step as a reader sees it."""

    label: str
    before: Decimal | None
    after: Decimal


def action_words(action: str, value, currency: str = "EUR") -> str:
    """What a rule does, in words: « remise 10 % », « prix fixe 12,50 € »…"""
    value = Decimal(value)
    if action == RuleAction.FIXED_PRICE:
        return _("fixed price %(price)s") % {"price": format_amount(value, currency)}
    if action == RuleAction.DISCOUNT_PCT:
        return _("discount %(pct)s") % {"pct": percent(value)}
    if action == RuleAction.DISCOUNT_AMOUNT:
        return _("%(amount)s off each unit") % {"amount": format_amount(value, currency)}
    if action == RuleAction.COST_PLUS:
        return _("cost price + %(pct)s") % {"pct": percent(value)}
    return _("price from another price list")


def step_label(step: dict, currency: str = "EUR") -> str:
    kind = step.get("kind")
    if kind == "item":
        return _("The item's price")
    if kind == "price_list":
        return _("The customer's price list “%(name)s”") % {"name": step.get("name", "")}
    if kind == "rule":
        return _("Rule “%(name)s”: %(action)s") % {
            "name": step.get("name", ""),
            "action": action_words(step.get("action", ""), step.get("value") or 0, currency),
        }
    if kind == "floor":
        return _("Raised to the minimum margin (%(pct)s over the cost price)") % {
            "pct": percent(Decimal(step.get("margin") or 0))
        }
    if kind == "promotion":
        return _("Promotion “%(name)s”") % {"name": step.get("name", "")}
    if kind == "manual_discount":
        pct = percent(Decimal(step.get("value") or 0))
        replaced = Decimal(step.get("replaced") or 0)
        said = _("Discount typed: %(pct)s") % {"pct": pct}
        if replaced:
            said = _("Discount typed: %(pct)s (instead of %(replaced)s)") % {
                "pct": pct,
                "replaced": percent(replaced),
            }
    elif kind == "manual_price" and step.get("value") is not None:
        said = _("Price typed: %(price)s") % {
            "price": format_amount(Decimal(step["value"]), currency)
        }
    else:
        said = _("Price typed")
    if step.get("below_margin"):
        said = _("%(step)s, under the minimum margin") % {"step": said}
    return said


def describe(steps: list[dict], currency: str = "EUR") -> list[Said]:
    return [
        Said(
            label=step_label(step, currency),
            before=Decimal(step["before"]) if step.get("before") is not None else None,
            after=Decimal(step["after"]),
        )
        for step in steps or ()
    ]
