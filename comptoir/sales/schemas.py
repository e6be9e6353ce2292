import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, FilterLookup, FilterSchema, Schema

from comptoir.core.schemas import AllowanceChargeIn, Day, DocumentOut, Id, LineIn, LineOut


class DocumentIn(Schema):
    customer: Id | str = Field(..., description="Customer id or code")
    date: Day | None = None
    lines: list[LineIn] = Field(..., min_length=1)
    customer_reference: str | None = Field(None, max_length=100)
    notes: str | None = None
    terms: str | None = None
    payment_terms: str | None = Field(None, description="Payment terms code")
    allowances_charges: list[AllowanceChargeIn] | None = None
    shipping_method: str | None = Field(
        None, description="Shipping method code: its rules add the shipping charge"
    )
    coupon_code: str | None = Field(
        None, max_length=40, description="Coupon code: its discount is added, its use recorded"
    )


class DocumentPatch(Schema):
    """A draft's changes: a field left out keeps its value; none may be emptied with null."""

    date: Day = None
    lines: list[LineIn] = Field(None, min_length=1)
    customer_reference: str = Field(None, max_length=100)
    notes: str = None
    terms: str = None
    allowances_charges: list[AllowanceChargeIn] = Field(
        None, description="Replace the document's allowances and charges"
    )
    shipping_method: str = Field(
        None, description='Shipping method code; "" removes the method and its charge'
    )
    coupon_code: str = Field(
        None, max_length=40, description='Coupon code; "" removes the coupon and gives its use back'
    )


class QuotationIn(DocumentIn):
    valid_until: Day | None = None


class QuotationOut(DocumentOut):
    status: str
    valid_until: dt.date | None
    lines: list[LineOut]


class OrderLineOut(LineOut):
    quantity_delivered: Decimal
    quantity_invoiced: Decimal
    is_service: bool
    promised_date: dt.date | None = Field(None, description="Delivery date promised")


class OrderIn(DocumentIn):
    requested_delivery_date: Day | None = None
    confirm: bool = Field(False, description="Confirm the order once created")


class OrderOut(DocumentOut):
    status: str
    delivery_status: str
    billing_status: str
    quotation_id: int | None
    lines: list[OrderLineOut]


class DocumentFilter(FilterSchema):
    status: str | None = None
    customer_id: Id | None = None
    date_from: Annotated[Day | None, FilterLookup("date__gte")] = None
    date_to: Annotated[Day | None, FilterLookup("date__lte")] = None
    search: Annotated[
        str | None, FilterLookup(["number__icontains", "customer_name__icontains"])
    ] = None
