import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from comptoir.core.schemas import Amount, Day, Id, Out, PriceOut


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
    confirm_overpayment: bool = Field(
        False,
        description="An amount above what the invoices it settles still owe is refused "
        "(422, payment.amount_exceeds_due) unless this is true: the rest becomes the "
        "customer's credit",
    )


class AllocationOut(Out):
    id: int
    invoice_id: int
    amount: PriceOut
    date: dt.date


class RefundOut(Out):
    id: int
    amount: PriceOut
    date: dt.date
    method: str
    reference: str


class PaymentOut(Out):
    id: int
    number: str
    customer_id: int
    date: dt.date
    method: str
    amount: PriceOut
    reference: str
    status: str
    cancel_reason: str
    unallocated: PriceOut
    allocations: list[AllocationOut]
    refunds: list[RefundOut]

    @staticmethod
    def resolve_unallocated(payment) -> Decimal:
        if payment.is_cancelled:
            return Decimal("0.00")
        used = [*payment.allocations.all(), *payment.refunds.all()]
        return payment.amount - sum((row.amount for row in used), Decimal("0"))


class AllocateIn(Schema):
    allocations: list[AllocationIn] = Field(..., min_length=1)


class BalanceOut(Out):
    invoiced: PriceOut
    credited: PriceOut
    paid: PriceOut
    balance: PriceOut
    overdue: PriceOut


class CancelIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500, description="Why it is cancelled")


class RefundIn(Schema):
    amount: Amount
    date: dt.date | None = None
    method: str = "transfer"
    reference: str = Field("", max_length=100)
