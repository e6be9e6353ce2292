"""Model validation turned into BusinessError, so every edge reports it the same way; the
range of dates Comptoir accepts."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import ProtectedError, RestrictedError
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from comptoir.core.errors import BusinessError, CoreError, InUse


def refuse_negative_prices(instance, *names: str) -> None:
    """For a model's ``clean``: these prices cannot be below zero (a price list, a catalogue
    or a document never states a negative price; EN 16931 BR-27 for an invoiced item)."""
    errors = {
        name: _("A price cannot be negative.")
        for name in names
        if isinstance(getattr(instance, name), Decimal | int) and getattr(instance, name) < 0
    }
    if errors:
        raise ValidationError(errors)


def full_clean_or_raise(instance, exclude=None, *, validate_unique: bool = True) -> None:
    _clean_texts(instance)
    try:
        instance.full_clean(exclude=exclude, validate_unique=validate_unique)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise BusinessError(
            CoreError.INVALID_VALUE, " ".join(messages), None if field == "__all__" else field
        ) from error


# Characters no one types on purpose and that change how the text around them reads: the
# direction overrides and isolates (U+202E turns "Facture" round), zero-width spaces and
# joiners of words, the byte-order mark and the two noncharacters of the basic plane.
INVISIBLE = dict.fromkeys(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200B, 0x2060, 0xFEFF, 0xFFFE, 0xFFFF]
)


def _clean_texts(instance) -> None:
    """Texts as they are kept: without invisible characters (``INVISIBLE``), and a text sent
    as null (``{"phone": null}``) empty: Django's validation lets a blank field's None
    through, and the database's NOT NULL would refuse it as a server error."""
    for field in instance._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField):
            continue
        value = getattr(instance, field.attname)
        if value is None and field.blank and not field.null:
            setattr(instance, field.attname, "")
        elif type(value) is str and not value.isascii():
            setattr(instance, field.attname, value.translate(INVISIBLE))


def full_clean_batch(instances: list, unique: str | None = None, exclude=()) -> None:
    """Validate many new rows in at most one query, whatever their number.

    Each row's own fields are checked without the database lookup Django makes per foreign
    key (the rows point to objects already loaded; the database constraint still holds) and
    per unique field; the unique field is then checked for the whole batch at once.
    """
    if not instances:
        return
    model = type(instances[0])
    relations = [f for f in model._meta.concrete_fields if f.is_relation]
    skip = [*exclude, *(f.name for f in relations)]
    for row in instances:
        for field in relations:
            if not field.null and getattr(row, field.attname) is None:
                raise BusinessError(
                    CoreError.INVALID_VALUE,
                    _("%(field)s is required.") % {"field": field.verbose_name},
                    field.name,
                )
        full_clean_or_raise(row, exclude=skip, validate_unique=False)
    _check_references(instances, relations)
    if unique is None:
        return
    values = [getattr(row, unique) for row in instances]
    taken = set(model.objects.filter(**{f"{unique}__in": values}).values_list(unique, flat=True))
    seen: set = set()
    for value in values:
        if value in taken or value in seen:
            raise BusinessError(
                CoreError.INVALID_VALUE,
                _("%(model)s %(value)s already exists.")
                % {"model": capfirst(model._meta.verbose_name), "value": value},
                unique,
            )
        seen.add(value)


def _check_references(instances: list, relations: list) -> None:
    """Rows given a related id (an API's ``group_id``) rather than a loaded object: the ids
    must name rows, checked with one query per such field."""
    for field in relations:
        ids = {
            getattr(row, field.attname)
            for row in instances
            if getattr(row, field.attname) is not None and not field.is_cached(row)
        }
        if not ids:
            continue
        target = field.target_field.attname
        found = set(
            field.related_model._base_manager.filter(**{f"{target}__in": ids}).values_list(
                target, flat=True
            )
        )
        missing = sorted(ids - found, key=str)
        if missing:
            raise BusinessError(
                CoreError.INVALID_VALUE,
                _("%(field)s %(value)s does not exist.")
                % {"field": capfirst(field.verbose_name), "value": missing[0]},
                field.name,
            )


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


# Every date a user or a client types (documents, payments, moves, prices, filters) lies in
# this range: a year 9999 or 1900 is a typing mistake, and would open a numbering series.
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)


def day_range_error(value) -> str | None:
    """Why a typed date is refused, or None when it is in range."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if value is None or FIRST_DAY <= value <= LAST_DAY:
        return None
    return _("Dates run from %(first)s to %(last)s.") % {
        "first": formats.date_format(FIRST_DAY, "SHORT_DATE_FORMAT"),
        "last": formats.date_format(LAST_DAY, "SHORT_DATE_FORMAT"),
    }


def validate_day(value) -> None:
    """The forms' check of a typed date (every ``forms.DateField``, see ``CoreConfig``)."""
    message = day_range_error(value)
    if message:
        raise ValidationError(message, code="date_range")


def check_day(value: dt.date) -> dt.date:
    """The API's check of a typed date (``core.schemas.Day``)."""
    message = day_range_error(value)
    if message:
        raise ValueError(message)
    return value
