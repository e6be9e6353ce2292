"""The platform connection, the submission of issued invoices and their lifecycle statuses."""

import hashlib
import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.billing.models import Invoice
from comptoir.billing.services import correct_invoice, credit_invoice
from comptoir.core.errors import BusinessError, CoreError
from comptoir.core.identifiers import validate_siren
from comptoir.einvoicing import flows, vault
from comptoir.einvoicing.cdar import CdarError, parse_cdar
from comptoir.einvoicing.client import Client
from comptoir.einvoicing.errors import (
    ConnectionSettingsError,
    DirectoryError,
    EinvoicingError,
    PlatformError,
)
from comptoir.einvoicing.models import (
    DirectoryEntry,
    LifecycleStatus,
    PlatformConnection,
    Submission,
)
from comptoir.einvoicing.queries import REFUSED, REJECTED, latest_status
from comptoir.parties.models import Customer
from comptoir.scheduling.services import run_soon

logger = logging.getLogger(__name__)
LONGEST_WAIT = timedelta(hours=6)  # between two attempts at a submission
FORGOTTEN = timedelta(minutes=2)  # a submission still to send this long after it was queued
PAGE = 100  # flows per search
PLATFORM_JOB = "einvoicing.platform"  # the scheduled job: sending what is due, reading statuses

# The connection ---------------------------------------------------------------------------

CONNECTION_FIELDS = ("enabled", "flow_url", "directory_url", "token_url", "client_id", "syntax")


URLS = ("flow_url", "directory_url", "token_url")
LONGEST_SECRET = 2000


def save_connection(*, secret: str = "", **fields) -> PlatformConnection:
    """Change the connection; an empty ``secret`` keeps the one stored."""
    _check_values(fields, secret)
    with transaction.atomic():
        connection = PlatformConnection.objects.select_for_update().get(
            pk=PlatformConnection.get().pk
        )
        for name, value in fields.items():
            if name in CONNECTION_FIELDS:
                setattr(connection, name, value)
        if secret:
            connection.secret_encrypted = vault.encrypt(secret)
        if connection.enabled:
            _check_complete(connection)
        connection.save()
        if connection.enabled:
            # The administrator may have corrected what made them fail (a wrong secret…): the
            # failed submissions are due again, and the scheduled work runs now, not in an hour.
            Submission.objects.filter(state=Submission.State.ERROR).update(retry_at=timezone.now())
            transaction.on_commit(lambda: run_soon(PLATFORM_JOB))
            # Those issued while it was switched off leave now.
            waiting = list(
                Submission.objects.filter(state=Submission.State.TO_SEND).values_list(
                    "pk", flat=True
                )
            )
            if waiting:
                from comptoir.einvoicing.tasks import send_submissions

                transaction.on_commit(lambda: send_submissions.enqueue(waiting))
    return connection


def _check_values(fields: dict, secret: str) -> None:
    """Addresses that are web addresses, and nothing longer than the columns take."""
    for name, value in fields.items():
        if name not in CONNECTION_FIELDS or isinstance(value, bool):
            continue
        field = PlatformConnection._meta.get_field(name)
        value = str(value or "")
        wrong = len(value) > field.max_length or "\x00" in value
        if name in URLS and value and not wrong:
            try:
                URLValidator(schemes=["http", "https"])(value)
            except ValidationError:
                wrong = True
        if name == "syntax" and value not in PlatformConnection.Syntax.values:
            wrong = True
        if wrong:
            raise ConnectionSettingsError(
                CoreError.INVALID_VALUE,
                _("« %(value)s » is not valid for the %(field)s.")
                % {"value": value[:80], "field": field.verbose_name},
                name,
            )
    if len(secret) > LONGEST_SECRET or "\x00" in secret:
        raise ConnectionSettingsError(
            CoreError.INVALID_VALUE, _("This client secret is not valid."), "secret"
        )


def _check_complete(connection: PlatformConnection, *, secret: str = "") -> None:
    missing = [
        (name, label)
        for name, label in [
            ("flow_url", _("the Flow Service address")),
            ("token_url", _("the token address")),
            ("client_id", _("the client id")),
            ("secret", _("the client secret")),
        ]
        if not (
            (secret or connection.has_secret) if name == "secret" else getattr(connection, name)
        )
    ]
    if missing:
        raise ConnectionSettingsError(
            EinvoicingError.INCOMPLETE,
            _("To connect to the platform, give %(what)s.") % {"what": missing[0][1]},
            missing[0][0],
        )


def client(connection: PlatformConnection | None = None, **options) -> Client:
    """A client of the platform, with the stored settings and the decrypted secret."""
    connection = connection or PlatformConnection.get()
    _check_complete(connection)
    return Client(
        connection.flow_url,
        connection.token_url,
        connection.client_id,
        vault.decrypt(connection.secret_encrypted),
        directory_url=connection.directory_url,
        **options,
    )


def test_connection(*, secret: str = "", **fields) -> None:
    """Ask the platform's healthchecks with these settings, as typed and not saved: those not
    given, and the secret when none is typed, are the stored ones. PlatformError says what went
    wrong, ConnectionSettingsError which setting is wrong or missing."""
    _check_values(fields, secret)
    connection = PlatformConnection.get()
    for name, value in fields.items():
        if name in CONNECTION_FIELDS:
            setattr(connection, name, value)
    _check_complete(connection, secret=secret)
    Client(
        connection.flow_url,
        connection.token_url,
        connection.client_id,
        secret or vault.decrypt(connection.secret_encrypted),
        directory_url=connection.directory_url,
    ).healthcheck()


# The directory ----------------------------------------------------------------------------

DIRECTORY_TIMEOUT = 10  # seconds: a lookup is made while a user waits or before sending


def look_up_directory(customer: Customer, *, platform: Client | None = None) -> DirectoryEntry:
    """Ask the platform's directory whether and where the customer receives e-invoices, and
    keep the answer on the customer. A malformed SIREN is a DirectoryError on the SIREN; a
    platform down or refusing a PlatformError, the entry kept as it was with the failure noted."""
    siren = _siren_of(customer)
    if siren:
        try:
            validate_siren(siren)
        except ValidationError:
            raise DirectoryError(
                EinvoicingError.INVALID_SIREN,
                _(
                    "« %(siren)s » is not a valid SIREN: correct it on the customer, then look the "
                    "directory up again."
                )
                % {"siren": siren},
                "siren",
            ) from None
    found = {"state": DirectoryEntry.State.NO_SIREN, "siren": ""}
    if siren:
        platform = platform or _directory_client()
        try:
            found = _directory_answer(platform, customer, siren)
        except PlatformError as error:
            _note_failure(customer, error.message)
            raise
    with transaction.atomic():
        Customer.objects.select_for_update().get(pk=customer.pk)
        entry, _created = DirectoryEntry.objects.update_or_create(
            customer=customer,
            defaults={
                "electronic_address": "",
                "platform": "",
                **found,
                "looked_up_at": timezone.now(),
                "failure": "",
                "failed_at": None,
            },
        )
    return entry


def _directory_client() -> Client:
    connection = PlatformConnection.get()
    if not (connection.enabled and connection.directory_url):
        raise ConnectionSettingsError(
            EinvoicingError.NOT_CONFIGURED,
            _(
                "The platform's directory is not connected: give its address in the settings "
                "of the approved platform."
            ),
            "directory_url",
        )
    return client(connection, timeout=DIRECTORY_TIMEOUT)


def _directory_answer(platform: Client, customer: Customer, siren: str) -> dict:
    absent = {"state": DirectoryEntry.State.ABSENT, "siren": siren}
    if platform.company(siren) is None:
        return absent
    lines = [
        line
        for line in platform.directory_lines(siren)
        if line.get("addressingIdentifier")
        and (line.get("platform") or {}).get("platformStatus", "Enabled") == "Enabled"
    ]
    if not lines:
        return absent

    # The customer's own facility first, then the company as a whole, then any other line.
    def rank(line):
        return (line.get("siret") != customer.siret, bool(line.get("addressingSuffix")))

    line = min(lines, key=rank)
    return {
        "state": DirectoryEntry.State.FOUND,
        "siren": siren,
        "electronic_address": line["addressingIdentifier"],
        "platform": (line.get("platform") or {}).get("platformType", ""),
    }


def _note_failure(customer: Customer, message: str) -> None:
    DirectoryEntry.objects.filter(customer=customer).update(
        failure=message, failed_at=timezone.now()
    )


def directory_entry(customer: Customer) -> DirectoryEntry | None:
    """What the directory last said of the customer, unless it was about another SIREN."""
    return DirectoryEntry.objects.filter(customer=customer, siren=_siren_of(customer)).first()


def _siren_of(customer: Customer) -> str:
    return customer.siren or customer.siret[:9]


def settle_address(submission: Submission) -> str:
    """The buyer's electronic address (BT-49) the submission's file states: from the directory,
    looked up again when the customer's entry is older than the setting says. Settled once, at
    the first attempt or when the file is first made. A directory down or refusing never blocks
    sending: the last known address is used and the failure noted on the submission."""
    if submission.address_settled_at:
        return submission.electronic_address
    found, note = _address_from_directory(submission.invoice.customer)
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        if not submission.address_settled_at:
            submission.electronic_address = found
            submission.directory_note = note
            submission.address_settled_at = timezone.now()
            submission.save(
                update_fields=["electronic_address", "directory_note", "address_settled_at"]
            )
    return submission.electronic_address


def _address_from_directory(customer: Customer, entry=None, *, read=False) -> tuple[str, str]:
    """The customer's electronic address as the directory gives it (asked again when the
    entry is old), and a note when the directory could not be read. ``read``: ``entry`` is
    the customer's ``directory_entry`` already read."""
    entry, note = entry if read else directory_entry(customer), ""
    max_age = timedelta(hours=settings.COMPTOIR_DIRECTORY_MAX_AGE_HOURS)
    stale = entry is None or entry.looked_up_at < timezone.now() - max_age
    if stale and PlatformConnection.get().directory_url:  # none: the SIREN is the address
        try:
            entry = look_up_directory(customer)
        except (PlatformError, ConnectionSettingsError, DirectoryError) as error:
            note = _(
                "The directory could not be read (%(reason)s); the last known address was used."
            ) % {"reason": error.message}
            entry = directory_entry(customer)
    found = entry.electronic_address if entry and entry.state == entry.State.FOUND else ""
    return found, note


def buyer_address(invoice: Invoice) -> str:
    """What billing asks when it writes an invoice's XML: the electronic address found in the
    directory for an invoice sent to the platform as an e-invoice ("" otherwise)."""
    if Invoice.submission.is_cached(invoice):  # read with its submission (a batch being sent)
        submission = getattr(invoice, "submission", None)  # None: read as having none
        if submission and submission.channel != Submission.Channel.B2B:
            submission = None
    else:
        submission = (
            Submission.objects.filter(invoice=invoice, channel=Submission.Channel.B2B)
            .select_related("invoice__customer")
            .first()
        )
    return settle_address(submission) if submission else ""


# Sending ----------------------------------------------------------------------------------


def channel_of(invoice: Invoice) -> str:
    """How the reform treats an invoice, from its customer as the invoice states it: a French
    business receives an e-invoice, a business abroad and a consumer are e-reported."""
    if not invoice.customer_is_business:
        return Submission.Channel.B2C
    country = (invoice.billing_address or {}).get("country") or "FR"
    return Submission.Channel.B2B if country == "FR" else Submission.Channel.B2B_INT


def queue_submissions(invoices: list[Invoice]) -> list[Submission]:
    """Record, in the issuing's transaction, how each issued document goes to the platform;
    the e-invoices are sent by the job worker once it commits. While a platform set up is
    switched off, they wait and leave when it is switched on again (never lost); nothing
    before a platform is set up."""
    connection = PlatformConnection.objects.filter(pk=1).exclude(flow_url="").first()
    if connection is None:
        return []
    rows = []
    for invoice in invoices:
        channel = channel_of(invoice)
        to_send = channel == Submission.Channel.B2B
        rows.append(
            Submission(
                invoice=invoice,
                tracking_id=str(uuid.uuid4()),
                channel=channel,
                syntax=connection.syntax if to_send else "",
                state=Submission.State.TO_SEND if to_send else Submission.State.TO_REPORT,
            )
        )
    rows = Submission.objects.bulk_create(rows)
    ids = [row.pk for row in rows if row.state == Submission.State.TO_SEND]
    if ids and connection.enabled:
        from comptoir.einvoicing.tasks import send_submissions

        transaction.on_commit(lambda: send_submissions.enqueue(ids))
    return rows


def file_of(submission: Submission) -> tuple[bytes, str]:
    """The bytes sent for the submission's invoice, in its format, and their file name."""
    from comptoir.billing.files import read, store_files
    from comptoir.billing.ubl import build_ubl

    if submission.invoice_id is None:  # an e-reporting file
        return flows.of(submission.syntax).file(submission)
    if submission.channel == Submission.Channel.B2B and not submission.invoice.customer_siren:
        raise PlatformError(
            EinvoicingError.BUYER_WITHOUT_SIREN,
            _(
                "The customer has no SIREN: the platform cannot address the invoice to it. "
                "Add the customer's SIREN, then correct the invoice (a credit note and a new "
                "invoice)."
            ),
            retryable=False,
        )
    invoice = submission.invoice
    if submission.syntax == PlatformConnection.Syntax.UBL:
        return build_ubl(invoice), f"{invoice.number}.xml"
    files = store_files(invoice)
    if submission.syntax == PlatformConnection.Syntax.CII:
        return read(files, "xml"), f"{invoice.number}.xml"
    return read(files, "pdf"), f"{invoice.number}.pdf"


def send_submission(pk: int, *, platform: Client | None = None) -> Submission:
    """Send one submission (again). A retry sends the same tracking id and the same file: the
    platform then answers with the flow it made the first time."""
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=pk)
        if submission.state not in (Submission.State.TO_SEND, Submission.State.ERROR):
            return submission
        submission.attempts += 1
        submission.save(update_fields=["attempts"])
    submission = Submission.objects.select_related("invoice").get(pk=pk)
    try:
        if submission.invoice_id:
            settle_address(submission)
        platform = platform or client()
        content, filename = file_of(submission)
        digest = hashlib.sha256(content).hexdigest()
        if submission.sha256 and submission.sha256 != digest:
            raise PlatformError(
                EinvoicingError.FILE_CHANGED,
                _("The file of %(ref)s is no longer the one first sent.") % {"ref": submission},
                retryable=False,
            )
        if not submission.sha256:
            Submission.objects.filter(pk=pk).update(sha256=digest)
        flow = platform.submit(content, _flow_info(submission, digest, filename), filename)
    except (PlatformError, ConnectionSettingsError) as error:
        return _record_failure(pk, error)
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=pk)
        submission.state = Submission.State.SENT
        submission.flow_id = flow.get("flowId", "")
        submission.sent_at = timezone.now()
        submission.message, submission.retry_at = "", None
        submission.save()
        if submission.invoice_id is None:
            flows.of(submission.syntax).sent(submission)
    return submission


def _flow_info(submission: Submission, digest: str, filename: str) -> dict:
    """The flowInfo of a submission: no processing rule for a report (the platform reads it)."""
    info = {
        "flowSyntax": submission.syntax,
        "trackingId": submission.tracking_id,
        "processingRule": submission.channel,
        "sha256": digest,
        "name": filename,
    }
    return {key: value for key, value in info.items() if value}


def _record_failure(pk: int, error) -> Submission:
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=pk)
        submission.state = Submission.State.ERROR
        submission.message = error.message
        submission.retry_at = next_attempt(submission.attempts, error)
        submission.save()
    logger.warning("Submission %s failed: %s", submission.tracking_id, error.message)
    return submission


def resend_submission(submission: Submission) -> bool:
    """Send a failed submission again now, in the background (the « Resend » button): the same
    tracking id and file, so the platform never holds two flows. False when there was nothing
    to resend (already sent or on its way: a second click changes nothing)."""
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        if submission.state != Submission.State.ERROR:
            return False
        submission.state, submission.retry_at = Submission.State.TO_SEND, None
        submission.message = ""
        submission.save(update_fields=["state", "retry_at", "message"])
        pk = submission.pk

        from comptoir.einvoicing.tasks import send_submissions

        transaction.on_commit(lambda: send_submissions.enqueue([pk]))
    return True


def next_attempt(attempts: int, error) -> datetime | None:
    """When to try again after the ``attempts``-th attempt failed with ``error``: after the
    wait the platform asked for, else 1, 2, 4… minutes (at most ``LONGEST_WAIT``); None when
    trying again cannot help."""
    if not getattr(error, "retryable", False):
        return None
    wait = timedelta(minutes=2 ** min(max(attempts, 1) - 1, 10))
    if getattr(error, "retry_after", None):
        wait = timedelta(seconds=error.retry_after)
    return timezone.now() + min(wait, LONGEST_WAIT)


def due_submissions(now=None) -> list[int]:
    """Submissions to try now: those whose wait after a fault is over, and those still to send
    long after they were queued (a worker stopped before or in the middle of sending)."""
    now = now or timezone.now()
    retry = Submission.objects.filter(state=Submission.State.ERROR, retry_at__lte=now)
    forgotten = Submission.objects.filter(
        state=Submission.State.TO_SEND, created_at__lte=now - FORGOTTEN
    )
    return list((retry | forgotten).order_by("pk").values_list("pk", flat=True))


# Sending many -----------------------------------------------------------------------------

BATCH = 200  # submissions read, made and recorded together
SENDERS = 4  # requests in flight at once, each on its own kept-alive connection


def send_many(ids: list[int], *, platform: Client | None = None) -> int:
    """Send many submissions as ``send_submission`` sends one (same tracking id, same file,
    sha256 recorded before the request, state recorded after), with the reads and writes made
    per batch and the requests in flight while the next batch's files are made. What is not an
    invoice's submission is sent one by one. The number of submissions sent."""
    try:
        platform = platform or client()
    except ConnectionSettingsError:
        platform = None
    sent = 0
    pending = None  # the previous batch: its requests in flight
    with ThreadPoolExecutor(SENDERS) as pool:
        for start in range(0, len(ids), BATCH):
            prepared = _prepare_batch(ids[start : start + BATCH], platform)
            futures = [
                (submission, pool.submit(platform.submit, content, info, info["name"]))
                for submission, content, info in prepared
            ]
            if pending:
                sent += _record_batch(pending)
            pending = futures
        if pending:
            sent += _record_batch(pending)
    return sent


def _prepare_batch(ids: list[int], platform: Client | None) -> list:
    """Claim the batch's submissions (an attempt each), settle their addresses per customer,
    make their files and record their sha256: what is to be submitted."""
    with transaction.atomic():
        claimed = list(
            Submission.objects.select_for_update()
            .filter(pk__in=ids, state__in=[Submission.State.TO_SEND, Submission.State.ERROR])
            .values_list("pk", flat=True)
        )
        Submission.objects.filter(pk__in=claimed).update(attempts=F("attempts") + 1)
    submissions = list(
        Submission.objects.filter(pk__in=claimed, invoice__isnull=False)
        .select_related("invoice__customer")
        .prefetch_related("invoice__lines")
        .order_by("pk")
    )
    for pk in set(claimed) - {submission.pk for submission in submissions}:  # reports…
        Submission.objects.filter(pk=pk).update(attempts=F("attempts") - 1)
        send_submission(pk, platform=platform)
    if platform is None:
        for submission in submissions:
            _record_failure(submission.pk, _not_connected())
        return []
    _settle_addresses(submissions)
    prepared, digests = [], []
    for submission in submissions:
        try:
            content, filename = file_of(submission)
        except BusinessError as error:  # a stored file altered…: said on the submission
            _record_failure(submission.pk, error)
            continue
        digest = hashlib.sha256(content).hexdigest()
        if submission.sha256 and submission.sha256 != digest:
            _record_failure(submission.pk, _file_changed(submission))
            continue
        if not submission.sha256:
            submission.sha256 = digest
            digests.append(submission)
        prepared.append((submission, content, _flow_info(submission, digest, filename)))
    _update_rows(["sha256"], [(submission.sha256, submission.pk) for submission in digests])
    return prepared


def _settle_addresses(submissions: list[Submission]) -> None:
    """``settle_address`` for a batch: the directory asked once per customer, one write per
    customer."""
    by_customer: dict[int, list[Submission]] = {}
    for submission in submissions:
        if not submission.address_settled_at:
            by_customer.setdefault(submission.invoice.customer_id, []).append(submission)
    entries = {  # directory_entry() of each customer, in one query
        entry.customer_id: entry
        for entry in DirectoryEntry.objects.filter(customer__in=list(by_customer))
        if entry.siren == _siren_of(by_customer[entry.customer_id][0].invoice.customer)
    }
    by_address: dict[tuple[str, str], list[int]] = {}
    now = timezone.now()
    for customer_id, group in by_customer.items():
        customer = group[0].invoice.customer
        found = _address_from_directory(customer, entries.get(customer_id), read=True)
        for submission in group:
            submission.electronic_address, submission.directory_note = found
            submission.address_settled_at = now
            by_address.setdefault(found, []).append(submission.pk)
    for (address, note), pks in by_address.items():  # one write per address
        Submission.objects.filter(pk__in=pks, address_settled_at__isnull=True).update(
            electronic_address=address, directory_note=note, address_settled_at=now
        )


def _record_batch(futures: list) -> int:
    """Record what the platform answered for a batch: the flows it made in one write."""
    now, done = timezone.now(), []
    for submission, future in futures:
        try:
            flow = future.result()
        except (PlatformError, ConnectionSettingsError) as error:
            _record_failure(submission.pk, error)
            continue
        submission.state, submission.flow_id = Submission.State.SENT, flow.get("flowId", "")
        submission.sent_at, submission.message, submission.retry_at = now, "", None
        done.append(submission)
    _update_rows(
        ["state", "flow_id", "sent_at", "message", "retry_at"],
        [(s.state, s.flow_id, s.sent_at, "", None, s.pk) for s in done],
    )
    return len(done)


def _update_rows(columns: list[str], rows: list[tuple]) -> None:
    """Set ``columns`` of many submissions, each to its own values (the pk last in each row),
    in one statement run for every row: ``bulk_update`` builds a CASE of every row instead,
    which costs more to make than the writes themselves."""
    if not rows:
        return
    ops = db_connection.ops
    fields = [Submission._meta.get_field(name) for name in columns]
    assignments = ", ".join(f"{ops.quote_name(f.column)} = %s" for f in fields)
    table = ops.quote_name(Submission._meta.db_table)
    values = [
        [f.get_db_prep_save(v, db_connection) for f, v in zip(fields, row[:-1], strict=True)]
        + [row[-1]]
        for row in rows
    ]
    with transaction.atomic(), db_connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", values)


def _not_connected() -> ConnectionSettingsError:
    return ConnectionSettingsError(
        EinvoicingError.NOT_CONFIGURED,
        _("The approved platform is not connected: connect it in the settings first."),
    )


def _file_changed(submission: Submission) -> PlatformError:
    return PlatformError(
        EinvoicingError.FILE_CHANGED,
        _("The file of %(ref)s is no longer the one first sent.") % {"ref": submission},
        retryable=False,
    )


# Lifecycle --------------------------------------------------------------------------------


def poll_lifecycle(*, platform: Client | None = None) -> int:
    """Read the lifecycle messages the platform received since the last poll and keep every
    status of every invoice; the number of statuses new to Comptoir."""
    connection = PlatformConnection.get()
    platform = platform or client(connection)
    cursor = connection.polled_until or _first_cursor()
    added = 0
    while True:
        where = {
            "updatedAfter": cursor,
            "flowType": ["CustomerInvoiceLC"],
            "flowDirection": ["In"],
        }
        flows = platform.search(where, PAGE)
        for flow in flows:
            added += read_lifecycle_flow(flow["flowId"], platform)
            cursor = flow.get("updatedAt") or flow.get("submittedAt") or cursor
            PlatformConnection.objects.filter(pk=connection.pk).update(polled_until=cursor)
        if len(flows) < PAGE:
            return added


def read_lifecycle_flow(flow_id: str, platform: Client) -> int:
    """Download one lifecycle flow and keep its status (1 when new to Comptoir). The polling
    and the webhook both come here: a status is kept once, whichever reads it first."""
    return _keep_status(flow_id, platform.download(flow_id))


def _first_cursor() -> str:
    """Before the first poll: from just before the first submission (or from now)."""
    first = Submission.objects.order_by("created_at").values_list("created_at", flat=True)
    since = (first.first() or timezone.now()) - timedelta(minutes=5)
    return since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _keep_status(flow_id: str, xml: bytes) -> int:
    try:
        message = parse_cdar(xml)
    except CdarError as error:
        logger.warning("Lifecycle flow %s unreadable: %s", flow_id, error.message)
        return 0
    invoice = Invoice.objects.filter(
        number=message.invoice_number, date=message.invoice_date, status=Invoice.Status.ISSUED
    ).first()
    if invoice is None:
        logger.info("Lifecycle flow %s names no invoice of ours", flow_id)
        return 0
    _row, created = LifecycleStatus.objects.get_or_create(
        flow_id=flow_id,
        invoice=invoice,
        code=message.status,
        defaults={
            "at": message.status_at or message.issued_at,
            "reason_code": message.reason_code,
            "reason": message.reason,
        },
    )
    return int(created)


# What the seller does after a rejection or a refusal ---------------------------------------


def correct_rejected_invoice(invoice: Invoice, *, by=None) -> Invoice:
    """An invoice the platform rejected (213) never reached its buyer: billing's correction
    cancels it by a credit note and opens a draft copy to fix and issue; answers the draft.
    Issued invoices are never edited (CGI art. 242 nonies A)."""
    with transaction.atomic():
        invoice, rejection = _locked_at(
            invoice,
            REJECTED,
            EinvoicingError.NOT_REJECTED,
            _("Invoice %(ref)s was not rejected by the platform."),
        )
        reason = _("Corrects invoice %(ref)s, rejected by the platform") % {"ref": invoice}
        return correct_invoice(invoice, by=by, reason=_with_reason(reason, rejection))


def credit_refused_invoice(invoice: Invoice, *, by=None) -> tuple[Invoice, bool]:
    """The credit note of an invoice its buyer refused (210), for the whole invoice: a draft to
    check and issue, its lines to invoice again on the order. A credit note already made for
    the invoice is answered instead (a second click makes none); the bool: made now."""
    with transaction.atomic():
        invoice, refusal = _locked_at(
            invoice,
            REFUSED,
            EinvoicingError.NOT_REFUSED,
            _("Invoice %(ref)s was not refused by the customer."),
        )
        made = invoice.credit_notes.filter(kind=Invoice.Kind.CREDIT_NOTE).order_by("pk").first()
        if made is not None:
            return made, False
        reason = _("Cancels invoice %(ref)s, refused by the customer") % {"ref": invoice}
        reason = _with_reason(reason, refusal)
        return credit_invoice(invoice, by=by, reason=reason, invoice_again=True), True


def _locked_at(invoice: Invoice, code: int, error: str, message: str):
    """The invoice, locked, and its latest status, refused unless that status is ``code``."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    status = latest_status(invoice)
    if status is None or status.code != code:
        raise BusinessError(error, message % {"ref": invoice}, "status")
    return invoice, status


def _with_reason(text: str, status) -> str:
    """The note of the credit note, with the platform's or the customer's reason."""
    return f"{text} ({status.reason_text})" if status.reason_text else text


# What other apps do with the platform at each run of the job (sending their own messages,
# reading their own flows), registered by them: each is called with the platform's client.
PLATFORM_WORK: list = []


def run_platform_work() -> None:
    """The scheduled job: send what is due, read the new statuses, then do the work the
    other apps registered. A platform fault in one part does not keep the others from
    running; the first one is raised at the end, for the run's result."""
    if not PlatformConnection.objects.filter(pk=1, enabled=True).exists():
        return
    from comptoir.einvoicing.payment_statuses import send_due_payment_statuses

    for pk in due_submissions():
        send_submission(pk)
    send_due_payment_statuses()
    platform = client()
    failures = []
    for work in [poll_lifecycle, poll_acknowledgements, *PLATFORM_WORK]:
        try:
            work(platform=platform)
        except PlatformError as error:
            failures.append(error)
    if failures:
        raise failures[0]


# Other files (e-reporting) ----------------------------------------------------------------


def queue_file(syntax: str) -> Submission:
    """Queue the file an app registered for ``syntax`` (``flows.py``): called in that app's
    transaction, sent by the job worker once it commits, then tracked like an invoice's."""
    flows.of(syntax)  # refused unless registered
    if not PlatformConnection.objects.filter(pk=1, enabled=True).exists():
        raise ConnectionSettingsError(
            EinvoicingError.NOT_CONFIGURED,
            _("The approved platform is not connected: connect it in the settings first."),
        )
    submission = Submission.objects.create(syntax=syntax, state=Submission.State.TO_SEND)
    from comptoir.einvoicing.tasks import send_submissions

    transaction.on_commit(lambda: send_submissions.enqueue([submission.pk]))
    return submission


def poll_acknowledgements(*, platform: Client | None = None) -> int:
    """Read whether the platform accepted or rejected the files sent other than invoices (an
    invoice's answers are its lifecycle statuses): the number of files it has now answered."""
    waiting = list(
        Submission.objects.filter(
            invoice__isnull=True,
            state=Submission.State.SENT,
            acknowledgement__in=["", Submission.Acknowledgement.PENDING],
        ).exclude(flow_id="")
    )
    answered = 0
    for submission in waiting:
        platform = platform or client()
        acknowledgement = platform.flow(submission.flow_id).get("acknowledgement") or {}
        status = acknowledgement.get("status", "")
        if status not in Submission.Acknowledgement.values:
            continue
        first = next(iter(acknowledgement.get("details") or []), {})
        Submission.objects.filter(pk=submission.pk).update(
            acknowledgement=status,
            acknowledgement_code=str(first.get("reasonCode", ""))[:100],
            acknowledgement_reason=str(first.get("reasonMessage", ""))[:2000],
            acknowledged_at=timezone.now(),
        )
        answered += status != Submission.Acknowledgement.PENDING
    return answered
