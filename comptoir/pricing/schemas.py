import datetime as dt
from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from comptoir.core.schemas import (
    Amount,
    Day,
    Out,
    Price,
    PriceOut,
    PriceStepOut,
    Quantity,
    Rate,
)
from comptoir.pricing.models import (
    CouponReward,
    PromotionKind,
    RuleAction,
    RuleChannel,
    VatCategory,
)

VATEX = "VATEX code (BT-121) of the exemption, e.g. VATEX-FR-CGI261-4"


class TaxOut(Out):
    id: int
    code: str
    name: str
    rate: Decimal
    category: str
    exemption_reason: str
    exemption_reason_code: str
    account: str
    active: bool


class TaxIn(Schema):
    code: str = Field(..., min_length=1, max_length=20)
    name: str = Field(..., min_length=1, max_length=100)
    rate: Rate
    category: VatCategory = Field(..., description="EN 16931 VAT category (UNTDID 5305)")
    exemption_reason: str = Field("", max_length=200, description="Printed on the invoice")
    exemption_reason_code: str = Field("", max_length=30, description=VATEX)
    account: str = Field("445710", min_length=1, max_length=20)
    active: bool = True


class TaxPatch(Schema):
    code: str | None = Field(None, min_length=1, max_length=20)
    name: str | None = Field(None, min_length=1, max_length=100)
    rate: Rate | None = None
    category: VatCategory | None = None
    exemption_reason: str | None = Field(None, max_length=200)
    exemption_reason_code: str | None = Field(None, max_length=30, description=VATEX)
    account: str | None = Field(None, min_length=1, max_length=20)
    active: bool | None = Field(None, description="false archives the tax")


class PaymentTermsOut(Out):
    id: int
    code: str
    name: str
    days: int
    end_of_month: bool


class PaymentTermsIn(Schema):
    code: str = Field(..., min_length=1, max_length=20)
    name: str = Field(..., min_length=1, max_length=100)
    days: int = Field(0, ge=0, le=3650)
    end_of_month: bool = False


class TermsTemplateIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    body: str = Field(..., min_length=1)
    default_for_quotations: bool = False
    default_for_invoices: bool = False


class TermsTemplateOut(TermsTemplateIn):
    id: int


class RuleMetOut(Schema):
    code: str
    name: str
    priority: int
    applied: bool
    reason: str = Field("", description="Why it did not apply, in words")


class WhyPriceOut(Schema):
    unit_price: PriceOut
    discount_pct: Decimal
    net_unit_price: PriceOut = Field(description="Excl. VAT, the discount taken off")
    steps: list[PriceStepOut]
    rules: list[RuleMetOut] = Field(description="Every rule the line meets, in order")


class ShippingMethodOut(Out):
    id: int
    code: str
    name: str
    carrier: str
    tax: str = Field(..., description="Tax code of the charge", alias="tax.code")
    item: str | None = Field(None, description="Item code of a shipping line")
    active: bool

    @staticmethod
    def resolve_item(method) -> str | None:
        return method.item.code if method.item_id else None


class ShippingMethodIn(Schema):
    code: str = Field(..., min_length=1, max_length=20)
    name: str = Field(..., min_length=1, max_length=100)
    carrier: str = Field("", max_length=100)
    tax: str = Field(..., description="Tax code of the charge")
    item: str | None = Field(None, description="Item code of a shipping line")
    active: bool = True


class ShippingMethodPatch(Schema):
    code: str | None = Field(None, min_length=1, max_length=20)
    name: str | None = Field(None, min_length=1, max_length=100)
    carrier: str | None = Field(None, max_length=100)
    tax: str | None = None
    item: str | None = None
    active: bool | None = Field(None, description="false switches the method off")


class ShippingZoneOut(Out):
    id: int
    code: str
    name: str
    country: str
    postal_prefixes: str


class ShippingZoneIn(Schema):
    code: str = Field(..., min_length=1, max_length=20)
    name: str = Field(..., min_length=1, max_length=100)
    country: str = Field("FR", min_length=2, max_length=2, description="ISO 3166 code")
    postal_prefixes: str = Field(
        ..., min_length=1, max_length=1000, description="Postal code prefixes: 75,92,93,94"
    )


class ShippingZonePatch(Schema):
    code: str | None = Field(None, min_length=1, max_length=20)
    name: str | None = Field(None, min_length=1, max_length=100)
    country: str | None = Field(None, min_length=2, max_length=2)
    postal_prefixes: str | None = Field(None, min_length=1, max_length=1000)


class ShippingRuleOut(Out):
    id: int
    method: str = Field(..., alias="method.code")
    country: str
    zone: str | None = None
    weight_over: Decimal | None
    weight_up_to: Decimal | None
    amount_from: PriceOut
    amount_below: PriceOut
    charge: PriceOut
    charge_per_kg: PriceOut
    priority: int
    active: bool

    @staticmethod
    def resolve_zone(rule) -> str | None:
        return rule.zone.code if rule.zone_id else None


class ShippingRuleIn(Schema):
    method: str = Field(..., description="Shipping method code")
    country: str = Field("FR", min_length=2, max_length=2, description="ISO 3166 code")
    zone: str | None = Field(None, description="Zone code; none: the whole country")
    weight_over: Quantity | None = Field(None, ge=0, description="kg, excluded")
    weight_up_to: Quantity | None = Field(None, ge=0, description="kg, included")
    amount_from: Amount | None = Field(None, ge=0, description="Excl. VAT, included")
    amount_below: Amount | None = Field(None, ge=0, description="Excl. VAT, excluded")
    charge: Amount = Field(..., ge=0, description="Excl. VAT; 0 for free shipping")
    charge_per_kg: Price = Field(Decimal("0"), ge=0)
    priority: int = Field(0, ge=-1000, le=1000)
    active: bool = True


class ShippingRulePatch(Schema):
    method: str | None = None
    country: str | None = Field(None, min_length=2, max_length=2)
    zone: str | None = Field(None, description='Zone code; "" for the whole country')
    weight_over: Quantity | None = Field(None, ge=0)
    weight_up_to: Quantity | None = Field(None, ge=0)
    amount_from: Amount | None = Field(None, ge=0)
    amount_below: Amount | None = Field(None, ge=0)
    charge: Amount | None = Field(None, ge=0)
    charge_per_kg: Price | None = Field(None, ge=0)
    priority: int | None = Field(None, ge=-1000, le=1000)
    active: bool | None = None


LINKED = "Named by its {}"


class RuleOut(Out):
    id: int
    code: str
    name: str
    active: bool
    priority: int
    stop_others: bool
    customer: str | None = Field(None, description=LINKED.format("code"))
    customer_group: str | None = Field(None, description=LINKED.format("name"))
    territory: str | None = Field(None, description=LINKED.format("name"))
    item: str | None = Field(None, description=LINKED.format("code"))
    item_group: str | None = Field(None, description=LINKED.format("name"))
    attribute_value: str | None = Field(
        None, description="A variant attribute's value, as ATTRIBUTE:VALUE (e.g. COULEUR:ROUGE)"
    )
    min_quantity: Decimal
    min_amount: PriceOut
    valid_from: dt.date | None
    valid_to: dt.date | None
    currency: str
    channel: str
    partner: str
    action: str
    value: PriceOut
    price_list: str | None = Field(None, description=LINKED.format("code"))
    conditions_text: str = Field(..., description="The conditions in words")
    action_text: str = Field(..., description="The action in words")

    @staticmethod
    def _key(obj, name):
        from comptoir.pricing.rule_files import link_key

        return link_key(obj, name) or None

    @staticmethod
    def resolve_customer(obj):
        return RuleOut._key(obj, "customer")

    @staticmethod
    def resolve_customer_group(obj):
        return RuleOut._key(obj, "customer_group")

    @staticmethod
    def resolve_territory(obj):
        return RuleOut._key(obj, "territory")

    @staticmethod
    def resolve_item(obj):
        return RuleOut._key(obj, "item")

    @staticmethod
    def resolve_item_group(obj):
        return RuleOut._key(obj, "item_group")

    @staticmethod
    def resolve_attribute_value(obj):
        return RuleOut._key(obj, "attribute_value")

    @staticmethod
    def resolve_price_list(obj):
        return RuleOut._key(obj, "price_list")

    @staticmethod
    def resolve_conditions_text(obj):
        from comptoir.pricing.rule_texts import describe_conditions

        return describe_conditions(obj)

    @staticmethod
    def resolve_action_text(obj):
        from comptoir.pricing.rule_texts import describe_action

        return describe_action(obj)


class RulePatch(Schema):
    code: str | None = Field(None, min_length=1, max_length=50)
    name: str | None = Field(None, min_length=1, max_length=200)
    active: bool | None = None
    priority: int | None = Field(None, ge=-(2**31), le=2**31 - 1)
    stop_others: bool | None = None
    customer: str | None = Field(None, max_length=50, description=LINKED.format("code"))
    customer_group: str | None = Field(None, max_length=100, description=LINKED.format("name"))
    territory: str | None = Field(None, max_length=100, description=LINKED.format("name"))
    item: str | None = Field(None, max_length=50, description=LINKED.format("code"))
    item_group: str | None = Field(None, max_length=100, description=LINKED.format("name"))
    attribute_value: str | None = Field(
        None, max_length=31, description="A variant attribute's value, as ATTRIBUTE:VALUE"
    )
    min_quantity: Quantity | None = None
    min_amount: Amount | None = None
    valid_from: Day | None = None
    valid_to: Day | None = None
    currency: str | None = Field(None, max_length=3, description="Empty: any currency")
    channel: RuleChannel | None = None
    partner: str | None = Field(None, max_length=100)
    action: RuleAction | None = None
    value: Price | None = Field(None, description="The price, the percentage or the amount")
    price_list: str | None = Field(None, max_length=30, description=LINKED.format("code"))


class RuleIn(RulePatch):
    code: str = Field(..., min_length=1, max_length=50)
    name: str = Field(..., min_length=1, max_length=200)
    action: RuleAction
    value: Price = Decimal("0")
    active: bool = True
    priority: int = Field(0, ge=-(2**31), le=2**31 - 1)
    stop_others: bool = False


class RuleImportRowOut(Schema):
    line: int
    code: str
    outcome: str = Field(..., description="created, changed, unchanged or refused")
    messages: list[str]


class RuleImportOut(Schema):
    created: int
    changed: int
    unchanged: int
    refused: int
    rows: list[RuleImportRowOut]


# Promotions ------------------------------------------------------------------------------------

ITEM_KEY = "Item id or code"


class PromotionComponentIo(Schema):
    item: str = Field(..., description=ITEM_KEY)
    quantity: Quantity = Field(..., gt=0)


class PromotionOut(Out):
    id: int
    code: str
    name: str
    active: bool
    priority: int
    valid_from: Day | None
    valid_to: Day | None
    customer_group: str | None = Field(None, description="Customer group name")
    territory: str | None = Field(None, description="Territory name")
    channel: str
    kind: str
    item: str | None = Field(None, description="Item code bought (buy X get Y)")
    item_group: str | None = Field(None, description="Item group name bought (buy X get Y)")
    quantity: Decimal
    reward_item: str | None = Field(None, description="Item code given (buy X get Y)")
    reward_quantity: Decimal
    reward_discount_pct: Decimal
    min_amount: PriceOut = None
    min_quantity: Decimal | None = None
    discount_pct: Decimal | None = None
    discount_amount: PriceOut = None
    set_price: PriceOut = None
    components: list[PromotionComponentIo] = []

    @staticmethod
    def resolve_customer_group(row):
        return row.customer_group.name if row.customer_group_id else None

    @staticmethod
    def resolve_territory(row):
        return row.territory.name if row.territory_id else None

    @staticmethod
    def resolve_item(row):
        return row.item.code if row.item_id else None

    @staticmethod
    def resolve_item_group(row):
        return row.item_group.name if row.item_group_id else None

    @staticmethod
    def resolve_reward_item(row):
        return row.reward_item.code if row.reward_item_id else None

    @staticmethod
    def resolve_components(row):
        return [{"item": c.item.code, "quantity": c.quantity} for c in row.components.all()]


class PromotionPatch(Schema):
    code: str | None = Field(None, min_length=1, max_length=50)
    name: str | None = Field(None, min_length=1, max_length=200)
    active: bool | None = Field(None, description="false switches the promotion off")
    priority: int | None = Field(None, ge=-1000000, le=1000000)
    valid_from: Day | None = None
    valid_to: Day | None = None
    customer_group: str | None = Field(None, description="Customer group id or name")
    territory: str | None = Field(None, description="Territory id or name")
    channel: RuleChannel | None = None
    kind: PromotionKind | None = None
    item: str | None = Field(None, description=ITEM_KEY)
    item_group: str | None = Field(None, description="Item group id or name")
    quantity: Quantity | None = None
    reward_item: str | None = Field(None, description=ITEM_KEY)
    reward_quantity: Quantity | None = None
    reward_discount_pct: Rate | None = None
    min_amount: Amount | None = Field(None, ge=0)
    min_quantity: Quantity | None = Field(None, ge=0)
    discount_pct: Rate | None = None
    discount_amount: Amount | None = Field(None, ge=0)
    set_price: Amount | None = Field(None, ge=0)
    components: list[PromotionComponentIo] | None = Field(
        None, description="A bundle's set: each item and its quantity"
    )


class PromotionIn(PromotionPatch):
    code: str = Field(..., min_length=1, max_length=50)
    name: str = Field(..., min_length=1, max_length=200)
    kind: PromotionKind
    active: bool = True
    priority: int = Field(0, ge=-1000000, le=1000000)
    channel: RuleChannel = RuleChannel.ANY
    quantity: Quantity = Decimal("0")
    reward_quantity: Quantity = Decimal("0")
    reward_discount_pct: Rate = Decimal("100")


# Coupons ------------------------------------------------------------------------------------------


class CouponOut(Out):
    id: int
    code: str
    name: str
    description: str
    campaign: str
    active: bool
    valid_from: date | None
    valid_to: date | None
    max_uses: int | None
    max_uses_per_customer: int | None
    customer: str | None = Field(None, description="Code of the one customer it is for")
    reward: CouponReward = Field(..., description="percent or amount (excl. VAT)")
    value: Decimal
    minimum_amount: Decimal | None
    uses: int = Field(0, description="Uses recorded (documents holding it)")

    @staticmethod
    def resolve_customer(coupon) -> str | None:
        return coupon.customer.code if coupon.customer_id else None

    @staticmethod
    def resolve_uses(coupon) -> int:
        return getattr(coupon, "use_count", 0)


class CouponSettings(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    description: str = Field("", max_length=2000)
    campaign: str = Field("", max_length=100)
    active: bool = True
    valid_from: date | None = None
    valid_to: date | None = None
    max_uses: int | None = Field(None, ge=1, le=10_000_000, description="None: no limit")
    max_uses_per_customer: int | None = Field(None, ge=1, le=10_000_000)
    customer: str | None = Field(None, description="Customer code: a coupon for one customer")
    reward: CouponReward = CouponReward.PERCENT
    value: Amount = Field(..., gt=0, description="The percentage, or the amount excl. VAT")
    minimum_amount: Amount | None = Field(None, ge=0, description="Lines total excl. VAT")


class CouponIn(CouponSettings):
    code: str = Field(..., min_length=1, max_length=40, description="Stored upper-case")


class CouponPatch(Schema):
    code: str | None = Field(None, min_length=1, max_length=40)
    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=2000)
    campaign: str | None = Field(None, max_length=100)
    active: bool | None = Field(None, description="false switches the coupon off")
    valid_from: date | None = None
    valid_to: date | None = None
    max_uses: int | None = Field(None, ge=1, le=10_000_000)
    max_uses_per_customer: int | None = Field(None, ge=1, le=10_000_000)
    customer: str | None = Field(None, description='Customer code; "" for every customer')
    reward: CouponReward | None = None
    value: Amount | None = Field(None, gt=0)
    minimum_amount: Amount | None = Field(None, ge=0)


class CouponBatchIn(CouponSettings):
    prefix: str = Field(..., min_length=1, max_length=20, description="e.g. NOEL-")
    count: int = Field(..., ge=1, le=10_000)


class CouponRedemptionOut(Out):
    id: int
    coupon: str = Field(..., alias="coupon.code")
    customer: str = Field(..., alias="customer.code")
    quotation_id: int | None
    order_id: int | None
    invoice_id: int | None
    created_at: datetime
