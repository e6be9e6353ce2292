"""The audit trail: who created, changed, issued, credited, cancelled, deleted, imported or
exported what, and when, with the values before and after each change.

Entries are written in the transaction of the change they describe (a refused change leaves
none) and are never changed or deleted. Who acts comes from the context: the request's user
(``AuditMiddleware``), the user a background task runs for, or the command line's operator.

Audited models are registered once (``register``). A saved instance is compared with what
it held when it was loaded (a copy kept when it is built, ``post_init``); the set-based paths
that write many rows without ``save()`` call ``record`` with the instances they changed.
"""

import datetime as dt
import getpass
import json
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models.signals import post_delete, post_init, post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.core.bulk import insert_rows

BEFORE = "_audit_before"
MAX_VALUE = 300  # characters of a value kept in an entry

CREATED, CHANGED, DELETED = "created", "changed", "deleted"
IMPORTED, EXPORTED, UPLOADED = "imported", "exported", "uploaded"
ACTION_LABELS = {
    CREATED: _("created"),
    CHANGED: _("changed"),
    DELETED: _("deleted"),
    IMPORTED: _("imported"),
    EXPORTED: _("exported"),
    UPLOADED: _("uploaded"),
    "purged": _("rows purged"),
    "roles": _("roles changed"),
}

# Labels of the values an event records that are no field of its record (apps add theirs).
CHANGE_LABELS: dict = {}

_actor: ContextVar = ContextVar("audit_actor", default=None)
_process_actor: list = [None, "system"]  # (user, name) when no request or task says
AUDITED: dict[type, frozenset] = {}  # model → names of fields not recorded


# Who acts ---------------------------------------------------------------------------------------


@contextmanager
def acting(user=None, name: str = "", *, request=None):
    """Record what happens inside as done by ``user`` (or by the request's user, read when
    an entry is written: a bearer token sets it after this starts)."""
    token = _actor.set((request, user, name))
    try:
        yield
    finally:
        _actor.reset(token)


def act_from_command_line() -> None:
    """Entries of this process, outside requests and tasks, name its operator."""
    _process_actor[:] = [None, f"cli:{getpass.getuser()}"]


def actor(by=None) -> tuple:
    """(user or None, name) of who is acting; ``by``, when a service was told, first."""
    if by is not None:
        return by, by.get_username()
    request, user, name = _actor.get() or (None, *_process_actor)
    if request is not None:
        user = request.user if request.user.is_authenticated else None
        name = user.get_username() if user else "anonymous"
    if user is not None and not name:
        name = user.get_username()
    return user, name


# What changed ------------------------------------------------------------------------------------


# The records whose changes are kept, by "app.Model", with the fields left out (secrets, what
# changes on its own).
AUDITED_MODELS = {
    "auth.User": ("password", "last_login"),
    "core.Company": (),
    "core.MessageTemplate": (),
    "core.ApiToken": ("key_hash", "last_used_at"),
    "parties.Customer": (),
    "parties.Address": (),
    "parties.Contact": (),
    "catalog.Item": (),
    "catalog.ItemAttribute": (),
    "catalog.PriceList": (),
    "pricing.Tax": (),
    "pricing.PaymentTerms": (),
    "pricing.TermsTemplate": (),
    "pricing.PricingRule": (),
    "pricing.ShippingMethod": (),
    "pricing.ShippingZone": (),
    "pricing.ShippingRule": (),
    "pricing.Promotion": (),
    "pricing.Coupon": (),
    "sales.Quotation": (),
    "sales.SalesOrder": (),
    "stock.Warehouse": (),
    "stock.DeliveryNote": (),
    "stock.CustomerReturn": (),
    "purchasing.Supplier": (),
    "purchasing.PurchaseOrder": (),
    "billing.Invoice": (),
    "payments.Payment": ("cancelled_at",),
    "imports.ImportPartner": (),
}


def register_all() -> None:
    from django.apps import apps

    for label, exclude in AUDITED_MODELS.items():
        register(apps.get_model(label), exclude=exclude)


def register(model, *, exclude: Iterable[str] = ()) -> None:
    AUDITED[model] = frozenset(exclude)
    post_init.connect(_remember, sender=model, weak=False)
    post_save.connect(_saved, sender=model, weak=False)
    post_delete.connect(_deleted, sender=model, weak=False)


def _remember(sender, instance, **kwargs):
    _keep(instance)


def _keep(instance) -> None:
    """What the instance holds now is what the next change is compared with."""
    values = instance.__dict__.copy()
    values.pop(BEFORE, None)
    instance.__dict__[BEFORE] = values


def _saved(sender, instance, created, raw=False, **kwargs):
    if not raw:
        record([instance], CREATED if created else None)


def _deleted(sender, instance, **kwargs):
    record([instance], DELETED)


def changes_of(instance) -> dict:
    """{field name: [before, after]} since the instance was loaded (or last recorded)."""
    before = instance.__dict__.get(BEFORE)
    if before is None:
        return {}
    skipped = AUDITED.get(type(instance), frozenset())
    attributes = instance.__dict__
    found = {}
    for field in instance._meta.concrete_fields:
        name, attname = field.name, field.attname
        if name in skipped or field.primary_key or _automatic(field):
            continue
        if attname in before and attname in attributes and before[attname] != attributes[attname]:
            found[name] = [plain(before[attname]), plain(attributes[attname])]
    return found


def _automatic(field) -> bool:
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


def plain(value):
    """A value as JSON holds it, shortened."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


ENTRY_FIELDS = ["at", "user", "actor", "action", "content_type", "object_id", "label", "changes"]


def record(instances: list, action: str | None = None, *, by=None, changes=None) -> int:
    """Write one entry per instance that changed (or for every one, when ``action`` is given):
    the action (its new status when the status changed), who and the values changed. One
    insert for them all: thousands of documents created at once get their entries at once."""
    from comptoir.core.models import AuditEntry

    if not instances:
        return 0
    user, name = actor(by)
    at = AuditEntry._meta.get_field("at").get_db_prep_save(timezone.now(), connection)
    head = (at, user.pk if user else None, name[:150])
    content_type = ContentType.objects.get_for_model(type(instances[0])).pk
    rows = []
    for instance in instances:
        if changes is not None:
            found = changes
        else:  # a record created or deleted keeps its values itself, or had them last
            found = {} if action in (CREATED, DELETED) else changes_of(instance)
        if not found and action is None:
            continue
        what = action or (str(found["status"][1]) if "status" in found else CHANGED)
        label = str(instance)[:200]
        rows.append((*head, what, content_type, instance.pk, label, json.dumps(found)))
        _keep(instance)
    insert_rows(AuditEntry, ENTRY_FIELDS, rows)
    return len(rows)


def record_event(action: str, label: str, *, by=None, target=None, changes=None):
    """An entry about no single change: an export, an import's summary."""
    from comptoir.core.models import AuditEntry

    user, name = actor(by)
    return AuditEntry.objects.create(
        user=user,
        actor=name[:150],
        action=action,
        content_type=ContentType.objects.get_for_model(type(target)) if target else None,
        object_id=target.pk if target else None,
        label=label[:200],
        changes=changes or {},
    )


def history(obj) -> models.QuerySet:
    """The entries about one record, newest first."""
    from comptoir.core.models import AuditEntry

    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    ).order_by("-at", "-pk")


class AuditMiddleware:
    """What a request changes is recorded as done by its user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting(request=request):
            return self.get_response(request)
