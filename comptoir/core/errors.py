"""Domain errors: a stable code for machines, a translatable message for people.

The API renders them as 4xx JSON ``{"code", "message", "field"}``, the UI as a message on the
form, the CLI on stderr with exit code 2.
"""

from enum import StrEnum

from django.utils.translation import gettext as _


class CoreError(StrEnum):
    INVALID_NUMBER = "invalid_number"
    NUMBER_TOO_LARGE = "number_too_large"
    INVALID_VALUE = "invalid_value"
    NOT_FOUND = "not_found"
    INVALID_TRANSITION = "invalid_transition"
    IMMUTABLE = "immutable"
    SEQUENCE_DATE = "sequence.date_before_last"
    COMPANY_MISSING = "company.missing"
    ALLOWANCE_ABOVE_LINES = "allowances.above_lines"


class BusinessError(Exception):
    """A rule of the business refused the operation. Nothing was changed."""

    status_code = 400

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code = str(code)
        self.message = str(message)
        self.field = field

    def as_dict(self) -> dict:
        data = {"code": self.code, "message": self.message}
        if self.field:
            data["field"] = self.field
        return data


class Refusals(BusinessError):
    """Several refusals at once, each with its field (a grid's cells, a document's lines): a
    form shows each in its place, so a user fixes them all at once. The first stands for them
    all as the error's code, message, field and status (the API answers with it)."""

    def __init__(self, errors: list[BusinessError]):
        first = errors[0]
        super().__init__(first.code, first.message, first.field)
        self.status_code = first.status_code
        self.errors = errors


def each_refusal(error: BusinessError) -> list[BusinessError]:
    """The refusals an error stands for: each of a ``Refusals``, else the error itself."""
    return list(error.errors) if isinstance(error, Refusals) else [error]


class OutOfRange(BusinessError):
    """A value outside what the business or the columns accept (an amount of 10²², a date in
    9999): the input is wrong as given."""

    status_code = 422


class NotFound(BusinessError):
    status_code = 404

    def __init__(self, what: str, key, field: str | None = None):
        super().__init__(
            CoreError.NOT_FOUND,
            _("%(what)s not found: %(key)s") % {"what": what, "key": key},
            field,
        )


class InvalidTransition(BusinessError):
    status_code = 409


class InvalidInput(BusinessError):
    """Input that breaks a rule between its own fields (a date before another): a 422, stated
    as the API states any input its schema refuses."""

    status_code = 422

    def as_dict(self) -> dict:
        where = (self.field or "").split(".") if self.field else []
        return {**super().as_dict(), "errors": [{"loc": where, "msg": self.message}]}


class ImmutableDocument(BusinessError):
    status_code = 409

    def __init__(self, message: str):
        super().__init__(CoreError.IMMUTABLE, message)


class InUse(BusinessError):
    """A row that documents still refer to: it cannot be deleted (deactivate it instead)."""

    status_code = 409
