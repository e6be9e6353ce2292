from decimal import Decimal

from ninja import Field, Schema

from comptoir.core.schemas import Out


class TaxOut(Out):
    id: int
    code: str
    name: str
    rate: Decimal
    category: str
    exemption_reason: str
    exemption_reason_code: str


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
