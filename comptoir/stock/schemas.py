import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from comptoir.core.schemas import CostOut, Day, Id, Out, Quantity


class DeliveryLineIn(Schema):
    line: Id = Field(..., description="Sales order line id")
    quantity: Quantity


class DeliveryIn(Schema):
    lines: list[DeliveryLineIn] | None = Field(
        None, description="Quantities per order line; omitted, all that remains is delivered"
    )
    ship: bool = True


class DeliveryLineOut(Out):
    id: int
    source_line_id: int
    item_id: int | None
    description: str
    quantity: Decimal
    cost_amount: CostOut = Field(
        None, description="What the goods cost, fixed when shipped. Null to who may not see costs."
    )


class DeliveryOut(Out):
    id: int
    number: str
    order_id: int
    customer_id: int
    date: dt.date
    status: str
    lines: list[DeliveryLineOut]


class WarehouseIn(Schema):
    code: str = Field(..., max_length=20)
    name: str = Field(..., max_length=100)
    address_line1: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = Field("FR", min_length=2, max_length=2)
    is_default: bool = False
    active: bool = True


class WarehouseOut(WarehouseIn):
    id: int


class StockFiguresOut(Out):
    item_id: int
    item_code: str
    warehouse_id: int
    warehouse_code: str
    on_hand: Decimal
    reserved: Decimal
    available: Decimal
    demand: Decimal = Field(..., description="Confirmed orders still to deliver")
    incoming: Decimal
    projected: Decimal
    average_cost: CostOut = Field(
        None, description="Weighted average cost of a unit here; null to who may not see costs"
    )
    value: CostOut = Field(None, description="On hand × average cost (nothing below zero)")


class MoveIn(Schema):
    kind: str = Field(..., description="receipt or adjustment")
    item: str = Field(..., description="Item code or id")
    warehouse: str | None = Field(None, description="Warehouse code or id; default warehouse")
    quantity: Quantity = Field(..., description="Positive in, negative out (adjustments)")
    unit_cost: Decimal | None = Field(None, max_digits=16, decimal_places=4)
    date: Day | None = None
    reason: str = Field("", max_length=200)


class TransferIn(Schema):
    item: str
    source: str
    target: str
    quantity: Quantity = Field(..., gt=0)
    date: Day | None = None
    reason: str = Field("", max_length=200)


class CountLineIn(Schema):
    item: str
    quantity: Quantity = Field(..., ge=0)


class CountIn(Schema):
    warehouse: str | None = None
    counts: list[CountLineIn] = Field(..., min_length=1)
    reason: str = Field("", max_length=200)


class MoveOut(Out):
    id: int
    item_id: int
    warehouse_id: int
    date: dt.date
    kind: str
    quantity: Decimal
    unit_cost: CostOut
    reason: str
    reference: str
    delivery_line_id: int | None


class ReturnIn(Schema):
    lines: list[DeliveryLineIn] = Field(
        ..., min_length=1, description="Quantities back per delivery line (line: its id)"
    )
    reason: str = Field("", max_length=200)
    warehouse: str | None = Field(None, description="Warehouse code or id; the delivery's")


class ReturnLineOut(Out):
    id: int
    delivery_line_id: int
    quantity: Decimal


class ReturnOut(Out):
    id: int
    number: str
    delivery_id: int
    customer_id: int
    warehouse_id: int
    date: dt.date
    reason: str
    lines: list[ReturnLineOut]
