"""A worker process killed (SIGKILL) while the platform is taking its submission: sent again,
the invoice is one flow on the platform, not two."""

import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from comptoir.billing.services import create_invoice, issue_invoice
from comptoir.einvoicing import services
from comptoir.einvoicing.models import PlatformConnection, Submission
from comptoir.einvoicing.tests.conftest import control, french_business
from comptoir.pricing.engine import LineSpec

pytestmark = pytest.mark.django_db(transaction=True)

SEND = "import django, sys; django.setup(); "
SEND += (
    "from comptoir.einvoicing.services import send_submission; send_submission(int(sys.argv[1]))"
)


def database_url() -> str:
    """The test database, as another process reaches it."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def test_kill_9_between_sending_and_recording_makes_one_flow(connected, chair, pasim):
    # UBL is made from the database alone: the worker process needs no stored files.
    services.save_connection(enabled=False, syntax=PlatformConnection.Syntax.UBL)
    invoice = issue_invoice(create_invoice(french_business(), [LineSpec(chair, Decimal("3"))]))
    services.save_connection(enabled=True)
    submission = Submission.objects.create(
        invoice=invoice, channel="B2B", syntax="UBL", state=Submission.State.TO_SEND
    )
    control(pasim, "faults", path="/flow-service/v1/flows", delay=3)
    worker = subprocess.Popen(
        [sys.executable, "-c", SEND, str(submission.pk)],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "comptoir.settings",
            "DATABASE_URL": database_url(),
            "COMPTOIR_PLATFORM_KEY": str(settings.COMPTOIR_PLATFORM_KEY),
        },
        cwd=Path(__file__).resolve().parents[3],
    )
    deadline = time.monotonic() + 30
    while Submission.objects.get(pk=submission.pk).sha256 == "":  # the file is on its way
        assert worker.poll() is None, "the worker ended before sending"
        assert time.monotonic() < deadline
        time.sleep(0.1)
    time.sleep(0.5)
    worker.send_signal(signal.SIGKILL)
    worker.wait(10)
    time.sleep(3)  # the platform finishes taking the file sent
    killed = Submission.objects.get(pk=submission.pk)
    assert killed.state == Submission.State.TO_SEND and killed.attempts == 1
    platform = services.client()
    assert len(platform.search({"trackingId": killed.tracking_id})) == 1

    sent = services.send_submission(submission.pk)
    assert sent.state == Submission.State.SENT and sent.attempts == 2
    [flow] = platform.search({"trackingId": killed.tracking_id})
    assert flow["flowId"] == sent.flow_id
