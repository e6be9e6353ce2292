import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, FilterLookup, FilterSchema, Schema

from comptoir.core.schemas import CostOut, Day, Id, Out, Price, PriceOut, Quantity


class ItemIn(Schema):
    code: str = Field(..., min_length=1, max_length=50)
    name: str = Field(..., min_length=1, max_length=200)
    barcode: str = Field("", max_length=14, pattern=r"^\d*$", description="EAN-13 or GTIN")
    description: str = ""
    kind: str = Field("goods", pattern="^(goods|service|bundle)$")
    unit: str = Field("C62", description="Unit code")
    group_id: Id | None = None
    sale_price: Price = Field(Decimal("0"), ge=0)
    cost_price: Price = Field(Decimal("0"), ge=0)
    tax: str = Field("TVA20", description="Tax code")
    weight: Quantity = Field(Decimal("0"), ge=0, description="Shipping weight of one unit, kg")


class ItemPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    barcode: str | None = Field(None, max_length=14, pattern=r"^\d*$")
    description: str | None = None
    group_id: Id | None = None
    sale_price: Price | None = Field(None, ge=0)
    cost_price: Price | None = Field(None, ge=0)
    tax: str | None = None
    weight: Quantity | None = Field(None, ge=0, description="Shipping weight of one unit, kg")
    active: bool | None = None


class ItemOut(Out):
    id: int
    code: str
    name: str
    barcode: str
    description: str
    kind: str
    unit_code: str = Field(..., alias="unit.code")
    group_id: int | None
    sale_price: PriceOut
    cost_price: CostOut
    tax_code: str = Field(..., alias="tax.code")
    vat_rate: Decimal = Field(..., alias="tax.rate")
    weight: Decimal = Field(..., description="Shipping weight of one unit, kg")
    active: bool
    is_template: bool = Field(..., description="A model sold only through its variants")
    template_id: int | None = Field(..., description="The model of a variant")


class ItemFilter(FilterSchema):
    search: Annotated[
        str | None, FilterLookup(["code__icontains", "name__icontains", "barcode"])
    ] = None
    group_id: Id | None = None
    kind: str | None = None
    active: bool | None = None
    is_template: bool | None = None
    template_id: Id | None = None


class PriceListIn(Schema):
    code: str = Field(..., min_length=1, max_length=30)
    name: str = Field(..., min_length=1, max_length=100)
    prices_include_vat: bool = False


class PriceListOut(PriceListIn):
    id: int
    currency: str
    active: bool


class ItemPriceIn(Schema):
    item: Id | str
    price: Price = Field(..., ge=0)
    min_quantity: Quantity = Field(Decimal("0"), ge=0)
    valid_from: Day | None = None
    valid_to: Day | None = None


class ItemPriceOut(Out):
    id: int
    item_id: int
    price: PriceOut
    min_quantity: Decimal
    valid_from: dt.date | None
    valid_to: dt.date | None


class UnitOut(Out):
    id: int
    code: str
    name: str


class ComponentIn(Schema):
    item: str = Field(..., description="Component's code or id")
    quantity: Decimal = Field(..., max_digits=13, decimal_places=3, description="Per bundle")


class ComponentOut(Out):
    item_id: Id = Field(..., alias="component_id")
    item_code: str = Field(..., alias="component.code")
    quantity: Decimal


class AttributeValueIn(Schema):
    code: str = Field(..., min_length=1, max_length=10)
    label: str = Field(..., min_length=1, max_length=50)


class AttributeValueOut(Out):
    id: int
    code: str
    label: str


class AttributeIn(Schema):
    code: str = Field(..., min_length=1, max_length=20)
    name: str = Field(..., min_length=1, max_length=50)
    position: int = Field(0, ge=0, le=32767)
    values: list[AttributeValueIn] = Field(default_factory=list)


class AttributePatch(Schema):
    code: str | None = Field(None, min_length=1, max_length=20)
    name: str | None = Field(None, min_length=1, max_length=50)
    position: int | None = Field(None, ge=0, le=32767)
    values: list[AttributeValueIn] = Field(
        default_factory=list, description="Values added, or relabelled by their code"
    )


class AttributeOut(Out):
    id: int
    code: str
    name: str
    position: int
    values: list[AttributeValueOut]

    @staticmethod
    def resolve_values(attribute) -> list:
        return list(attribute.values.all())


class TemplateAttributesIn(Schema):
    attributes: list[str] = Field(
        ..., min_length=1, description="Attribute codes; the first makes the grid's rows"
    )


class GridIn(Schema):
    values: dict[str, list[str]] = Field(
        ...,
        description='Value codes by attribute code, e.g. {"TAILLE": ["S", "M"], "COULEUR": '
        '["RGE"]}: a variant of each combination is created unless it exists',
    )


class VariantOut(ItemOut):
    price_extra: Decimal
    values: dict[str, str] = Field(..., description="Value code by attribute code")

    @staticmethod
    def resolve_values(item) -> dict:
        return {row.attribute.code: row.value.code for row in item.variant_values.all()}


class VariantPatch(Schema):
    code: str | None = Field(None, min_length=1, max_length=50)
    barcode: str | None = Field(None, max_length=14, pattern=r"^\d*$")
    price_extra: Price | None = None
    active: bool | None = None
