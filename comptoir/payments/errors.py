from enum import StrEnum


class PaymentError(StrEnum):
    AMOUNT_NOT_POSITIVE = "payment.amount_not_positive"
    OVER_ALLOCATED = "payment.allocations_exceed_amount"
    INVOICE_NOT_PAYABLE = "payment.invoice_not_payable"
    WRONG_CUSTOMER = "payment.invoice_of_another_customer"
    EXCEEDS_OUTSTANDING = "payment.allocation_exceeds_outstanding"
    UNKNOWN_METHOD = "payment.unknown_method"
