"""A pricing rule in words, as the list, its page and its exported file read it: « Groupe de
clients : Détaillants · Groupe d’articles : Cafés · dès 10 unités » and « Remise 10 % »."""

from django.utils import formats
from django.utils.translation import gettext as _

from comptoir.core.money import format_amount, format_quantity
from comptoir.core.templatetags.comptoir import percent
from comptoir.pricing.models import PricingRule, RuleAction, RuleChannel

SEPARATOR = " · "


def describe_conditions(rule: PricingRule) -> str:
    """Every condition the rule states, in words; « Toutes les lignes » when it states none."""
    named = (
        (_("Customer"), rule.customer),
        (_("Customer group"), rule.customer_group),
        (_("Territory"), rule.territory),
        (_("Item"), rule.item),
        (_("Item group"), rule.item_group),
        (
            rule.attribute_value.attribute if rule.attribute_value_id else "",
            rule.attribute_value,
        ),
    )
    parts = [_("%(what)s: %(name)s") % {"what": what, "name": row} for what, row in named if row]
    if rule.min_quantity:
        quantity = format_quantity(rule.min_quantity)
        parts.append(_("from %(quantity)s units") % {"quantity": quantity})
    if rule.min_amount:
        amount = format_amount(rule.min_amount, rule.currency or "EUR")
        parts.append(_("from a line of %(amount)s") % {"amount": amount})
    start, end = rule.valid_from, rule.valid_to
    if start and end:
        parts.append(_("from %(start)s to %(end)s") % {"start": _day(start), "end": _day(end)})
    elif start:
        parts.append(_("from %(start)s") % {"start": _day(start)})
    elif end:
        parts.append(_("until %(end)s") % {"end": _day(end)})
    if rule.currency:
        parts.append(_("%(what)s: %(name)s") % {"what": _("Currency"), "name": rule.currency})
    if rule.channel == RuleChannel.TYPED:
        parts.append(_("typed in Comptoir"))
    elif rule.channel == RuleChannel.IMPORT:
        partner = rule.partner or _("any partner")
        parts.append(_("imported from %(partner)s") % {"partner": partner})
    return SEPARATOR.join(parts) if parts else _("Every line")


def describe_action(rule: PricingRule) -> str:
    """What the rule does to the price: « Prix fixe 12,50 € », « Remise 10 % »…"""
    value = rule.value if rule.value is not None else 0
    currency = rule.currency or "EUR"
    if rule.action == RuleAction.FIXED_PRICE:
        return _("Fixed price %(price)s") % {"price": format_amount(value, currency)}
    if rule.action == RuleAction.DISCOUNT_PCT:
        return _("Discount %(percent)s") % {"percent": percent(value)}
    if rule.action == RuleAction.DISCOUNT_AMOUNT:
        return _("Discount %(amount)s per unit") % {"amount": format_amount(value, currency)}
    if rule.action == RuleAction.COST_PLUS:
        return _("Cost price + %(rate)s") % {"rate": percent(value)}
    if rule.action == RuleAction.PRICE_LIST:
        return _("Price from the list %(name)s") % {"name": rule.price_list or "—"}
    return str(rule.get_action_display())


def _day(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")
