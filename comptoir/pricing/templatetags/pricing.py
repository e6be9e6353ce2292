from django import template

from comptoir.pricing.coupons import coupon_entry_total
from comptoir.pricing.explanation import describe

register = template.Library()


@register.filter
def explained(steps, currency="EUR"):
    """A line's price explanation as labelled steps (``comptoir.pricing.explanation``)."""
    return describe(steps, currency)


@register.filter
def coupon_discount(document):
    """The discount the document's coupon gives (its VAT groups together)."""
    return coupon_entry_total(document)
