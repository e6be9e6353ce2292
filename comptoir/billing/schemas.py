import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.db.models import Q
from ninja import Field, FilterLookup, FilterSchema, Schema

from comptoir.billing.models import PaymentStatus
from comptoir.billing.queries import (
    Settlement,
    listed_fact,
    payment_status_q,
    stored_payment_status,
)
from comptoir.core.schemas import CostOut, Day, DocumentOut, Id, LineOut, PriceOut, Quantity
from comptoir.sales.schemas import DocumentIn, DocumentPatch

SUPPLY_DATE = "Date of supply (BT-72), or the first day of a period of supply (BT-73)"
SUPPLY_END_DATE = "Last day of a period of supply (BT-74); empty for one day"


class InvoiceIn(DocumentIn):
    supply_date: Day | None = Field(None, description=SUPPLY_DATE)
    supply_end_date: Day | None = Field(None, description=SUPPLY_END_DATE)


class InvoicePatch(DocumentPatch):
    """A draft invoice's changes; the dates of supply may be emptied with null."""

    supply_date: Day | None = Field(None, description=SUPPLY_DATE)
    supply_end_date: Day | None = Field(None, description=SUPPLY_END_DATE)


class InvoiceLineOut(LineOut):
    source_line_id: int | None
    credited_line_id: int | None
    cost_amount: CostOut = Field(
        None,
        description="What the line sold cost, fixed when the document is issued (0 on a draft); "
        "positive on a credit note as the net amount. Null to who may not see costs.",
    )


class PlatformStatusOut(Schema):
    code: int = Field(..., description="The status code (200 Déposée … 205 Approuvée, 213 Rejetée)")
    label: str


PLATFORM_STATUS = "platform_status"  # the fact e-invoicing lists (billing only names it)


class InvoiceOut(DocumentOut):
    kind: str
    type_code: str
    status: str
    order_id: int | None
    credited_invoice_id: int | None
    supply_date: dt.date | None
    supply_end_date: dt.date | None
    due_date: dt.date | None
    amount_paid: PriceOut
    amount_credited: PriceOut
    outstanding: PriceOut
    payment_status: str | None
    platform_status: PlatformStatusOut | None = Field(
        None,
        description="The latest lifecycle status the approved platform gave the invoice, once "
        "sent (null before, or when e-invoicing is not installed)",
    )
    lines: list[InvoiceLineOut]

    @staticmethod
    def resolve_outstanding(invoice) -> Decimal:
        return Settlement.of(invoice).outstanding

    @staticmethod
    def resolve_payment_status(invoice) -> str | None:
        return stored_payment_status(invoice) or None

    @staticmethod
    def resolve_platform_status(invoice) -> dict | None:
        fact, code = listed_fact(PLATFORM_STATUS), getattr(invoice, PLATFORM_STATUS, None)
        if fact is None or code is None:
            return None
        return {"code": code, "label": fact.badge(code)[0]}


class CreditLineIn(Schema):
    line: Id = Field(..., description="Invoice line id")
    quantity: Quantity


class CreditNoteIn(Schema):
    lines: list[CreditLineIn] | None = Field(None, description="Omitted: credit all that is left")
    reason: str = Field("", max_length=500)
    issue: bool = Field(False, description="Issue the credit note at once")
    invoice_again: bool = Field(
        False,
        description="What it credits is to invoice again on the order (goods returned, a "
        "correction); by default a price reduction: the order keeps it invoiced",
    )


class InvoiceFilter(FilterSchema):
    status: str | None = None
    kind: str | None = None
    customer_id: Id | None = None
    order_id: Id | None = None
    date_from: Annotated[Day | None, FilterLookup("date__gte")] = None
    date_to: Annotated[Day | None, FilterLookup("date__lte")] = None
    search: Annotated[
        str | None, FilterLookup(["number__icontains", "customer_name__icontains"])
    ] = None
    payment_status: PaymentStatus | None = Field(
        None, description="Issued invoices unpaid, partly paid, paid or overdue (today)"
    )

    platform_status: str | None = Field(
        None,
        description="The latest status the approved platform gave: a code (205, 213…) or "
        "`to_correct` (rejected and not yet cancelled)",
    )

    def filter_payment_status(self, value) -> Q:
        return payment_status_q(value) if value else Q()

    def filter_platform_status(self, value) -> Q:
        fact = listed_fact(PLATFORM_STATUS)
        return fact.condition(value) if value and fact else Q()


class InvoiceDeliveriesIn(Schema):
    up_to: Day = Field(..., description="Deliveries shipped up to this date")
    customer: str | None = Field(None, description="Customer code or id; all when omitted")
