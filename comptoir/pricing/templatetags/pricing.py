from django import template

from comptoir.pricing.explanation import describe

register = template.Library()


@register.filter
def explained(steps, currency="EUR"):
    """A line's price explanation as labelled steps (``comptoir.pricing.explanation``)."""
    return describe(steps, currency)
