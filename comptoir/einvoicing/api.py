from datetime import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from comptoir.billing.models import Invoice
from comptoir.billing.queries import with_listed_facts
from comptoir.billing.schemas import InvoiceOut
from comptoir.core import access
from comptoir.core.errors import BusinessError
from comptoir.core.schemas import ErrorOut, Id
from comptoir.einvoicing import services
from comptoir.einvoicing.models import DirectoryEntry, PlatformConnection
from comptoir.parties.queries import visible_customers

router = Router(tags=["e-invoicing"])


class ConnectionOut(Schema):
    """The connection as stored; the secret is never given back, only whether one is kept."""

    enabled: bool
    flow_url: str
    directory_url: str
    token_url: str
    client_id: str
    syntax: PlatformConnection.Syntax
    has_secret: bool


class ConnectionIn(Schema):
    enabled: bool | None = None
    flow_url: str | None = None
    directory_url: str | None = None
    token_url: str | None = None
    client_id: str | None = None
    secret: str | None = None  # empty or missing: the stored one is kept
    syntax: PlatformConnection.Syntax | None = None


class CheckOut(Schema):
    ok: bool


ERRORS = {400: ErrorOut, 502: ErrorOut}


@router.get("/einvoicing/connection", response=ConnectionOut)
def get_platform_connection(request):
    """The approved platform's connection (administrators)."""
    return PlatformConnection.get()


@router.patch("/einvoicing/connection", response={200: ConnectionOut, **ERRORS})
def update_platform_connection(request, payload: ConnectionIn):
    """Change the connection; 400 `platform.incomplete` when switched on without what it needs.
    The secret is stored encrypted and never given back."""
    return services.save_connection(**payload.dict(exclude_none=True))


@router.post("/einvoicing/connection/check", response={200: CheckOut, **ERRORS})
def check_platform_connection(request):
    """Ask the platform's healthchecks with the stored settings; 502 with the platform's fault
    (`platform.unauthorized`, `platform.unavailable`…)."""
    services.test_connection()
    return {"ok": True}


class SubmissionOut(Schema):
    tracking_id: str
    channel: str
    syntax: str
    state: str
    sha256: str
    flow_id: str
    message: str
    electronic_address: str  # the buyer's BT-49 the file states, from the directory
    directory_note: str  # why the directory could not be asked before sending, if so
    attempts: int
    retry_at: datetime | None
    sent_at: datetime | None


class StatusOut(Schema):
    code: int
    label: str
    at: datetime
    reason_code: str
    reason: str
    sent_by_us: bool  # a status Comptoir sent (212 Encaissée), rather than read

    @staticmethod
    def resolve_label(row) -> str:
        return str(row.status.label)


class PaymentStatusOut(Schema):
    """A status Comptoir sends about the invoice (212 Encaissée once fully paid): `to_send`,
    `sent`, `error` (with the next attempt, if any) or `withdrawn` (its payment cancelled
    before it left)."""

    code: int
    state: str
    amount: Decimal
    status_at: datetime  # when the money was received
    tracking_id: str
    sha256: str
    flow_id: str
    message: str
    attempts: int
    retry_at: datetime | None
    sent_at: datetime | None


class InvoicePlatformOut(Schema):
    submission: SubmissionOut | None
    statuses: list[StatusOut]
    payment_statuses: list[PaymentStatusOut]


@router.get("/invoices/{pk}/platform", response={200: InvoicePlatformOut, 404: ErrorOut})
def invoice_platform(request, pk: Id):
    """How an issued invoice went to the approved platform (state `to_send`, `sent`, `error`,
    `to_report`), every lifecycle status the platform gave it or Comptoir sent, oldest first,
    and the statuses Comptoir sends about it (212 Encaissée)."""
    invoice = access.get_owned(Invoice.objects.all(), request.user, pk=pk)
    submission = getattr(invoice, "submission", None)  # None: never sent
    return {
        "submission": submission,
        "statuses": list(invoice.lifecycle.all()),
        "payment_statuses": list(invoice.outgoing_statuses.all()),
    }


def _answer(invoice: Invoice) -> Invoice:
    """The invoice as the invoices API states it (its lines, its platform status)."""
    return with_listed_facts(Invoice.objects.prefetch_related("lines")).get(pk=invoice.pk)


@router.post(
    "/invoices/{pk}/platform/correction", response={201: InvoiceOut, **ERRORS, 404: ErrorOut}
)
def correct_rejected_invoice(request, pk: Id):
    """Correct an invoice the platform rejected (its latest status 213): it is cancelled by a
    credit note issued at once, and its draft copy (answered) opens to be fixed and issued. 400
    `platform.not_rejected` for any other invoice, `billing.paid` for one with payments."""
    invoice = access.get_owned(Invoice.objects.all(), request.user, pk=pk)
    draft = services.correct_rejected_invoice(invoice, by=request.user)
    return Status(201, _answer(draft))


@router.post(
    "/invoices/{pk}/platform/credit-note",
    response={200: InvoiceOut, 201: InvoiceOut, **ERRORS, 404: ErrorOut},
)
def credit_refused_invoice(request, pk: Id):
    """The credit note of an invoice its customer refused (its latest status 210), for the
    whole invoice, as a draft to check and issue: 201 when made now, 200 with the credit note
    already made (calling again never makes a second). 400 `platform.not_refused` otherwise."""
    invoice = access.get_owned(Invoice.objects.all(), request.user, pk=pk)
    credit_note, made = services.credit_refused_invoice(invoice, by=request.user)
    return Status(201 if made else 200, _answer(credit_note))


class NotLookedUp(BusinessError):
    status_code = 404


class DirectoryOut(Schema):
    """What the platform's directory said of a customer: `found` (with the electronic address,
    BT-49, and the platform's type), `absent`, or `no_siren`; when it was asked, and the last
    failed lookup since, if any."""

    state: DirectoryEntry.State
    siren: str
    electronic_address: str
    platform: str
    sentence: str
    looked_up_at: datetime
    failure: str
    failed_at: datetime | None


@router.get("/customers/{customer_id}/directory", response={200: DirectoryOut, 404: ErrorOut})
def customer_directory(request, customer_id: Id):
    """What the directory last said of the customer; 404 `directory.not_looked_up` before the
    first lookup."""
    customer = get_object_or_404(visible_customers(request.user), pk=customer_id)
    entry = services.directory_entry(customer)
    if entry is None:
        raise NotLookedUp(
            "directory.not_looked_up", _("The directory was not looked up for this customer yet.")
        )
    return entry


@router.post(
    "/customers/{customer_id}/directory", response={200: DirectoryOut, 404: ErrorOut, **ERRORS}
)
def look_up_customer_directory(request, customer_id: Id):
    """Look the customer up in the platform's directory and keep the answer; 400
    `directory.invalid_siren` (field `siren`) for a malformed SIREN, 502 with the platform's fault
    (`platform.unavailable`…), the last answer then kept."""
    customer = get_object_or_404(visible_customers(request.user), pk=customer_id)
    return services.look_up_directory(customer)


class WebhookOut(Schema):
    flow_id: str


WEBHOOK_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": "The Flow Service's WebhookCallbackContent.",
                    "properties": {
                        "flowInfo": {
                            "type": "object",
                            "properties": {"flowId": {"type": "string", "maxLength": 36}},
                            "required": ["flowId"],
                        }
                    },
                    "required": ["flowInfo"],
                }
            }
        },
    },
}


@router.post(
    "/einvoicing/webhook",
    auth=None,
    response={200: WebhookOut, 400: ErrorOut, 401: ErrorOut},
    openapi_extra=WEBHOOK_BODY,
)
def platform_webhook(request):
    """Called by the approved platform when one of its flows changes, with
    `{"flowInfo": Flow}` and `Authorization: Bearer <webhook secret>` (the secret made in
    Settings → Approved platform). 401 `webhook.unauthorized` without the right secret, 400
    `webhook.malformed` for another body. The body's statuses are not trusted: the flow it
    names is read from the platform, as the scheduled polling reads it."""
    from comptoir.einvoicing.webhook import receive_call

    flow_id = receive_call(request.headers.get("Authorization", ""), request.body)
    return {"flow_id": flow_id}
