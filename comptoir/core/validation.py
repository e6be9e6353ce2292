"""Model validation turned into BusinessError, so every edge reports it the same way."""

from django.core.exceptions import ValidationError
from django.db.models import ProtectedError, RestrictedError

from comptoir.core.errors import BusinessError, CoreError, InUse


def full_clean_or_raise(instance, exclude=None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise BusinessError(
            CoreError.INVALID_VALUE, " ".join(messages), None if field == "__all__" else field
        ) from error


def delete_or_refuse(instance, code: str, message: str) -> None:
    """Delete a master-data row, or refuse clearly when documents still point to it."""
    try:
        instance.delete()
    except (ProtectedError, RestrictedError):
        raise InUse(code, message) from None


def create_validated(model, **fields):
    """Create a master-data row after the model's own validation."""
    row = model(**fields)
    full_clean_or_raise(row)
    row.save()
    return row
