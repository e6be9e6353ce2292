from enum import StrEnum

from comptoir.core.errors import BusinessError


class PaymentError(StrEnum):
    AMOUNT_NOT_POSITIVE = "payment.amount_not_positive"
    OVER_ALLOCATED = "payment.allocations_exceed_amount"
    INVOICE_NOT_PAYABLE = "payment.invoice_not_payable"
    WRONG_CUSTOMER = "payment.invoice_of_another_customer"
    EXCEEDS_OUTSTANDING = "payment.allocation_exceeds_outstanding"
    UNKNOWN_METHOD = "payment.unknown_method"
    MORE_THAN_DUE = "payment.amount_exceeds_due"
    CANCELLED = "payment.cancelled"
    REASON_REQUIRED = "payment.reason_required"
    NOT_AN_ALLOCATION = "payment.allocation_of_another_payment"
    REFUND_EXCEEDS_CREDIT = "payment.refund_exceeds_credit"
    REFUNDED = "payment.refunded"


class NeedsConfirmation(BusinessError):
    """The input is valid but unusual: the client confirms it explicitly to go on."""

    status_code = 422
