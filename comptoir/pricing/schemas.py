from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from comptoir.core.schemas import Amount, Out, Price, PriceOut, PriceStepOut, Quantity, Rate
from comptoir.pricing.models import CouponReward, VatCategory

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
    amount_from: Decimal | None
    amount_below: Decimal | None
    charge: Decimal
    charge_per_kg: Decimal
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
