"""The platform's webhook: the platform calls ``POST /api/einvoicing/webhook`` with
``{"flowInfo": Flow}`` (the Flow Service's WebhookCallbackContent) when a flow changes.

The Flow Service defines no authentication for it, so Comptoir makes its own: a secret it
generates, shown once to the administrator who gives it to the platform, which sends it as
``Authorization: Bearer <secret>``. Only its SHA-256 is stored (a random secret of 256 bits
needs no slow hash), compared in constant time.

The body is never trusted for a status: it only names a flow, which Comptoir then fetches
from the platform by the same path as the polling (``services.read_lifecycle_flow``), so a
status is kept once whichever of the two reads it first.
"""

import hashlib
import hmac
import json
import logging
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.errors import BusinessError
from comptoir.einvoicing.client import Client
from comptoir.einvoicing.errors import ConnectionSettingsError, PlatformError
from comptoir.einvoicing.models import PlatformConnection

logger = logging.getLogger(__name__)
LONGEST_FLOW_ID = 36  # NotOnlyUuid in the OpenAPI file
LONGEST_BODY = 100_000  # a Flow is a few hundred bytes


class WebhookRefused(BusinessError):
    status_code = 401


class WebhookMalformed(BusinessError):
    status_code = 400


def make_webhook_secret() -> str:
    """A new webhook secret, returned once (only its hash is kept): the one before stops
    working."""
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        connection = PlatformConnection.objects.select_for_update().get(
            pk=PlatformConnection.get().pk
        )
        connection.webhook_secret_hash = _digest(secret)
        connection.webhook_secret_made_at = timezone.now()
        connection.save(update_fields=["webhook_secret_hash", "webhook_secret_made_at"])
    return secret


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_caller(authorization: str) -> None:
    """WebhookRefused unless the header carries the webhook secret."""
    stored = (
        PlatformConnection.objects.filter(pk=1)
        .values_list("webhook_secret_hash", flat=True)
        .first()
    )
    scheme, _sep, secret = (authorization or "").partition(" ")
    given = _digest(secret.strip()) if scheme.lower() == "bearer" and secret.strip() else ""
    # compared in constant time, even when nothing is stored or given
    if not (hmac.compare_digest(given or "-", stored or "") and stored):
        raise WebhookRefused(
            "webhook.unauthorized",
            _("The webhook secret is missing or wrong."),
        )


def flow_id_of(body: bytes) -> str:
    """The flow a webhook call names; WebhookMalformed when the body is not a
    WebhookCallbackContent."""
    if len(body) > LONGEST_BODY:
        raise WebhookMalformed("webhook.malformed", _("The webhook's body is too large."))
    try:
        content = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WebhookMalformed(
            "webhook.malformed", _("The webhook's body is not JSON."), "body"
        ) from None
    info = content.get("flowInfo") if isinstance(content, dict) else None
    flow_id = info.get("flowId") if isinstance(info, dict) else None
    if not isinstance(flow_id, str) or not flow_id.strip() or len(flow_id) > LONGEST_FLOW_ID:
        raise WebhookMalformed(
            "webhook.malformed",
            _('The webhook\'s body must be {"flowInfo": {"flowId": …}}.'),
            "flowInfo.flowId",
        )
    return flow_id


def receive_call(authorization: str, body: bytes) -> str:
    """A webhook call: checked, then the flow it names is read from the platform by the job
    worker once this request is answered. The flow's id."""
    check_caller(authorization)
    flow_id = flow_id_of(body)
    if PlatformConnection.objects.filter(pk=1, enabled=True).exists():
        from comptoir.einvoicing.tasks import read_flow as read_flow_task

        transaction.on_commit(lambda: read_flow_task.enqueue(flow_id))
    return flow_id


def read_flow(flow_id: str, *, platform: Client | None = None) -> int:
    """Ask the platform what this flow is; a lifecycle message about one of our invoices is
    kept as the polling keeps it. The number of statuses new to Comptoir (0 when the flow is
    not one, or when the platform cannot be asked: the polling then catches up)."""
    from comptoir.einvoicing.services import client, read_lifecycle_flow

    try:
        platform = platform or client()
        flow = platform.flow(flow_id)
        if flow.get("flowType") != "CustomerInvoiceLC" or flow.get("flowDirection") != "In":
            return 0
        return read_lifecycle_flow(flow_id, platform)
    except (PlatformError, ConnectionSettingsError) as error:
        logger.warning("Flow %s named by the webhook not read: %s", flow_id, error.message)
        return 0
