from enum import StrEnum


class StockError(StrEnum):
    ORDER_NOT_CONFIRMED = "delivery.order_not_confirmed"
    NOTHING_TO_DELIVER = "delivery.nothing_to_deliver"
    TOO_MUCH = "delivery.quantity_exceeds_remaining"
    NOT_DELIVERABLE = "delivery.line_not_deliverable"
    WRONG_ORDER = "delivery.line_of_another_order"
