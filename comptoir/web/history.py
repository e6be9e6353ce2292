"""A record's history as a user reads it: field names, statuses, people, dates and numbers in
the user's language, never the values as they are stored (`draft`, a user's id, an ISO time)."""

import datetime as dt
from collections import defaultdict
from decimal import InvalidOperation

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from comptoir.core import access, audit
from comptoir.core.money import format_amount, format_quantity


def entries(record, user, limit: int) -> list:
    """[(entry, action label, [(field label, before, after)…])…], newest first, without the
    money the user may not see. The people and records named are read in one query per model."""
    model = type(record)
    hidden = access.hidden_money_fields(model, user)
    fields = {f.name: f for f in model._meta.concrete_fields}
    rows = list(audit.history(record)[:limit])
    names = _related_names(rows, fields)
    # A record that says some values in words of its other fields (a rule's value is a price
    # or a percentage by its action) gets its values as they were, walked back from today's.
    in_words = getattr(record, "history_value", None)
    state = {}
    if in_words is not None:
        state = {f.name: audit.plain(getattr(record, f.attname)) for f in fields.values()}
    result = []
    for entry in rows:
        after = dict(state)
        state.update({name: values[0] for name, values in entry.changes.items()})
        changes = [
            (
                _label(fields.get(name), name),
                _shown(record, fields.get(name), values[0], names, state),
                _shown(record, fields.get(name), values[1], names, after),
            )
            for name, values in entry.changes.items()
            if name not in hidden and not _structured(fields.get(name))
        ]
        entry.who = who(entry.actor)
        result.append((entry, _action(record, entry.action), changes))
    return result


def who(actor: str) -> str:
    """Who did it, as the history names them: a user by their login; the command line, the
    job worker and Comptoir itself in words."""
    if actor.startswith("cli:"):
        return _("command line (%(account)s)") % {"account": actor.removeprefix("cli:")}
    named = {
        "system": _("Comptoir, automatically"),
        "worker": _("the job worker"),
        "anonymous": _("someone not logged in"),
    }
    return str(named.get(actor, actor))


def _structured(field) -> bool:
    """A field holding a structure (the VAT breakdown, the allowances) is worked out from
    what the history shows already; its JSON means nothing to a user."""
    return isinstance(field, models.JSONField)


def _action(record, action: str) -> str:
    """An action of the journal, or the status a change moved the record to."""
    if action in audit.ACTION_LABELS:
        return audit.ACTION_LABELS[action]
    return _status_label(record, action)


def _status_label(record, status: str) -> str:
    label_of = getattr(record, "status_label", None)
    if label_of is not None:
        return label_of(status)
    field = next((f for f in record._meta.concrete_fields if f.name == "status"), None)
    return str(dict(field.flatchoices).get(status, status)) if field else status


def _label(field, name: str) -> str:
    """The field's name in the user's language (an unnamed field's gets its catalogue entry)."""
    if field is None:  # a change that is not a field's (e.g. an allocation undone)
        return str(audit.CHANGE_LABELS.get(name, name.replace("_", " ")))
    return _(str(field.verbose_name))


def _related_names(rows, fields) -> dict:
    """{related model: {pk: name}} for every record a change points to."""
    wanted = defaultdict(set)
    for entry in rows:
        for name, values in entry.changes.items():
            field = fields.get(name)
            if isinstance(field, models.ForeignKey):
                wanted[field.related_model].update(v for v in values if v is not None)
    return {
        related: {obj.pk: str(obj) for obj in related._default_manager.filter(pk__in=pks)}
        for related, pks in wanted.items()
    }


def _shown(record, field, value, names: dict, state: dict):
    if value is None or field is None:
        return value
    said = getattr(record, "history_value", lambda *args: None)(field.name, value, state)
    if said is not None:
        return said
    if field.name == "status":
        return _status_label(record, value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.ForeignKey):
        return names.get(field.related_model, {}).get(value, "—")
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    try:
        return _typed(field, value)
    except (InvalidOperation, TypeError, ValueError):
        return value


def _typed(field, value):
    if isinstance(field, models.DateTimeField):
        moment = dt.datetime.fromisoformat(value)
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    if isinstance(field, models.DateField):
        return formats.date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
    if isinstance(field, models.DecimalField):
        is_amount = field.decimal_places == 2 and "quantity" not in field.name
        return format_amount(value) if is_amount else format_quantity(value)
    return value
