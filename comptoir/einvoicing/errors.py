from enum import StrEnum

from comptoir.core.errors import BusinessError


class EinvoicingError(StrEnum):
    SECRET_UNREADABLE = "platform.secret_unreadable"
    NOT_CONFIGURED = "platform.not_configured"
    INCOMPLETE = "platform.incomplete"
    REFUSED = "platform.refused"
    UNAUTHORIZED = "platform.unauthorized"
    TOO_MANY = "platform.too_many_requests"
    UNAVAILABLE = "platform.unavailable"
    UNREADABLE = "platform.unreadable_answer"
    FILE_CHANGED = "platform.file_changed"
    BUYER_WITHOUT_SIREN = "platform.buyer_without_siren"
    INVALID_SIREN = "directory.invalid_siren"
    NOT_REJECTED = "platform.not_rejected"
    NOT_REFUSED = "platform.not_refused"


class ConnectionSettingsError(BusinessError):
    """The connection's settings cannot be used as they are."""


class DirectoryError(BusinessError):
    """A customer that cannot be looked up in the directory as it is (a malformed SIREN)."""


class PlatformError(BusinessError):
    """The platform refused a request or could not be reached. ``retryable``: whether trying
    again later may succeed (after ``retry_after`` seconds when the platform says)."""

    status_code = 502

    def __init__(self, code, message, *, retryable: bool, retry_after: int | None = None):
        super().__init__(code, message)
        self.retryable = retryable
        self.retry_after = retry_after
