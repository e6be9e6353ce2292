import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from comptoir.core.schemas import CostOut


class ProblemOut(Schema):
    code: str
    text: str


class SupplierInvoiceLineOut(Schema):
    position: str
    name: str
    seller_item_code: str
    quantity: Decimal
    unit_code: str
    unit_price: CostOut
    net_amount: CostOut
    vat_category: str
    vat_rate: Decimal | None
    order_line_id: int | None
    problems: list[ProblemOut]


class DecisionOut(Schema):
    status: int
    reason_code: str
    reason: str
    decided_at: dt.datetime
    message_id: str
    sent_at: dt.datetime | None = Field(description="When the platform took the message")
    failure: str = Field(description="Why the last attempt to send it failed, in words")
    retry_at: dt.datetime | None = Field(description="When it is tried again")


class SupplierInvoiceOut(Schema):
    id: int
    status: str
    held_because: str = Field(
        description="Why a held invoice waits: supplier, duplicate, other_buyer or own"
    )
    duplicate_of_id: int | None = Field(description="The first invoice, when a duplicate")
    number: str
    type_code: str
    date: dt.date
    due_date: dt.date | None
    currency: str
    supplier_id: int | None
    seller: dict
    buyer: dict
    order_reference: str
    purchase_order_id: int | None
    match: str
    vat_breakdown: list[dict]
    total_lines: CostOut
    total_allowances: CostOut
    total_charges: CostOut
    total_net: CostOut
    total_vat: CostOut
    total_gross: CostOut
    prepaid: CostOut
    amount_due: CostOut
    syntax: str
    sha256: str
    source: str
    flow_id: str | None
    received_at: dt.datetime
    lines: list[SupplierInvoiceLineOut]
    decisions: list[DecisionOut]


class DecisionIn(Schema):
    status: Literal[205, 207, 210] = Field(
        ..., description="205 approved, 207 disputed, 210 refused"
    )
    reason_code: str = Field("", max_length=30, description="Required for 207 and 210")
    reason: str = Field("", max_length=500)


class SupplierChoiceIn(Schema):
    supplier: str = Field(..., description="Supplier code or id")
