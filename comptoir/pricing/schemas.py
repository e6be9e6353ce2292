import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from comptoir.core.schemas import Amount, Day, Out, Price, PriceOut, Quantity, Rate
from comptoir.pricing.models import RuleAction, RuleChannel, VatCategory

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
