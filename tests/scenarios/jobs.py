"""Jobs the tests of the worker enqueue (a real worker imports them by their path)."""

from pathlib import Path

from django.db import connection
from django_tasks import task


@task()
def hold(marker: str, seconds: float) -> str:
    """The first time, hold a database connection busy (a long query); then end at once."""
    if Path(marker).exists():
        return "again"
    Path(marker).touch()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(%s)", [seconds])
    return "slept"


@task()
def done() -> str:
    return "done"
