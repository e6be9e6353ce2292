"""Model validation turned into BusinessError, so every edge reports it the same way."""

from django.core.exceptions import ValidationError

from comptoir.core.errors import BusinessError, CoreError


def full_clean_or_raise(instance, exclude=None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise BusinessError(
            CoreError.INVALID_VALUE, " ".join(messages), None if field == "__all__" else field
        ) from error
