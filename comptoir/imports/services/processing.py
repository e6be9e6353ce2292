"""Processing an import's open rows into documents, chunk by chunk, and its report."""

import contextlib
import fcntl
import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.db.models import Count, F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comptoir.core import audit
from comptoir.core.bulk import collect_young, collector_paused, copies_in_background
from comptoir.core.errors import BusinessError, InvalidTransition
from comptoir.core.models import Company
from comptoir.core.money import format_quantity
from comptoir.imports.models import (
    ImportBatch,
    ImportRow,
    PartnerDocument,
    Strictness,
)
from comptoir.imports.planning import (
    Known,
    Plan,
    catch_up,
    open_references,
    plan_references,
)
from comptoir.imports.services.files import _lock_batch
from comptoir.imports.services.partners import _check_orders_allowed
from comptoir.imports.services.writing import _Context, _save_row_states, _write

DOCUMENTS_PER_CHUNK = 1000


# Processing -------------------------------------------------------------------------------------


@dataclass
class Report:
    rows: int = 0
    created_rows: int = 0
    duplicate_rows: int = 0
    failed_rows: int = 0
    documents_created: int = 0
    duplicate_documents: int = 0
    customers_created: int = 0
    items_created: int = 0
    file_total: Decimal = Decimal("0")
    created_total: Decimal = Decimal("0")
    messages: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: str(v) if isinstance(v, Decimal) else v for k, v in self.__dict__.items()}

    def audit_changes(self) -> dict:
        """The counts, as an audit entry's values (nothing before, these after)."""
        return {k: [None, v] for k, v in self.as_dict().items() if k != "messages"}


def queue_processing(batch: ImportBatch, *, by=None) -> ImportBatch:
    """Hand the batch to the background worker; its page follows the progress."""
    from comptoir.imports.tasks import process_import

    with transaction.atomic():
        batch = _start(batch)
        process_import.enqueue(batch.pk, by.pk if by else None)
    batch.refresh_from_db()
    return batch


RUN_LOCK = 0x696D  # the class of PostgreSQL advisory locks held by processing runs ("im")


def _being_processed() -> InvalidTransition:
    return InvalidTransition(
        "import.processing",
        _("This file is already being processed: its page shows the progress."),
        "status",
    )


@contextlib.contextmanager
def _run_lock(batch_pk: int):
    """Held by the run processing a batch until it ends or its process dies (a killed worker
    leaves no lock behind): a PostgreSQL session lock, a file lock on SQLite (one machine).
    Yields whether this run has it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [RUN_LOCK, batch_pk])
            held = cursor.fetchone()[0]
        try:
            yield held
        finally:
            if held:
                with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [RUN_LOCK, batch_pk])
        return
    # One lock per database file and batch (a memory database is its process's alone).
    database = str(connection.settings_dict["NAME"])
    if connection.is_in_memory_db():
        database += str(os.getpid())
    key = hashlib.sha256(database.encode()).hexdigest()[:16]
    folder = settings.VAR_DIR / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"import-{key}-{batch_pk}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
        else:
            yield True  # closing the file releases it


def _start(batch: ImportBatch, resume: bool = False) -> ImportBatch:
    """Mark the batch as processing, inside the caller's transaction, if it may be. A batch
    another live run is processing is refused (409); one left processing by a run that died
    (a killed worker) is taken over, as is one queued for the worker when the worker's job
    starts (``resume``): processing resumes where it stopped and creates nothing twice."""
    batch = _lock_batch(batch)
    if batch.status == ImportBatch.Status.PROCESSING and not resume:
        with _run_lock(batch.pk) as free:
            if not free:
                raise _being_processed()
    _check_processable(batch)
    batch.status, batch.error = ImportBatch.Status.PROCESSING, ""
    batch.rows_done = _settled_rows(batch)
    batch.save(update_fields=["status", "error", "rows_done"])
    return batch


def _settled_rows(batch: ImportBatch) -> int:
    """Rows done before this run: the progress counts on from there to the file's rows."""
    return batch.rows.exclude(state__in=ImportRow.OPEN_STATES).count()


def _check_processable(batch: ImportBatch) -> None:
    if batch.status not in (
        ImportBatch.Status.PARSED,
        ImportBatch.Status.PROCESSING,
        ImportBatch.Status.PROCESSED,
    ):
        raise BusinessError(
            "import.not_read",
            _("This file cannot be processed: %(status)s.")
            % {"status": batch.get_status_display()},
            "status",
        )
    _check_orders_allowed(batch.partner.creates)


def process_batch(batch: ImportBatch, *, by=None, progress=None) -> Report:
    """Create the documents of the batch's open rows; returns what happened. A batch another
    live run is processing is refused (409); a run that fails leaves the batch read again,
    with the reason, and one that dies leaves a batch the next run takes over: a batch is
    never stuck in processing."""
    with collector_paused():
        return _process_batch(batch, by, progress)


def _process_batch(batch: ImportBatch, by, progress) -> Report:
    with _run_lock(batch.pk) as held:
        if not held:
            raise _being_processed()
        with transaction.atomic():
            batch = _start(batch, resume=True)  # no other run is alive: this one may go on
        try:
            return _run(batch, by, progress)
        except BaseException as error:
            _stopped(batch, error)
            raise


def _stopped(batch: ImportBatch, error: BaseException) -> None:
    """A run that stopped gives the batch back, with why; what its chunks created stays and
    the next run resumes from there."""
    message = (
        error.message
        if isinstance(error, BusinessError)
        else _(
            "Processing stopped on an unexpected error; the documents already created are "
            "kept. Process the file again to resume."
        )
    )
    try:
        with transaction.atomic():
            ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PROCESSING).update(
                status=ImportBatch.Status.PARSED, error=message
            )
    except DatabaseError:
        pass  # the caller's transaction failed: its rollback undoes the mark as well


def _run(batch: ImportBatch, by, progress) -> Report:
    refs = open_references(batch)
    chunks = [
        refs[start : start + DOCUMENTS_PER_CHUNK]
        for start in range(0, len(refs), DOCUMENTS_PER_CHUNK)
    ]
    context = _Context(batch=batch, by=by, currency=Company.get().currency)
    if batch.partner.strictness == Strictness.ALL_OR_NOTHING:
        _process_all_or_nothing(context, chunks, progress)
    else:
        ahead = _PlanAhead(context) if _PlanAhead.possible() else None
        try:
            for chunk, following in pairwise([*chunks, None]):  # none: nothing left to do
                _process_chunk_or_each(context, chunk, ahead, following)
                collect_young()
                if progress:
                    progress(len(chunk))
        finally:
            if ahead:
                ahead.close()
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.PROCESSED, processed_at=timezone.now()
    )
    report = batch_report(batch, context)
    audit.record([batch], audit.IMPORTED, by=by, changes=report.audit_changes())
    return report


def _process_chunk_or_each(context: _Context, refs: list[str], ahead=None, following=None):
    """The chunk in one transaction; when it fails, each document in its own, to keep the
    good ones and give the failing one its reason. ``ahead`` plans the ``following`` chunk
    meanwhile."""
    try:
        with transaction.atomic():
            planned = ahead.take(refs) if ahead else None
            if ahead and following and ahead.while_writing:
                ahead.start(following)
            _process_references(context, refs, planned)
            if ahead and following and not ahead.while_writing:
                ahead.start(following)
        return
    except (BusinessError, IntegrityError):
        context.known = Known()  # what the chunk created is rolled back
    for ref in refs:
        try:
            with transaction.atomic():
                _process_references(context, [ref])
        except (BusinessError, IntegrityError) as error:
            context.known = Known()
            message = error.message if isinstance(error, BusinessError) else str(error)
            with transaction.atomic():
                _fail_rows(context.batch, [ref], message)


def _process_all_or_nothing(context: _Context, chunks, progress) -> None:
    blocked = 0
    for chunk in chunks:
        with transaction.atomic():
            plan, _duplicates = plan_references(
                context.batch, chunk, context.currency, context.known
            )
            blocked += _mark_blocked(plan)
    if blocked:
        error = BusinessError(
            "import.anomalies",
            _(
                "%(count)s documents have anomalies: nothing was created. Fix them, or process "
                "the valid documents only."
            )
            % {"count": format_quantity(blocked)},
        )
        ImportBatch.objects.filter(pk=context.batch.pk).update(
            status=ImportBatch.Status.PARSED, error=error.message
        )
        raise error
    with transaction.atomic():
        for chunk in chunks:
            _process_references(context, chunk)
            collect_young()
            if progress:
                progress(len(chunk))


def _mark_blocked(plan: Plan) -> int:
    changed = []
    for doc in plan.documents:
        if not doc.blocked:
            continue
        for row in doc.rows:
            if row.state == ImportRow.State.INVALID:
                continue  # its own errors stand until it is corrected
            row.state, row.errors = ImportRow.State.FAILED, doc.errors.get(row.pk, [])
            changed.append(row)
    _save_row_states(changed)
    return sum(1 for d in plan.documents if d.blocked)


def _fail_rows(batch: ImportBatch, refs: list[str], message: str) -> None:
    rows = list(
        ImportRow.objects.filter(batch=batch, reference__in=refs, state__in=ImportRow.OPEN_STATES)
    )
    for row in rows:
        row.state, row.errors = ImportRow.State.FAILED, [{"field": "", "message": message}]
    _save_row_states(rows)


def _process_references(context: _Context, refs: list[str], planned=None) -> None:
    """Plan and create the documents of these references, inside the caller's transaction;
    ``planned``: their plan made ahead, brought up to date and used if it still holds now the
    batch is locked."""
    batch = ImportBatch.objects.select_for_update().get(pk=context.batch.pk)
    if planned is not None:
        catch_up(planned[0], context.known)
    if planned is None or not _still_holds(batch, refs, *planned, context.recent_customers):
        planned = plan_references(context.batch, refs, context.currency, context.known)
    plan, duplicates = planned
    _mark_blocked(plan)
    _save_row_states(duplicates)
    with copies_in_background():
        documents = _write(plan, context)
    ImportBatch.objects.filter(pk=batch.pk).update(
        rows_done=F("rows_done") + sum(len(d.rows) for d in plan.documents) + len(duplicates),
        created_total=F("created_total")
        + sum(
            (d.total_gross if p.prices_include_vat else d.total_net for p, d in documents),
            Decimal("0"),
        ),
    )


def _still_holds(
    batch: ImportBatch, refs: list[str], plan: Plan, duplicates: list, recent: list
) -> bool:
    """Whether a plan made before the batch was locked may be written: its rows are still the
    open rows of its references (no other run took them), it creates no tax or unit, and none
    of the customers it still creates is one the chunk before created (``recent``) under
    another name, which the planning could not see and would have matched by its SIREN, VAT
    number or e-mail."""
    if plan.new_taxes or plan.new_units or _matches_any(plan.new_customers.values(), recent):
        return False
    planned = sum(len(doc.rows) for doc in plan.documents) + len(duplicates)
    open_rows = ImportRow.objects.filter(
        batch=batch, reference__in=refs, state__in=ImportRow.OPEN_STATES
    ).count()
    return open_rows == planned


def _matches_any(headers, customers: list) -> bool:
    if not customers:
        return False
    sirens = {c.siren for c in customers if c.siren}
    vats = {c.vat_id for c in customers if c.vat_id}
    emails = {c.email.lower() for c in customers if c.email}
    return any(
        header.get("siren") in sirens
        or header.get("tva_intracom") in vats
        or (header.get("email") or "").lower() in emails
        for header in headers
    )


class _PlanAhead:
    """Plans the next chunk on a second connection while this one is written or committed.

    A chunk waits on its database: SQLite stores its rows while Python's lock is free, and
    PostgreSQL's commit checks the foreign keys of the rows written, a tenth of a second per
    thousand documents. Planning the next chunk (reading its rows, matching customers and
    items) fills those waits: on SQLite while the chunk is written, on PostgreSQL while it
    commits (planning during its COPYs would hold Python's lock when the writing needs it).

    Planning reads what was committed and what the run knew when it started (a copy of
    ``known``); the plan then catches up with what the run has created since (``catch_up``).
    A plan made with a ``known`` the run has since forgotten (a failed chunk) is dropped, and
    a chunk checks its plan still holds once it has locked the batch (``_still_holds``), else
    plans again.
    """

    def __init__(self, context: _Context):
        self.context = context
        self.while_writing = connection.vendor == "sqlite"
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-planning")
        self.pending = None

    @staticmethod
    def possible() -> bool:
        """Outside a caller's transaction (which a second connection would not see into), on
        a database a second connection may read while the first writes (not SQLite's memory
        databases)."""
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            return False
        return not connection.in_atomic_block

    def start(self, refs: list[str]) -> None:
        context, known, language = self.context, self.context.known, translation.get_language()
        then = Known(dict(known.customers), dict(known.items))  # the run goes on adding to it

        def plan():
            with translation.override(language):
                return plan_references(context.batch, refs, context.currency, then)

        self.pending = (refs, known, self.pool.submit(plan))

    def take(self, refs: list[str]):
        """The plan made ahead for these references, if it was made with what the run knows
        now; None otherwise (the chunk plans itself, and meets any error there)."""
        if self.pending is None:
            return None
        planned_refs, known, future = self.pending
        self.pending = None
        try:
            planned = future.result()
        except Exception:
            return None
        return planned if planned_refs is refs and known is self.context.known else None

    def close(self) -> None:
        if self.pending:
            self.pending[2].exception()  # let it end before its connection closes
        self.pool.submit(connections.close_all).result()
        self.pool.shutdown()


# The report -------------------------------------------------------------------------------------


def batch_report(batch: ImportBatch, context: _Context | None = None) -> Report:
    batch.refresh_from_db()
    states = dict(
        ImportRow.objects.filter(batch=batch)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
    )
    links = PartnerDocument.objects.filter(batch=batch).count()
    duplicate_docs = (
        ImportRow.objects.filter(batch=batch, state=ImportRow.State.DUPLICATE)
        .order_by()
        .values("reference")
        .distinct()
        .count()
    )
    return Report(
        rows=sum(states.values()),
        created_rows=states.get(ImportRow.State.CREATED, 0),
        duplicate_rows=states.get(ImportRow.State.DUPLICATE, 0),
        failed_rows=sum(states.get(s, 0) for s in ImportRow.OPEN_STATES),
        documents_created=links,
        duplicate_documents=duplicate_docs,
        customers_created=context.customers_created if context else 0,
        items_created=context.items_created if context else 0,
        file_total=batch.file_total,
        created_total=batch.created_total,
    )
