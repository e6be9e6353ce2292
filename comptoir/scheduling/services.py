"""Recurring work in the job worker: one pending tick runs the jobs that are due, one run at a
time, then enqueues the next tick for when the next job is due.

A tick carries a token kept in the ``scheduler.tick`` row: a tick whose token is no longer the
row's (a second chain started by ``migrate`` while the first was late) ends without a successor,
so there is only ever one chain. ``migrate`` starts the chain when none is on time (after the
first installation, or if a worker was killed in the middle of a tick).
"""

import logging
import traceback
import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from comptoir.scheduling.models import ScheduledJob
from comptoir.scheduling.registry import JOBS

TICK = "scheduler.tick"
LONGEST_SLEEP = timedelta(hours=1)  # settings read again at least this often
LATE = timedelta(minutes=5)  # a tick this late is taken as lost
ABANDONED = timedelta(hours=6)  # a run started this long ago is taken as killed

logger = logging.getLogger(__name__)


def run_due(now=None) -> list[str]:
    """Run every job that is due and not under way elsewhere; the names of those run."""
    ran = []
    for job in JOBS.values():
        every = job.every()
        if every is None or not _claim(job.name, timezone.now() if now is None else now):
            continue
        error = ""
        try:
            job.function()
        except Exception:
            logger.exception("Scheduled job %s failed", job.name)
            error = traceback.format_exc()[-4000:]
        _release(job.name, every, error)
        ran.append(job.name)
    return ran


def _claim(name: str, now) -> bool:
    with transaction.atomic():
        row, _created = ScheduledJob.objects.select_for_update().get_or_create(
            name=name, defaults={"next_run_at": now}
        )
        if row.next_run_at > now or (row.started_at and now - row.started_at < ABANDONED):
            return False
        row.started_at = now
        row.save(update_fields=["started_at"])
    return True


def _release(name: str, every: timedelta, error: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        row = ScheduledJob.objects.select_for_update().get(name=name)
        row.next_run_at = max(row.started_at + every, now)
        row.started_at, row.finished_at, row.last_error = None, now, error
        row.save()


def next_due(now):
    """When the next tick should run: the soonest job due, within the longest sleep."""
    soonest = now + LONGEST_SLEEP
    rows = dict(ScheduledJob.objects.values_list("name", "next_run_at"))
    for job in JOBS.values():
        if job.every() is not None:
            soonest = min(soonest, rows.get(job.name) or now)
    return max(soonest, now)


def ensure_ticking(*, token: str | None = None, using: str = "default") -> str | None:
    """Keep exactly one tick pending; called by the running tick with its token (it hands
    over), or by ``migrate`` without (it starts a chain unless one is on time). Returns the
    new tick's token, or None when none was enqueued (also when the task backend runs tasks
    at once, as in tests: there is no worker to wait for)."""
    from comptoir.scheduling.tasks import tick

    if not tick.get_backend().supports_defer:
        return None
    now = timezone.now()
    with transaction.atomic(using=using):
        row, _created = (
            ScheduledJob.objects.using(using)
            .select_for_update()
            .get_or_create(name=TICK, defaults={"next_run_at": now})
        )
        if token is None and row.token and row.next_run_at > now - LATE:
            return None  # a chain is on time
        if token is not None and token != row.token:
            return None  # a newer chain took over
        at = next_due(now)
        row.token, row.next_run_at = uuid.uuid4().hex, at
        row.save(update_fields=["token", "next_run_at"])
        tick.using(run_after=at).enqueue(row.token)
    return row.token


def run_soon(name: str) -> str | None:
    """Make a job due now (it was switched on, or what it waits for changed) and wake the
    schedule if its tick sleeps longer: a new chain starts now, the sleeping tick ends without
    a successor. Returns the new tick's token, or None when a tick is due already (or when
    tasks run at once, as in tests)."""
    from comptoir.scheduling.tasks import tick

    now = timezone.now()
    with transaction.atomic():
        updated = ScheduledJob.objects.filter(name=name).update(next_run_at=now)
        if not updated:
            ScheduledJob.objects.get_or_create(name=name, defaults={"next_run_at": now})
    if not tick.get_backend().supports_defer:
        return None
    with transaction.atomic():
        row, _created = ScheduledJob.objects.select_for_update().get_or_create(
            name=TICK, defaults={"next_run_at": now}
        )
        if row.token and now - LATE < row.next_run_at <= now:
            return None  # the pending tick runs now anyway
        row.token, row.next_run_at = uuid.uuid4().hex, now
        row.save(update_fields=["token", "next_run_at"])
        tick.using(run_after=now).enqueue(row.token)
    return row.token
