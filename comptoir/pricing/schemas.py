from decimal import Decimal

from ninja import Field, Schema

from comptoir.core.schemas import Out, PriceOut, PriceStepOut, Rate
from comptoir.pricing.models import VatCategory

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
