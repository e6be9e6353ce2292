from decimal import Decimal

from ninja import Schema


class TaxOut(Schema):
    id: int
    code: str
    name: str
    rate: Decimal
    category: str
    exemption_reason: str
    exemption_reason_code: str


class PaymentTermsOut(Schema):
    id: int
    code: str
    name: str
    days: int
    end_of_month: bool
