from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from comptoir.core.schemas import Out, PriceOut

WhenUnknownChoice = Literal["create", "refuse", "ignore"]


class PartnerIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    creates: Literal["invoices", "orders"] = "invoices"
    then: Literal["draft", "validate"] = "validate"
    strictness: Literal["all", "valid"] = "valid"
    price_source: Literal["file", "price_list"] = "file"
    unknown_customer: Literal["create", "refuse"] = "create"
    unknown_item: Literal["create", "refuse"] = "create"
    unknown_tax: WhenUnknownChoice = "refuse"
    unknown_unit: WhenUnknownChoice = "ignore"
    unknown_payment_method: Literal["refuse", "ignore"] = "ignore"
    record_payments: bool = True
    print_layout: Literal["", "standard", "compact", "large"] = ""
    has_header: bool = True
    active: bool = True
    mapping: dict = Field(
        default_factory=dict,
        description='{"profile": "shopify" | "woocommerce", "columns": {template column: spec}}',
    )


class PartnerPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    creates: Literal["invoices", "orders"] | None = None
    then: Literal["draft", "validate"] | None = None
    strictness: Literal["all", "valid"] | None = None
    price_source: Literal["file", "price_list"] | None = None
    unknown_customer: Literal["create", "refuse"] | None = None
    unknown_item: Literal["create", "refuse"] | None = None
    unknown_tax: WhenUnknownChoice | None = None
    unknown_unit: WhenUnknownChoice | None = None
    unknown_payment_method: Literal["refuse", "ignore"] | None = None
    record_payments: bool | None = None
    print_layout: Literal["", "standard", "compact", "large"] | None = None
    has_header: bool | None = None
    active: bool | None = None
    mapping: dict | None = None


class PartnerOut(PartnerIn):
    id: int


class BatchOut(Out):
    id: int
    partner_id: int
    file_name: str
    size: int
    sha256: str
    uploaded_at: datetime
    duplicate_of_id: int | None
    has_header: bool
    status: str
    error: str
    layout: dict
    row_count: int
    rows_done: int
    processed_at: datetime | None
    file_total: PriceOut
    created_total: PriceOut


class ErrorItem(Schema):
    field: str
    message: str


class RowOut(Out):
    id: int
    line: int
    reference: str
    state: str
    raw: list[str]
    data: dict[str, str] = Field(description="Text per template column, as edited or as read")
    values: dict
    errors: list[ErrorItem]
    document_number: str | None = None  # ImportRow.objects.with_document()

    @staticmethod
    def resolve_data(row) -> dict[str, str]:
        return row.texts


class RowPatch(Schema):
    data: dict[str, str] = Field(..., description="Text per template column, as in the file")


class AnomalyOut(Out):
    line: int
    field: str
    message: str


class PreviewOut(Out):
    rows: int
    documents: int
    ready_documents: int
    duplicate_documents: int
    blocked_documents: int
    customers_matched: int
    customers_to_create: int
    items_matched: int
    items_to_create: int
    total: PriceOut
    anomalies: list[AnomalyOut]
    new_customers: list[str] = Field(description="The first 50 customers to create")
    new_items: list[str] = Field(description="The first 50 item codes to create")


class ReportOut(Out):
    rows: int
    created_rows: int
    duplicate_rows: int
    failed_rows: int
    documents_created: int
    duplicate_documents: int
    customers_created: int
    items_created: int
    file_total: PriceOut
    created_total: PriceOut
    messages: list[str]


class PurgeOut(Out):
    deleted: int
