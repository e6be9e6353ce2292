"""Backups: one file (a tar archive) holding a manifest, the database dump and the media files.

``manifest.json`` says which Comptoir made it, on which database, which migrations were applied
and how many documents the dump holds; ``database.sqlite3`` (SQLite's online backup) or
``database.dump`` (``pg_dump -Fc``) is a consistent snapshot taken while the application runs;
``media/`` holds the files kept beside the database (raw import files, stored PDFs and XML).
The database is copied first, then the files: a file written meanwhile may be in the archive
without a row pointing to it, never the reverse (files are never deleted once referred to).
"""

import glob
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.errors import BusinessError
from comptoir.core.journal import Break, verify_chain

FORMAT = 1
MANIFEST = "manifest.json"
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
MEDIA = "media"
# What the counts say, by model (the restore prints them, the manifest keeps them at the dump).
COUNTED = {
    "customers": "parties.Customer",
    "items": "catalog.Item",
    "quotations": "sales.Quotation",
    "orders": "sales.SalesOrder",
    "deliveries": "stock.DeliveryNote",
    "invoices": "billing.Invoice",
    "payments": "payments.Payment",
    "journal_entries": "core.JournalEntry",
}
# Rows that say a database is in use (reference rows loaded by migrations do not).
IN_USE = ["auth.User", *COUNTED.values()]


class BackupError(BusinessError):
    UNREADABLE = "backup.unreadable"
    NEWER = "backup.newer_version"
    OTHER_DATABASE = "backup.other_database"
    NOT_EMPTY = "backup.database_not_empty"
    TOOL_MISSING = "backup.tool_missing"
    TOOL_FAILED = "backup.tool_failed"
    NO_DIRECTORY = "backup.no_directory"


@dataclass
class Restored:
    manifest: dict
    counts: dict
    migrated: list[str]
    journal_break: Break | None
    safety_copy: Path | None = None
    seconds: float = 0.0
    media_files: int = 0


def version() -> str:
    try:
        return metadata.version("comptoir")
    except metadata.PackageNotFoundError:
        return "unknown"


# Backup -------------------------------------------------------------------------------------------


def create_backup(path: Path, *, using: str = "default") -> dict:
    """Write the backup to ``path`` (through a temporary name: a failed backup leaves no file
    there) and return its manifest. Safe while the application runs."""
    path = Path(path)
    if not path.parent.is_dir():
        raise BackupError(
            BackupError.NO_DIRECTORY,
            _("The folder %(folder)s does not exist.") % {"folder": path.parent},
        )
    connection = connections[using]
    vendor = connection.vendor
    with tempfile.TemporaryDirectory(prefix=".comptoir-backup-", dir=path.parent) as work:
        dump = Path(work) / DUMPS[vendor]
        dumper = _dump_sqlite if vendor == "sqlite" else _dump_postgresql
        migrations, counts = dumper(connection, dump)
        manifest = {
            "format": FORMAT,
            "comptoir_version": version(),
            "database": vendor,
            "created_at": timezone.now().isoformat(),
            "migrations": migrations,
            "counts": counts,
        }
        partial = Path(work) / "backup.tar.gz"
        with tarfile.open(partial, "w:gz", compresslevel=1) as tar:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(data), int(time.time())
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, DUMPS[vendor])
            media = Path(settings.MEDIA_ROOT)
            if media.is_dir():
                tar.add(media, MEDIA)
        os.replace(partial, path)
    return manifest


def _snapshot_facts(cursor) -> tuple[dict, dict]:
    """The migrations applied and the counts, read inside the dump's snapshot."""
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    migrations: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        migrations.setdefault(app, []).append(name)
    counts = {}
    for label, model in COUNTED.items():
        cursor.execute(f'SELECT COUNT(*) FROM "{apps.get_model(model)._meta.db_table}"')
        counts[label] = cursor.fetchone()[0]
    return migrations, counts


def _dump_sqlite(connection, dump: Path) -> tuple[dict, dict]:
    connection.ensure_connection()
    target = sqlite3.connect(dump)
    try:
        # One step: the whole copy is read in one read transaction, a consistent snapshot;
        # in WAL mode writers go on meanwhile.
        connection.connection.backup(target)
        return _snapshot_facts(target.cursor())
    finally:
        target.close()


def _dump_postgresql(connection, dump: Path) -> tuple[dict, dict]:
    # A second connection holds a repeatable-read snapshot: the counts are read in it and
    # pg_dump dumps exactly it (--snapshot).
    snapshot = connection.get_new_connection(connection.get_connection_params())
    try:
        snapshot.autocommit = False
        with snapshot.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            name = cursor.fetchone()[0]
            facts = _snapshot_facts(cursor)
            _run(
                pg_tool("pg_dump"),
                ["--format=custom", f"--snapshot={name}", f"--file={dump}"],
                connection,
            )
        snapshot.rollback()
        return facts
    finally:
        snapshot.close()


def pg_tool(name: str) -> str:
    """The PostgreSQL client tool ``name``: on PATH, else the newest under /usr/lib/postgresql."""
    found = shutil.which(name)
    if found:
        return found

    def major(candidate: str) -> int:
        part = Path(candidate).parts[-3]
        return int(part) if part.isdigit() else 0

    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=major)
    if candidates:
        return candidates[-1]
    raise BackupError(
        BackupError.TOOL_MISSING,
        _(
            "%(tool)s was not found: install the PostgreSQL client tools "
            "(the postgresql-client package) or put them on the PATH."
        )
        % {"tool": name},
    )


def _run(tool: str, arguments: list[str], connection) -> None:
    params = connection.settings_dict
    env = dict(os.environ)
    env.update(
        {
            key: str(value)
            for key, value in {
                "PGHOST": params.get("HOST"),
                "PGPORT": params.get("PORT"),
                "PGUSER": params.get("USER"),
                "PGPASSWORD": params.get("PASSWORD"),
                "PGDATABASE": params.get("NAME"),
                "PGSSLMODE": params.get("OPTIONS", {}).get("sslmode"),
            }.items()
            if value
        }
    )
    done = subprocess.run([tool, *arguments], env=env, capture_output=True, text=True)
    if done.returncode:
        raise BackupError(
            BackupError.TOOL_FAILED,
            _("%(tool)s failed: %(error)s")
            % {"tool": Path(tool).name, "error": done.stderr.strip()[-2000:]},
        )


# Backups in a folder (the scheduled ones) -------------------------------------------------------

PREFIX, SUFFIX = "comptoir-", ".tar.gz"


def backup_to_directory(directory: Path, keep: int) -> tuple[Path, dict]:
    """A dated backup in ``directory``; only the ``keep`` newest dated backups are kept."""
    path, manifest = _dated_backup(directory, PREFIX)
    dated = sorted(directory.glob(f"{PREFIX}*{SUFFIX}"))
    for old in dated[: max(len(dated) - max(keep, 1), 0)]:
        old.unlink()
    return path, manifest


def _dated_backup(directory: Path, prefix: str) -> tuple[Path, dict]:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{prefix}{timezone.localtime().strftime('%Y%m%d-%H%M%S')}{SUFFIX}"
    return path, create_backup(path)


# Restore ------------------------------------------------------------------------------------------


def read_manifest(path: Path) -> dict:
    unreadable = BackupError(
        BackupError.UNREADABLE,
        _("%(file)s is not a Comptoir backup.") % {"file": path},
    )
    path = Path(path)
    if not path.is_file():
        raise BackupError(BackupError.UNREADABLE, _("%(file)s: no such file.") % {"file": path})
    try:
        with tarfile.open(path, "r:*") as tar:
            member = tar.extractfile(MANIFEST)
            manifest = json.loads(member.read()) if member else None
    except (tarfile.TarError, KeyError, OSError, ValueError, EOFError):
        raise unreadable from None
    if (
        not isinstance(manifest, dict)
        or manifest.get("database") not in DUMPS
        or not isinstance(manifest.get("migrations"), dict)
    ):
        raise unreadable
    return manifest


def unknown_migrations(manifest: dict) -> list[str]:
    """Migrations the backup's database had that this code does not know (a newer Comptoir)."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [
        f"{app}.{name}"
        for app, names in manifest["migrations"].items()
        for name in names
        if (app, name) not in known
    ]


def holds_data(using: str = "default") -> bool:
    tables = set(connections[using].introspection.table_names())
    return any(
        apps.get_model(label).objects.using(using).exists()
        for label in IN_USE
        if apps.get_model(label)._meta.db_table in tables
    )


def current_counts(using: str = "default") -> dict:
    return {
        label: apps.get_model(model).objects.using(using).count()
        for label, model in COUNTED.items()
    }


def restore_backup(path: Path, *, force: bool = False, using: str = "default") -> Restored:
    """Replace the database and add the media files from the backup at ``path``, migrate it to
    this code, verify the journal. Refuses a newer backup, another database, and a database
    already holding data unless ``force`` (then the database is first backed up beside)."""
    started = time.monotonic()
    path = Path(path)
    manifest = read_manifest(path)
    connection = connections[using]
    if manifest["database"] != connection.vendor:
        raise BackupError(
            BackupError.OTHER_DATABASE,
            _("This backup is of a %(theirs)s database; this Comptoir uses %(ours)s.")
            % {"theirs": manifest["database"], "ours": connection.vendor},
        )
    unknown = unknown_migrations(manifest)
    if unknown:
        raise BackupError(
            BackupError.NEWER,
            _(
                "This backup comes from a newer Comptoir (%(version)s): this one does not know "
                "%(migrations)s. Update Comptoir, then restore."
            )
            % {"version": manifest.get("comptoir_version", "?"), "migrations": ", ".join(unknown)},
        )
    safety_copy = None
    if holds_data(using):
        if not force:
            raise BackupError(
                BackupError.NOT_EMPTY,
                _(
                    "The database already holds data. Restore into an empty database, or add "
                    "--force to replace it (it is backed up first)."
                ),
            )
        # Kept apart from the dated backups, which are pruned.
        safety_copy, _manifest = _dated_backup(settings.COMPTOIR_BACKUP_DIR, "before-restore-")
    with tempfile.TemporaryDirectory(prefix="comptoir-restore-") as work:
        with tarfile.open(path, "r:*") as tar:
            tar.extract(DUMPS[manifest["database"]], work, filter="data")
            media_files = _extract_media(tar, Path(settings.MEDIA_ROOT))
        dump = Path(work) / DUMPS[manifest["database"]]
        if connection.vendor == "sqlite":
            _load_sqlite(connection, dump)
        else:
            _load_postgresql(connection, dump)
    before = _applied(connection)
    call_command("migrate", database=using, interactive=False, verbosity=0)
    migrated = sorted(_applied(connection) - before)
    from comptoir.billing.sealing import current_contents

    return Restored(
        manifest=manifest,
        counts=current_counts(using),
        migrated=migrated,
        journal_break=verify_chain(current_contents),
        safety_copy=safety_copy,
        seconds=time.monotonic() - started,
        media_files=media_files,
    )


def _applied(connection) -> set[str]:
    from django.db.migrations.recorder import MigrationRecorder

    return {f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()}


def _extract_media(tar: tarfile.TarFile, root: Path) -> int:
    count = 0
    root.mkdir(parents=True, exist_ok=True)
    for member in tar:
        if not member.name.startswith(MEDIA + "/") or not member.isfile():
            continue
        member.name = member.name[len(MEDIA) + 1 :]
        tar.extract(member, root, filter="data")  # the filter keeps every file inside root
        count += 1
    return count


def _load_sqlite(connection, dump: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)  # page by page into the open database, WAL kept
    finally:
        source.close()


def _load_postgresql(connection, dump: Path) -> None:
    # Every table goes first (with its triggers and sequences), so that tables this backup
    # does not have (from later migrations) do not stay behind; migrate makes them again.
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")
    _run(
        pg_tool("pg_restore"),
        [
            "--no-owner",
            "--no-privileges",
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ],
        connection,
    )
