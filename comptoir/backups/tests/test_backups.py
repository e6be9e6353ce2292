"""Backups and restores, on the database the suite runs on (SQLite, or PostgreSQL)."""

import io
import json
import os
import subprocess
import sys
import tarfile
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import close_old_connections, connection

from comptoir.backups import services as backups
from comptoir.billing import services as billing
from comptoir.billing.models import Invoice
from comptoir.core.models import JournalEntry
from comptoir.idempotency.models import IdempotentRequest
from comptoir.pricing.engine import LineSpec
from tests.factories import CustomerFactory, ItemFactory

WRITERS = 4


@pytest.fixture
def folders(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.COMPTOIR_BACKUP_DIR = tmp_path / "backups"
    raw = settings.MEDIA_ROOT / "imports" / "2026" / "12" / "ventes.csv"
    raw.parent.mkdir(parents=True)
    raw.write_bytes("N°;Client;Montant\n1;Café Dupont;12,50\n".encode("cp1252"))
    return tmp_path


def archive(path: Path, manifest: dict, members: dict | None = None) -> Path:
    """A backup file written by hand (a manifest and the given members)."""
    with tarfile.open(path, "w:gz") as tar:
        for name, data in {
            backups.MANIFEST: json.dumps(manifest).encode(),
            **(members or {}),
        }.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def rewrite_manifest(path: Path, change) -> Path:
    """The same backup with its manifest changed by ``change(manifest)``."""
    with tarfile.open(path) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}
    manifest = json.loads(members.pop(backups.MANIFEST))
    change(manifest)
    target = path.with_name("changed-" + path.name)
    return archive(target, manifest, members)


def current_manifest() -> dict:
    from django.db.migrations.recorder import MigrationRecorder

    migrations = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        migrations.setdefault(app, []).append(name)
    return {"format": 1, "database": connection.vendor, "migrations": migrations}


@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_while_four_clients_issue_invoices_restores_that_moment(
    company, user, folders, capsys
):
    customer, item = CustomerFactory(), ItemFactory()
    stop, errors = threading.Event(), []
    issued = [0] * WRITERS

    def write(n):
        try:
            while not stop.is_set():
                draft = billing.create_invoice(customer, [LineSpec(item, Decimal(n + 1))])
                billing.issue_invoice(draft)
                issued[n] += 1
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    writers = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for writer in writers:
        writer.start()
    while min(issued) < 3 and not errors:
        time.sleep(0.05)
    before = sum(issued)
    started = time.monotonic()
    path = folders / "backups-while-writing.tar.gz"
    manifest = backups.create_backup(path)
    backup_seconds = time.monotonic() - started
    moment = sum(issued)
    while sum(issued) <= moment + 3 * WRITERS and not errors:  # and the clients go on writing
        time.sleep(0.05)
    stop.set()
    for writer in writers:
        writer.join()
    close_old_connections()
    assert errors == []
    counts = manifest["counts"]
    total = Invoice.objects.count()
    # A client's draft may be in the snapshot without its issuing, and its count comes after
    # its commit: the snapshot is between what was counted before and after it.
    assert before <= counts["journal_entries"] <= counts["invoices"] <= moment + 2 * WRITERS
    assert counts["invoices"] - counts["journal_entries"] <= WRITERS
    assert moment + 2 * WRITERS < total

    call_command("flush", interactive=False, verbosity=0)  # an empty database
    (folders / "media" / "imports" / "2026" / "12" / "ventes.csv").unlink()
    restored = backups.restore_backup(path)

    assert restored.journal_break is None
    assert restored.counts == counts
    assert Invoice.objects.count() == counts["invoices"]
    issued = Invoice.objects.filter(status=Invoice.Status.ISSUED).count()
    assert issued == JournalEntry.objects.count() == counts["journal_entries"]
    assert restored.migrated == []
    raw = folders / "media" / "imports" / "2026" / "12" / "ventes.csv"
    assert raw.read_bytes() == "N°;Client;Montant\n1;Café Dupont;12,50\n".encode("cp1252")
    with capsys.disabled():
        print(
            f"\n[{connection.vendor}] backup while {WRITERS} clients issued invoices: "
            f"{counts['invoices']} invoices in the backup ({before} before it began, "
            f"{total} at the end), {path.stat().st_size / 1e6:.2f} MB in {backup_seconds:.2f} s; "
            f"restored in {restored.seconds:.2f} s, journal intact"
        )


@pytest.mark.django_db(transaction=True)
def test_an_older_backup_is_migrated_and_a_database_in_use_is_replaced_only_when_forced(
    company, user, folders, settings
):
    call_command("migrate", "idempotency", "zero", verbosity=0)  # as an older Comptoir had it
    path = folders / "older.tar.gz"
    manifest = backups.create_backup(path)
    call_command("migrate", verbosity=0)
    assert "idempotency" not in manifest["migrations"]
    customer, item = CustomerFactory(), ItemFactory()
    billing.create_invoice(customer, [LineSpec(item, Decimal("1"))])

    with pytest.raises(backups.BackupError) as refused:
        backups.restore_backup(path)
    assert refused.value.code == "backup.database_not_empty"
    assert Invoice.objects.count() == 1

    restored = backups.restore_backup(path, force=True)
    assert restored.migrated == ["idempotency.0001_initial"]
    assert IdempotentRequest.objects.count() == 0  # the table is there
    assert Invoice.objects.count() == 0  # as in the backup
    assert restored.journal_break is None
    saved = backups.read_manifest(restored.safety_copy)  # the replaced database, kept
    assert saved["counts"]["invoices"] == 1
    assert restored.safety_copy.parent == Path(settings.COMPTOIR_BACKUP_DIR)


def test_a_backup_from_a_newer_comptoir_is_refused(db, folders):
    manifest = current_manifest()
    manifest["migrations"]["billing"].append("9999_from_the_future")
    path = archive(folders / "newer.tar.gz", manifest)
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(path))
    assert refused.value.returncode == 2
    assert "billing.9999_from_the_future" in str(refused.value)


def test_a_backup_of_another_database_is_refused(db, folders):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    path = archive(folders / "other.tar.gz", dict(current_manifest(), database=other))
    with pytest.raises(backups.BackupError) as refused:
        backups.restore_backup(path)
    assert refused.value.code == "backup.other_database"


@pytest.mark.parametrize(
    "content",
    [None, b"not a backup", b"\x1f\x8b\x08 truncated gzip"],
    ids=["missing", "text", "broken-gzip"],
)
def test_restore_of_a_file_that_is_not_a_backup_says_so(db, folders, content):
    path = folders / "file.tar.gz"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(path))
    assert refused.value.returncode == 2


def test_restore_of_an_archive_without_manifest_says_so(db, folders):
    path = folders / "plain.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        tar.add(folders / "media", "media")
    with pytest.raises(backups.BackupError) as refused:
        backups.read_manifest(path)
    assert refused.value.code == "backup.unreadable"


def test_the_command_line_says_what_is_wrong_and_exits_2(tmp_path):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="comptoir.settings_test", LANGUAGE="en")
    for arguments in (["restore", str(tmp_path / "nothing.tar.gz")], ["backup", "/no/such/x"]):
        done = subprocess.run(
            [sys.executable, "-m", "comptoir", *arguments], env=env, capture_output=True, text=True
        )
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr
        assert done.stderr.strip()


def test_a_missing_postgresql_tool_is_named():
    with pytest.raises(backups.BackupError) as missing:
        backups.pg_tool("pg_no_such_tool")
    assert missing.value.code == "backup.tool_missing"
    assert "pg_no_such_tool" in missing.value.message


@pytest.mark.postgresql
def test_the_postgresql_tools_are_found():
    assert Path(backups.pg_tool("pg_dump")).name == "pg_dump"
    assert Path(backups.pg_tool("pg_restore")).name == "pg_restore"
