from enum import StrEnum


class BillingError(StrEnum):
    NOT_DRAFT = "invoice.not_draft"
    SEALED = "invoice.sealed"
    NOTHING_TO_INVOICE = "invoice.nothing_to_invoice"
    ORDER_NOT_CONFIRMED = "invoice.order_not_confirmed"
    NO_LINES = "invoice.no_lines"
    NEGATIVE_TOTAL = "invoice.negative_total"
    NOT_ISSUED = "credit_note.invoice_not_issued"
    NOT_CREDITABLE = "credit_note.not_creditable"
    TOO_MUCH_CREDITED = "credit_note.quantity_exceeds_invoiced"
    WRONG_LINE = "credit_note.line_of_another_invoice"
    PAID = "invoice.paid_only_credit"
    NO_RECIPIENT = "email.no_recipient"
    DOWN_PAYMENT = "down_payment.invalid"
    SEND_FAILED = "email.send_failed"
    SUPPLY_PERIOD = "invoice.supply_period"
