from enum import StrEnum


class EreportingError(StrEnum):
    BAD_PERIOD = "ereporting.bad_period"
    NOT_OVER = "ereporting.period_not_over"
    NO_SELLER_ID = "ereporting.no_seller_id"
    NO_PLATFORM = "ereporting.no_platform"
    NO_BUYER_ID = "ereporting.no_buyer_id"
    NOT_EUROS = "ereporting.not_euros"
    ALREADY_SENT = "ereporting.already_sent"
    BEING_SENT = "ereporting.being_sent"
    REJECTED = "ereporting.rejected"
