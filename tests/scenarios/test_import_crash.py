"""Killing the processing in the middle, then running it again: no document twice, none
half-made. The processing runs in a real separate process, killed with SIGKILL."""

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.models import Count

from bench.imports import write_file
from comptoir.billing.models import Invoice
from comptoir.core.errors import InvalidTransition
from comptoir.imports.models import ImportBatch, ImportRow, PartnerDocument
from comptoir.imports.services import parse_batch, process_batch, save_partner, upload_file
from comptoir.pricing import reference_data

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return (
        f"postgres://{settings['USER']}{password}@{settings['HOST'] or 'localhost'}"
        f":{settings['PORT'] or 5432}/{settings['NAME']}"
    )


@pytest.mark.django_db(transaction=True)
def test_a_killed_processing_resumes_without_duplicates(tmp_path, settings):
    reference_data.load(django_apps)  # an earlier test of this kind may have flushed them
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "big.csv"
    file = write_file(path, 20_000, random.Random(3))
    partner = save_partner(name="Crash shop")
    with path.open("rb") as stream:
        batch = parse_batch(upload_file(partner, path.name, stream))
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "comptoir.settings",
        "COMPTOIR_VAR_DIR": str(tmp_path),
        "DEBUG": "0",
        "SECRET_KEY": "comptoir-test-key-of-a-separate-process",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "comptoir", "import", "process", str(batch.pk), "--json"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while PartnerDocument.objects.count() == 0:
        assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
        assert time.monotonic() < deadline
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    worker.stderr.close()
    done_before = PartnerDocument.objects.count()
    assert 0 < done_before < file["documents"], "killed too late to prove anything"

    report = _process_once_the_killed_run_is_gone(batch.pk)

    assert report.failed_rows == 0
    assert PartnerDocument.objects.count() == file["documents"]
    assert Invoice.objects.count() == file["documents"]
    assert not Invoice.objects.filter(status=Invoice.Status.DRAFT).exists()
    lines = Counter(dict(Invoice.objects.annotate(n=Count("lines")).values_list("pk", "n")))
    assert set(lines.values()) == {5}  # every invoice whole
    references = Invoice.objects.values_list("customer_reference", flat=True)
    assert len(set(references)) == file["documents"]
    assert set(ImportRow.objects.values_list("state", flat=True)) == {"created"}
    numbers = sorted(
        int(n.rsplit("-", 1)[1]) for n in Invoice.objects.values_list("number", flat=True)
    )
    assert numbers == list(range(1, file["documents"] + 1))  # gapless despite the kill


def _process_once_the_killed_run_is_gone(batch_pk: int):
    """Process the batch again. On PostgreSQL the killed run's lock is its database session's,
    which the server ends when it notices the client is gone: at once when idle, after the
    statement under way otherwise (seconds on a loaded machine). A lock never released fails."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return process_batch(ImportBatch.objects.get(pk=batch_pk))
        except InvalidTransition:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
