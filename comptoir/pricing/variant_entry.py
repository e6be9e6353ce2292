"""The document form's entry by size and colour: a model chosen opens the grid of its
variants, a quantity per cell; the filled cells become one line per variant.

It only turns what is typed into lines of the form (``DocumentForm``); those lines are then
priced and saved as any other.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from comptoir.catalog.models import Item
from comptoir.catalog.queries import variant_layout
from comptoir.core.errors import BusinessError
from comptoir.core.money import MAX_QUANTITY, parse_decimal

PREFIX = "grid-"


def offered_templates():
    """The models a user may enter by size and colour: those sold."""
    return Item.objects.filter(is_template=True, active=True).only("code", "name")


@dataclass
class VariantEntry:
    """The grid as typed: the model chosen, a quantity per variant, errors by variant."""

    template: Item | None = None
    quantities: dict[int, str] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)
    error: str = ""
    layout: dict = field(default_factory=dict)

    @classmethod
    def read(cls, data) -> "VariantEntry":
        code = (data.get("grid_template") or "").strip() if data is not None else ""
        if not code or (data is not None and data.get("close_grid")):
            return cls()
        template = Item.objects.filter(code=code, is_template=True).first()
        if template is None:
            return cls(error=_("No model has the code %(code)s.") % {"code": code})
        variants = list(template.variants.filter(active=True).order_by("code"))
        quantities = {
            variant.pk: (data.get(f"{PREFIX}{variant.pk}") or "").strip() for variant in variants
        }
        entry = cls(template, quantities, layout=variant_layout(template, variants))
        entry.variants = variants
        return entry

    def cells(self):
        """(variant, name of its input, quantity typed, error) for a plain list."""
        return [self.cell(variant) for variant in getattr(self, "variants", [])]

    def cell(self, variant: Item) -> dict:
        return {
            "variant": variant,
            "label": self.layout.get("labels", {}).get(variant.pk, variant.code),
            "name": f"{PREFIX}{variant.pk}",
            "value": self.quantities.get(variant.pk, ""),
            "error": self.errors.get(variant.pk, ""),
        }

    def rows(self):
        """(value, [cell or None per column]) for a model varying on two attributes."""
        return [
            (value, [self.cell(v) if v else None for v in row])
            for value, row in self.layout.get("rows", [])
        ]

    def take_lines(self) -> list[dict] | None:
        """The lines of the filled cells ({item code, quantity}); None, with the error kept on
        its cell, when a quantity cannot be read. The grid closes once its lines are taken."""
        if self.template is None:
            return []
        lines = []
        for variant in self.variants:
            typed = self.quantities.get(variant.pk, "")
            if not typed:
                continue
            try:
                quantity = parse_decimal(typed, maximum=MAX_QUANTITY)
            except BusinessError as error:
                self.errors[variant.pk] = error.message
                continue
            if quantity < 0:
                self.errors[variant.pk] = _("The quantity must be greater than zero.")
            elif quantity > 0:
                lines.append({"item": variant.code, "quantity": typed})
        if self.errors:
            return None
        self.template = None
        return lines
