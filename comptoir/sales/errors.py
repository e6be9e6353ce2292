from enum import StrEnum


class SalesError(StrEnum):
    NOT_DRAFT = "document.not_draft"
    VALID_UNTIL_BEFORE_DATE = "quotation.valid_until_before_date"
    QUOTATION_NOT_ACCEPTED = "quotation.not_accepted"
    QUOTATION_ALREADY_CONVERTED = "quotation.already_converted"
    ORDER_HAS_ACTIVITY = "order.has_deliveries_or_invoices"
    CREDIT_LIMIT = "order.credit_limit_exceeded"
