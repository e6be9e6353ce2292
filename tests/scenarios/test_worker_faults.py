"""The job worker outlives database faults: a connection cut (pg_terminate_backend) while it
waits or while a job runs, and the jobs a dead worker left running. Real processes."""

import signal
import subprocess

import pytest
from django.db import connection
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from comptoir.core.worker import HOST, MAX_ATTEMPTS
from tests.processes import COMPTOIR, ROOT, environment, wait_for

APPLICATION = "comptoir-test-worker"


def job(function: str, *args, status=TaskResultStatus.READY, workers=()) -> DBTaskResult:
    return DBTaskResult.objects.create(
        task_path=f"tests.scenarios.jobs.{function}",
        args_kwargs={"args": list(args), "kwargs": {}},
        backend_name="default",
        queue_name="default",
        run_after=get_date_max(),
        status=status,
        worker_ids=list(workers),
        exception_class_path="",
        traceback="",
    )


def status(result: DBTaskResult) -> str:
    result.refresh_from_db()
    return result.status


def cut(condition: str = "true") -> int:
    """pg_terminate_backend on the worker's connections matching ``condition``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            f" WHERE application_name = %s AND ({condition})",
            [APPLICATION],
        )
        return cursor.rowcount


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_the_worker_reconnects_and_puts_back_the_job_a_lost_connection_cut(tmp_path):
    url = environment(tmp_path)["DATABASE_URL"]
    env = environment(
        tmp_path,
        DATABASE_URL=f"{url}?application_name={APPLICATION}",
        DATABASE_CONN_MAX_AGE="600",  # the worker keeps its connection while it waits
    )
    worker = subprocess.Popen([*COMPTOIR, "worker", "--interval", "0.1"], cwd=ROOT, env=env)
    try:
        wait_for(cut, what="the worker's connection, to cut it while the worker waits")

        last_try = job("hold", str(tmp_path / "a"), 60, workers=["w1", "w2"])
        retried = job("hold", str(tmp_path / "b"), 60)
        sleeping = "state = 'active' AND query LIKE 'SELECT pg_sleep%%'"
        wait_for(lambda: cut(sleeping), what="the first job's query")
        wait_for(lambda: status(last_try) == TaskResultStatus.FAILED, what="the first job")
        wait_for(lambda: cut(sleeping), what="the second job's query")
        wait_for(lambda: status(retried) == TaskResultStatus.SUCCESSFUL, what="the retry")

        assert worker.poll() is None, "the worker is still running"
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
    finally:
        worker.kill()
        worker.wait()

    assert last_try.exception_class_path == "comptoir.core.worker.JobInterrupted"
    assert "the database failed while the job ran" in last_try.traceback
    assert "terminating connection due to administrator command" in last_try.traceback
    assert f"attempt {MAX_ATTEMPTS} of {MAX_ATTEMPTS}" in last_try.traceback
    assert last_try.finished_at is not None
    assert retried.return_value == "again"
    assert len(retried.worker_ids) == 2  # cut once, run again by the same worker


@pytest.mark.django_db(transaction=True)
def test_a_starting_worker_recovers_the_jobs_a_dead_worker_left_running(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    gone = f"{HOST}:{dead.pid}:gone"
    again = job("done", status=TaskResultStatus.RUNNING, workers=[gone])
    given_up = job("done", status=TaskResultStatus.RUNNING, workers=["w1", "w2", gone])
    elsewhere = job("done", status=TaskResultStatus.RUNNING, workers=["another-machine:1:w"])

    subprocess.run(
        [*COMPTOIR, "worker", "--batch", "--no-startup-delay"],
        cwd=ROOT,
        env=environment(tmp_path),
        check=True,
        timeout=120,
    )

    assert status(again) == TaskResultStatus.SUCCESSFUL
    assert status(given_up) == TaskResultStatus.FAILED
    assert f"the worker {gone} stopped while the job ran" in given_up.traceback
    assert status(elsewhere) == TaskResultStatus.RUNNING  # its worker may still be at it
