"""Shared API schemas: numbers with the columns' limits, lines, totals, errors."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import AfterValidator, WrapSerializer, model_validator

from comptoir.core import access
from comptoir.core.validation import check_day

# A row's id as the API accepts it: what a 64-bit key column holds, so that no lookup overflows.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Amount = Annotated[Decimal, Field(max_digits=14, decimal_places=2)]
Price = Annotated[Decimal, Field(max_digits=16, decimal_places=4)]
Quantity = Annotated[Decimal, Field(max_digits=13, decimal_places=3)]
# A date as a client types it: within the range Comptoir accepts (core.validation).
Day = Annotated[dt.date, AfterValidator(check_day)]
Rate = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]


def _shown_to(permission: str) -> WrapSerializer:
    """An answer's money only the users with ``permission`` see; null for the others."""

    def serialize(value, handler, info):
        request = (info.context or {}).get("request")
        if request is not None and not access.allows(request.user, permission):
            return None
        return handler(value)

    return WrapSerializer(serialize, return_type=Decimal | None)


# Money in answers: selling prices and amounts, and cost prices (``comptoir.core.access``).
PriceOut = Annotated[Decimal | None, _shown_to(access.SEE_PRICES)]
CostOut = Annotated[Decimal | None, _shown_to(access.SEE_COSTS)]


_PLAIN = frozenset({int, str, bool, float, Decimal, dt.date, dt.datetime, type(None)})


def _read(cls, obj, context) -> dict:
    """What Ninja's reader gives pydantic for ``obj`` (resolvers first, then attributes, then
    dotted paths; related managers listed, callables called), as a dict read in one pass."""
    getter = DjangoGetter(obj, cls, context)
    resolvers = cls._ninja_resolvers
    data = {}
    for key in _keys(cls):
        resolver = resolvers.get(key)
        try:
            value = resolver(getter=getter) if resolver else getattr(obj, key)
        except AttributeError:
            try:
                value = getattr(getter, key)  # a dotted path such as unit.code
            except AttributeError:
                continue  # missing: pydantic takes the default or says it is required
        data[key] = value if type(value) in _PLAIN else getter._convert_result(value)
    return data


_KEYS: dict[type, tuple[str, ...]] = {}


def _keys(cls) -> tuple[str, ...]:
    """The names pydantic asks an object for: each field's alias, or its name."""
    keys = _KEYS.get(cls)
    if keys is None:
        keys = _KEYS[cls] = tuple(f.alias or name for name, f in cls.model_fields.items())
    return keys


class Out(Schema):
    """An answer's schema. Read from a model instance as Ninja reads it, a field at a time,
    without its per-attribute detours, which cost most of a long list's answer."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values, handler, info):
        if isinstance(values, dict | Schema):
            return handler(DjangoGetter(values, cls, info.context))
        return handler(_read(cls, values, info.context))


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class FieldErrorOut(Schema):
    loc: list[str]
    msg: str


class ValidationErrorOut(ErrorOut):
    errors: list[FieldErrorOut]


# The business errors an operation that reads or changes a record may answer.
ERRORS = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class LineIn(Schema):
    item: Id | str | None = Field(None, description="Item id or code")
    quantity: Quantity
    unit_price: Price | None = Field(None, description="Excl. VAT; default from the price list")
    discount_pct: Rate | None = None
    description: str | None = Field(None, max_length=500)
    tax: str | None = Field(None, description="Tax code; default from the item or customer")
    variant: dict[str, str] | None = Field(
        None,
        description="With a model's code as item: its variant's values by attribute code, "
        'e.g. {"TAILLE": "M", "COULEUR": "RGE"}',
    )
    promotion_code: str | None = Field(
        None,
        description="A promotion's line read back: left out, the promotions give it again",
    )


class PriceStepOut(Schema):
    """One step of how a line got its price, with the net unit price before and after it."""

    kind: str = Field(
        description="item, price_list, rule, floor (raised to the minimum margin), "
        "manual_price or manual_discount (typed), promotion (a promotion's line)"
    )
    code: str = Field("", description="The rule's code, for a rule")
    name: str = Field("", description="The rule's or the price list's name")
    action: str = Field("", description="What the rule does: fixed_price, discount_pct…")
    value: PriceOut = None
    before: PriceOut = None
    after: PriceOut = None


class LineOut(Out):
    id: int
    position: int
    item_id: int | None
    item_code: str
    description: str
    quantity: Decimal
    unit_code: str
    unit_price: PriceOut
    discount_pct: Decimal
    vat_category: str
    vat_rate: Decimal
    net_amount: PriceOut
    price_explanation: list[PriceStepOut] = []
    promotion_code: str = Field("", description="The promotion that gave the line, if any")
    is_shipping: bool = Field(False, description="The shipping charge, recomputed: leave it out")


class VatGroupOut(Out):
    category: str
    rate: Decimal
    taxable_amount: PriceOut
    tax_amount: PriceOut
    exemption_reason: str = ""


class AllowanceChargeIn(Schema):
    """A document allowance (discount) or charge: an amount, or a percentage of the lines."""

    amount: Amount | None = Field(None, ge=0, description="Excl. VAT (BT-92/BT-99); or percent")
    percent: Rate | None = Field(
        None,
        description="Percentage (BT-94/BT-101) of the net amounts of the lines of its VAT "
        "(BT-93/BT-100), instead of an amount; without tax, of each VAT rate of the lines "
        "(one allowance or charge per rate)",
    )
    is_charge: bool = False
    reason: str = Field("", max_length=200)
    tax: str | None = Field(
        None, description="Tax code; required with an amount, optional with a percent"
    )
    promotion: str | None = Field(
        None,
        description="A promotion's discount read back: left out, the promotions give it again",
    )


class AllowanceChargeOut(Out):
    amount: PriceOut
    percent: Decimal | None = None
    base: PriceOut = None
    is_charge: bool = False
    reason: str = ""
    promotion: str = Field("", description="The promotion that gave the discount, if any")
    vat_category: str
    vat_rate: Decimal


class DocumentOut(Out):
    id: int
    number: str
    date: dt.date
    customer_id: int
    customer_name: str
    customer_vat_id: str
    billing_address: dict
    shipping_address: dict
    currency: str
    payment_terms_text: str
    customer_reference: str
    notes: str
    total_lines: PriceOut
    allowances_charges: list[AllowanceChargeOut]
    total_allowances: PriceOut
    total_charges: PriceOut
    total_net: PriceOut
    total_vat: PriceOut
    total_gross: PriceOut
    vat_breakdown: list[VatGroupOut]
    allowances_charges: list[dict] = Field(
        description="Document-level allowances and charges; the shipping charge has "
        '"source": "shipping", its rule and an explanation'
    )
    shipping_method_id: int | None = None
    coupon_code: str = Field("", description='The coupon used; its discount has "source": "coupon"')
    created_at: dt.datetime


class CompanyOut(Out):
    legal_name: str
    legal_form: str
    share_capital: Decimal
    siren: str
    siret: str
    rcs_city: str
    vat_id: str
    address_line1: str
    postal_code: str
    city: str
    country: str
    iban: str
    bic: str
    currency: str
    stock_management: bool
    reserve_on_confirm: bool
    allow_negative_stock: bool
    facturx_profile: str
    print_layout: str
    shipping_as_line: bool
    invoice_basis: str


class CompanyIn(Schema):
    legal_name: str | None = Field(None, max_length=200)
    legal_form: str | None = Field(None, max_length=50)
    share_capital: Amount | None = None
    siren: str | None = None
    siret: str | None = None
    rcs_city: str | None = None
    vat_id: str | None = None
    address_line1: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = Field(None, min_length=2, max_length=2)
    iban: str | None = None
    bic: str | None = None
    stock_management: bool | None = None
    reserve_on_confirm: bool | None = None
    allow_negative_stock: bool | None = None
    facturx_profile: str | None = Field(None, pattern="^(en16931|basic)$")
    print_layout: str | None = Field(None, pattern="^(standard|compact|large)$")
    shipping_as_line: bool | None = Field(
        None, description="The shipping charge as a line instead of a document-level charge"
    )
    invoice_basis: str | None = None


class NamedOut(Out):
    """A row known by its name (item groups, customer groups, territories)."""

    id: int
    name: str
