"""Recurring work in the job worker: the scheduled backups, one run at a time, one tick."""

import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comptoir.scheduling import services
from comptoir.scheduling.models import ScheduledJob

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def scheduled(settings, tmp_path):
    settings.TASKS = DATABASE_TASKS  # a real worker, as in production
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.COMPTOIR_BACKUP_DIR = tmp_path / "backups"
    settings.COMPTOIR_BACKUP_EVERY_HOURS = 6
    settings.COMPTOIR_BACKUP_KEEP = 2
    return tmp_path / "backups"


def run_worker():
    call_command("worker", batch=True, interval=0, startup_delay=False, verbosity=0)


def pending_ticks():
    return DBTaskResult.objects.filter(status="READY", task_path__endswith="tasks.tick")


@pytest.mark.django_db(transaction=True)
def test_the_worker_makes_the_scheduled_backups_and_keeps_the_newest(company, scheduled):
    DBTaskResult.objects.all().delete()
    ScheduledJob.objects.all().delete()
    first = services.ensure_ticking()
    assert first is not None
    assert services.ensure_ticking() is None  # a chain is on time: no second one
    assert pending_ticks().count() == 1

    run_worker()
    backups = sorted(scheduled.glob("comptoir-*.tar.gz"))
    assert len(backups) == 1
    job = ScheduledJob.objects.get(name="backup")
    assert job.started_at is None and job.last_error == ""
    assert job.next_run_at - job.finished_at < timedelta(hours=6, seconds=1)
    assert job.next_run_at - timezone.now() > timedelta(hours=5)
    assert pending_ticks().count() == 1  # the tick enqueued its successor, for later
    assert pending_ticks().get().run_after > timezone.now() + timedelta(minutes=50)

    for _ in range(2):  # time passes: the backup is due again, and so is the tick
        time.sleep(1.1)  # backups are named by the second
        ScheduledJob.objects.filter(name="backup").update(next_run_at=timezone.now())
        pending_ticks().update(run_after=timezone.now())
        run_worker()
    kept = sorted(scheduled.glob("comptoir-*.tar.gz"))
    assert len(kept) == 2  # COMPTOIR_BACKUP_KEEP
    assert backups[0] not in kept
    assert pending_ticks().count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_superseded_tick_ends_its_chain(scheduled):
    DBTaskResult.objects.all().delete()
    assert services.ensure_ticking() is not None
    assert services.ensure_ticking(token="an-older-chain") is None
    assert pending_ticks().count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_starting_worker_picks_up_a_schedule_whose_tick_was_lost(scheduled):
    """A worker killed in the middle of a tick leaves no tick pending: the next one that
    starts enqueues one (else the schedule waited for the next migrate)."""
    DBTaskResult.objects.all().delete()
    ScheduledJob.objects.all().delete()
    services.ensure_ticking()
    DBTaskResult.objects.all().delete()  # the tick died with its worker
    ScheduledJob.objects.filter(name=services.TICK).update(
        next_run_at=timezone.now() - timedelta(hours=2)
    )
    run_worker()
    assert pending_ticks().count() == 1


def test_a_job_runs_once_at_a_time(db):
    now = timezone.now()
    assert services._claim("backup", now)
    assert not services._claim("backup", now + timedelta(minutes=1))  # under way
    assert services._claim("backup", now + services.ABANDONED + timedelta(seconds=1))


def test_nothing_is_enqueued_when_tasks_run_at_once(db):
    assert services.ensure_ticking() is None  # the tests' immediate backend: no worker


@pytest.mark.django_db(transaction=True)
def test_a_job_made_due_wakes_a_sleeping_schedule(scheduled):
    DBTaskResult.objects.all().delete()
    ScheduledJob.objects.all().delete()
    sleeping = services.ensure_ticking()
    in_an_hour = timezone.now() + services.LONGEST_SLEEP
    ScheduledJob.objects.filter(name=services.TICK).update(next_run_at=in_an_hour)
    pending_ticks().update(run_after=in_an_hour)

    woken = services.run_soon("backup")
    assert woken and woken != sleeping
    assert ScheduledJob.objects.get(name="backup").next_run_at <= timezone.now()
    assert pending_ticks().filter(run_after__lte=timezone.now()).count() == 1
    assert services.run_soon("backup") is None  # a tick is due now already: no third one
    assert services.ensure_ticking(token=sleeping) is None  # the sleeping tick ends its chain
