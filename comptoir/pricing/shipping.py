"""The shipping charge of a document: which rule of its shipping method applies to the
destination, the weight and the amount, and the charge it gives.

The rules are read once for a batch of documents (``ShippingRules``); resolving a document
reads nothing more. The charge is stored as an EN 16931 document-level charge, marked
``"source": "shipping"`` in ``allowances_charges``, so that it is replaced when the document is
priced again (its lines change, its method changes) and removed when its method is removed.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from comptoir.core.errors import BusinessError
from comptoir.core.money import ZERO, format_amount, format_quantity, round_amount
from comptoir.pricing.engine import LineSpec, price_given_line
from comptoir.pricing.errors import PricingError
from comptoir.pricing.models import ShippingMethod, ShippingRule, country_name
from comptoir.pricing.promotions import amount_after_promotions

SOURCE = "shipping"
FIELD = "shipping_method"


@dataclass(frozen=True)
class ShippingQuote:
    """The charge a rule gives, and what it was given for (the explanation shown)."""

    method: ShippingMethod
    rule: ShippingRule
    charge: Decimal
    weight: Decimal
    amount: Decimal

    @property
    def explanation(self) -> str:
        return _(
            "%(method)s to %(destination)s, %(weight)s kg, order of %(amount)s: %(charge)s"
        ) % {
            "method": self.method.name,
            "destination": self.rule.destination,
            "weight": format_quantity(self.weight),
            "amount": format_amount(self.amount),
            "charge": format_amount(self.charge),
        }


class ShippingRules:
    """The active rules of some shipping methods, read in one query, best first; with
    ``as_line``, their charge is stated as a line (the company's option)."""

    def __init__(self, methods, *, as_line: bool = False):
        self.as_line = as_line
        ids = {method.pk for method in methods if method is not None}
        self.by_method: dict[int, list[ShippingRule]] = {pk: [] for pk in ids}
        if ids:
            rules = ShippingRule.objects.filter(method_id__in=ids, active=True).select_related(
                "zone", "method"
            )
            for rule in sorted(rules, key=ShippingRule.precedence):
                self.by_method[rule.method_id].append(rule)

    def quote(self, method, address: dict, weight: Decimal, amount: Decimal) -> ShippingQuote:
        """The charge of ``method`` for a destination, a weight (kg) and an amount excluding
        VAT; BusinessError ``shipping_not_covered`` when none of its rules applies."""
        if not method.active:
            raise BusinessError(
                PricingError.SHIPPING_METHOD_ARCHIVED,
                _("The shipping method « %(name)s » is archived: choose another.")
                % {"name": method.name},
                FIELD,
            )
        country = (address.get("country") or "").strip().upper()
        postal_code = (address.get("postal_code") or "").replace(" ", "")
        if not country:
            raise BusinessError(
                PricingError.SHIPPING_NOT_COVERED,
                _(
                    "The customer has no delivery address: « %(name)s » cannot price the "
                    "shipping. Add an address to the customer or remove the shipping method."
                )
                % {"name": method.name},
                FIELD,
            )
        for rule in self.by_method.get(method.pk, []):
            if rule.applies(country, postal_code, weight, amount):
                charge = round_amount(rule.charge + rule.charge_per_kg * weight)
                return ShippingQuote(method, rule, charge, weight, amount)
        raise BusinessError(
            PricingError.SHIPPING_NOT_COVERED,
            _(
                "No rule of « %(name)s » covers a delivery to %(postal_code)s %(country)s of "
                "%(weight)s kg for %(amount)s: add a rule to the method (Settings, Shipping "
                "rules) or choose another method."
            )
            % {
                "name": method.name,
                "postal_code": postal_code,
                "country": country_name(country),
                "weight": format_quantity(weight),
                "amount": format_amount(amount),
            },
            FIELD,
        )


def shipping_charge(method, address: dict, weight: Decimal, amount: Decimal) -> ShippingQuote:
    """One method's charge (reads its rules); a batch uses one ``ShippingRules``."""
    return ShippingRules([method]).quote(method, address, weight, amount)


def lines_weight(lines) -> Decimal:
    """The weight of the document lines' items (kg); a line without an item weighs nothing."""
    return sum((line.item.weight * line.quantity for line in lines if line.item is not None), ZERO)


def apply_shipping(document, lines: list, rules: ShippingRules, customer, line_model) -> list:
    """Replace the document's shipping charge by its method's charge for these lines (none
    without a method), and return its lines: the same, or, when the company states shipping
    as a line, the others and a new line of the method's item.

    The charge's VAT is the method's, unless the customer's own VAT (reverse charge,
    export…) replaces every VAT of its documents, as on its lines."""
    kept = [entry for entry in document.allowances_charges if entry.get("source") != SOURCE]
    lines = [line for line in lines if not line.is_shipping]
    document.allowances_charges = kept
    method = document.shipping_method
    document.shipping_quote = None
    if method is None:
        return lines
    address = document.shipping_address or document.billing_address or {}
    amount = amount_after_promotions(document, lines)
    quote = rules.quote(method, address, lines_weight(lines), amount)
    document.shipping_quote = quote  # the preview explains it, free shipping too
    if not quote.charge:
        return lines
    tax = customer.default_tax or method.tax
    reason = _("Shipping costs (%(method)s)") % {"method": method.name}
    if rules.as_line:
        return [*lines, shipping_line(quote, reason, tax, customer, line_model, len(lines) + 1)]
    document.allowances_charges = [
        *kept,
        {
            "amount": str(quote.charge),
            "is_charge": True,
            "reason": reason,
            "vat_category": tax.category,
            "vat_rate": str(tax.rate),
            "source": SOURCE,
            "rule": quote.rule.pk,
            "explanation": quote.explanation,
        },
    ]
    return lines


def shipping_line(quote: ShippingQuote, reason: str, tax, customer, line_model, position: int):
    """The shipping charge as a line of the method's item: one unit at the charge, a service
    (never delivered from stock, invoiced with the first invoice of an order)."""
    item = quote.method.item
    if item is None:
        raise BusinessError(
            PricingError.SHIPPING_ITEM_MISSING,
            _(
                "Shipping is charged as a line (Settings, Company) and « %(name)s » has no "
                "item: choose its item in Settings, Shipping methods."
            )
            % {"name": quote.method.name},
            FIELD,
        )
    spec = LineSpec(
        item=item, quantity=Decimal("1"), unit_price=quote.charge, tax=tax, explanation=[]
    )
    values = price_given_line(customer, spec, FIELD)
    values.update(description=reason, is_service=True, is_shipping=True, position=position)
    return line_model(**values)


def shipping_entry(document) -> dict | None:
    """The document's shipping charge as stored, if it has one."""
    return next((e for e in document.allowances_charges if e.get("source") == SOURCE), None)
