"""The job worker that outlives database faults (`comptoir worker`).

It is django-tasks-db's worker with three additions:
- a lost database connection (a restarted server, a cut network, pg_terminate_backend) is
  waited out and reconnected, and the worker goes on;
- a job interrupted by a lost connection is put back in the queue, or marked failed with the
  reason once it has been tried ``MAX_ATTEMPTS`` times: never left "running";
- at start, the jobs left running by a worker of this machine that is gone (killed, crashed)
  are recovered the same way. A worker's id names its machine and process for that.

Comptoir's jobs may run again: processing an import resumes where it stopped and never makes
a document twice, making an issued document's files makes the same files.
"""

import logging
import os
import socket
import time

from django.db import DatabaseError, connections, transaction
from django.db.utils import InterfaceError, OperationalError
from django.dispatch import Signal
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("comptoir.worker")

MAX_ATTEMPTS = 3
LOST_CONNECTION = (OperationalError, InterfaceError)
LOST_CONNECTION_PATHS = {f"{e.__module__}.{e.__qualname__}" for e in LOST_CONNECTION}
HOST = socket.gethostname()[:40]


class JobInterrupted(Exception):
    """What a failed job's record names when it was stopped rather than it failing."""


def worker_id() -> str:
    """``host:pid:random``: who ran a job, so that a later worker can tell it is gone."""
    return f"{HOST}:{os.getpid()}:{get_random_string(8)}"


def is_gone(worker: str, me: str) -> bool:
    """Whether ``worker`` ran on this machine in a process that no longer runs it."""
    host, _, rest = worker.partition(":")
    pid = rest.partition(":")[0]
    if worker == me or host != HOST or not pid.isdigit():
        return False  # this worker, another machine's, or one that did not say where it ran
    if int(pid) == os.getpid():
        return True  # an earlier life of this process number (a restarted container)
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return True  # another user's process now has that number
    return False


def release(job_id, reason: str) -> str:
    """Put an interrupted job back in the queue, or fail it with ``reason`` after its last
    attempt. Returns the job's new status."""
    with transaction.atomic():
        job = DBTaskResult.objects.select_for_update().get(pk=job_id)
        if job.status == TaskResultStatus.SUCCESSFUL:
            return job.status
        attempts = len(job.worker_ids)
        job.exception_class_path = f"{JobInterrupted.__module__}.{JobInterrupted.__qualname__}"
        job.traceback = f"JobInterrupted: {reason} (attempt {attempts} of {MAX_ATTEMPTS})"
        if attempts < MAX_ATTEMPTS:
            job.status, job.finished_at = TaskResultStatus.READY, None
        else:
            job.status, job.finished_at = TaskResultStatus.FAILED, timezone.now()
        job.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
    logger.warning("job %s %s: %s", job_id, job.status.lower(), job.traceback)
    return job.status


def recover_abandoned(me: str) -> int:
    """Release the jobs left running by a worker of this machine that is gone."""
    count = 0
    for job_id, workers in DBTaskResult.objects.running().values_list("id", "worker_ids"):
        if workers and is_gone(workers[-1], me):
            release(job_id, f"the worker {workers[-1]} stopped while the job ran")
            count += 1
    return count


# Sent once a worker has recovered what a dead one left, before it takes jobs: the apps above
# core start their recurring work from it (core knows them only through this signal).
worker_started = Signal()


class Worker(db_worker.Worker):
    def run(self) -> None:
        self.retrying(recover_abandoned, self.worker_id)
        self.retrying(lambda: worker_started.send(sender=type(self)))
        while self.running:
            try:
                return super().run()
            except LOST_CONNECTION as error:
                logger.warning("database connection lost (%s); reconnecting", error)
                self.reconnect()

    def run_task(self, job: DBTaskResult) -> None:
        try:
            super().run_task(job)  # records the job's success or failure…
        except DatabaseError as error:  # … unless the database is gone meanwhile
            while error.__context__ is not None:  # what failed first: the job's own error
                error = error.__context__
            self.retrying(release, job.id, f"the database failed while the job ran: {error}")
            return
        if job.status == TaskResultStatus.FAILED and (
            job.exception_class_path in LOST_CONNECTION_PATHS
        ):
            reason = job.traceback.strip().rsplit("\n", 1)[-1]
            self.retrying(release, job.id, f"the database failed while the job ran: {reason}")

    def retrying(self, function, *args):
        """Call ``function`` until the database answers (or the worker is asked to stop)."""
        while self.running:
            try:
                return function(*args)
            except LOST_CONNECTION as error:
                logger.warning("database unreachable (%s); retrying", error)
                self.reconnect()

    def reconnect(self) -> None:
        """Drop the broken connections and wait until the database answers again."""
        delay = 0.1
        while self.running:
            connections.close_all()
            try:
                connections["default"].ensure_connection()
                return
            except LOST_CONNECTION:
                time.sleep(delay)
                delay = min(2 * delay, 5.0)
