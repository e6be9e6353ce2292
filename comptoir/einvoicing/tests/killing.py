"""A job worker killed with SIGKILL while the platform takes what it sends: a real process on
the test database, killed once every file is on its way (its SHA-256 recorded) and before the
platform, slowed by a fault with a delay, answered."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings

from comptoir.einvoicing import services
from comptoir.einvoicing.models import Submission
from tests.processes import ROOT, database_url

_SETUP = "import django, sys; django.setup(); "
SEND = _SETUP + "from comptoir.einvoicing.services import send_submission; "
SEND += "[send_submission(int(pk)) for pk in sys.argv[1:]]"
SEND_MANY = _SETUP + "from comptoir.einvoicing.services import send_many; "
SEND_MANY += "send_many([int(pk) for pk in sys.argv[1:]])"


def kill_while_sending(script: str, submissions: list[Submission]) -> None:
    """Run ``script`` on the submissions in a worker process, SIGKILL it mid-request, then wait
    for the platform to finish taking the files sent (a minute at most: a loaded machine)."""
    pks = [submission.pk for submission in submissions]
    worker = subprocess.Popen(
        [sys.executable, "-c", script, *map(str, pks)],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "comptoir.settings",
            "DATABASE_URL": database_url(),
            "COMPTOIR_PLATFORM_KEY": str(settings.COMPTOIR_PLATFORM_KEY),
        },
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while Submission.objects.filter(pk__in=pks, sha256="").exists():  # files on their way
        assert worker.poll() is None, "the worker ended before sending"
        assert time.monotonic() < deadline
        time.sleep(0.1)
    time.sleep(0.5)
    worker.send_signal(signal.SIGKILL)
    worker.wait(10)
    platform, deadline = services.client(), time.monotonic() + 60
    for submission in submissions:
        while not platform.search({"trackingId": submission.tracking_id}):
            assert time.monotonic() < deadline, "the platform never took the file sent"
            time.sleep(0.2)
