import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from comptoir.core.schemas import Amount, Day, Id, PriceOut


class AllocationIn(Schema):
    invoice: Id = Field(..., description="Invoice id")
    amount: Amount


class PaymentIn(Schema):
    customer: Id | str = Field(..., description="Customer id or code")
    amount: Amount
    date: Day | None = None
    method: str = "transfer"
    reference: str = Field("", max_length=100)
    allocations: list[AllocationIn] | None = Field(
        None, description="Omitted: the oldest open invoices are settled first"
    )


class AllocationOut(Schema):
    id: int
    invoice_id: int
    amount: PriceOut
    date: dt.date


class PaymentOut(Schema):
    id: int
    number: str
    customer_id: int
    date: dt.date
    method: str
    amount: PriceOut
    reference: str
    unallocated: PriceOut
    allocations: list[AllocationOut]

    @staticmethod
    def resolve_unallocated(payment) -> Decimal:
        return payment.amount - sum((a.amount for a in payment.allocations.all()), Decimal("0"))


class AllocateIn(Schema):
    allocations: list[AllocationIn] = Field(..., min_length=1)


class BalanceOut(Schema):
    invoiced: PriceOut
    credited: PriceOut
    paid: PriceOut
    balance: PriceOut
    overdue: PriceOut
