from enum import StrEnum


class StockError(StrEnum):
    ORDER_NOT_CONFIRMED = "delivery.order_not_confirmed"
    NOTHING_TO_DELIVER = "delivery.nothing_to_deliver"
    TOO_MUCH = "delivery.quantity_exceeds_remaining"
    NOT_DELIVERABLE = "delivery.line_not_deliverable"
    WRONG_ORDER = "delivery.line_of_another_order"
    NOT_ENOUGH = "stock.not_enough"
    ZERO_QUANTITY = "stock.zero_quantity"
    SERVICE_NOT_STOCKED = "stock.service_not_stocked"
    BUNDLE_NOT_STOCKED = "stock.bundle_not_stocked"
    TEMPLATE_NOT_STOCKED = "stock.template_not_stocked"
    UNKNOWN_KIND = "stock.unknown_kind"
    SAME_WAREHOUSE = "stock.same_warehouse"
    NEGATIVE_COUNT = "stock.negative_count"
    SEVERAL_CUSTOMERS = "delivery.several_customers"
    NOT_SHIPPED = "return.delivery_not_shipped"
    WRONG_DELIVERY = "return.line_of_another_delivery"
    TOO_MUCH_BACK = "return.quantity_exceeds_delivered"
    NOTHING_BACK = "return.nothing"
