"""Recurring work, registered by the apps that do it (this app imports none of them).

``register("backup", function, every=interval)``: the job worker calls ``function()`` every
``interval()`` (a timedelta, or None while the job is switched off), one run at a time.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Job:
    name: str
    function: Callable[[], object]
    every: Callable[[], timedelta | None]


JOBS: dict[str, Job] = {}


def register(name: str, function: Callable[[], object], *, every) -> None:
    JOBS[name] = Job(name, function, every)
