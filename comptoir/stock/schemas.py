import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from comptoir.core.schemas import Quantity


class DeliveryLineIn(Schema):
    line: int = Field(..., description="Sales order line id")
    quantity: Quantity


class DeliveryIn(Schema):
    lines: list[DeliveryLineIn] | None = Field(
        None, description="Quantities per order line; omitted, all that remains is delivered"
    )
    ship: bool = True


class DeliveryLineOut(Schema):
    id: int
    source_line_id: int
    item_id: int | None
    description: str
    quantity: Decimal


class DeliveryOut(Schema):
    id: int
    number: str
    order_id: int
    customer_id: int
    date: dt.date
    status: str
    lines: list[DeliveryLineOut]
