from enum import StrEnum


class PurchaseError(StrEnum):
    NO_LINES = "purchase.no_lines"
    TOO_MUCH = "purchase.quantity_exceeds_ordered"
    NOT_FOR_STOCK = "purchase.not_stocked"
    WRONG_LINE = "purchase.line_of_another_order"
    NOT_CONFIRMED = "purchase.not_confirmed"
    NOT_DROP_SHIP = "purchase.not_a_drop_shipment"
