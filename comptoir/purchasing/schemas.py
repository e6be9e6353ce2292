import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from comptoir.core.schemas import CostOut, Day, Out, Quantity


class SupplierIn(Schema):
    code: str = Field(..., max_length=20)
    name: str = Field(..., max_length=200)
    email: str = ""
    siren: str = Field("", max_length=9)
    vat_id: str = Field("", max_length=20)
    lead_time_days: int = Field(7, ge=0, le=3650)
    active: bool = True


class SupplierOut(SupplierIn):
    id: int


class PurchaseLineIn(Schema):
    item: str = Field(..., description="Item code or id")
    quantity: Quantity = Field(..., gt=0)
    unit_cost: Decimal | None = Field(None, max_digits=16, decimal_places=4, ge=0)


class PurchaseOrderIn(Schema):
    supplier: str = Field(..., description="Supplier code or id")
    lines: list[PurchaseLineIn] = Field(..., min_length=1)
    expected_date: Day | None = None
    warehouse: str | None = None
    confirm: bool = False


class SalesPurchaseIn(Schema):
    supplier: str
    drop_ship: bool = False


class ReceiptLineIn(Schema):
    line: int
    quantity: Quantity


class ReceiptIn(Schema):
    lines: list[ReceiptLineIn] | None = Field(None, description="Omitted: all that is expected")


class PurchaseLineOut(Out):
    id: int
    item_id: int
    description: str
    quantity: Decimal
    unit_cost: CostOut
    quantity_received: Decimal
    sales_order_line_id: int | None


class PurchaseOrderOut(Out):
    id: int
    number: str
    supplier_id: int
    status: str
    date: dt.date
    expected_date: dt.date
    warehouse_id: int | None
    drop_ship: bool
    sales_order_id: int | None
    lines: list[PurchaseLineOut]
