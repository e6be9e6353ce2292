"""Partners' files: upload (kept verbatim), reading into rows, row corrections, purge."""

import hashlib
from decimal import Decimal

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.core import audit
from comptoir.core.bulk import analyze, collect_young, collector_paused, insert_stream
from comptoir.core.errors import BusinessError
from comptoir.core.jsontext import dumps
from comptoir.core.money import format_quantity
from comptoir.imports.models import (
    ImportBatch,
    ImportPartner,
    ImportRow,
)
from comptoir.imports.parsing import CellReader, FileError, open_table, row_data
from comptoir.imports.planning import (
    line_amount,
)

PARSE_CHUNK = 5000
ANALYZE_AFTER = 10_000  # rows read: enough to change how their queries are best planned


# Upload -----------------------------------------------------------------------------------------


def max_upload_bytes() -> int:
    return settings.COMPTOIR_IMPORT_MAX_BYTES


def _megabytes(size: int) -> str:
    return format_quantity(round(Decimal(size) / 10**6, 1))


def _too_large(size: int) -> BusinessError:
    return BusinessError(
        "import.too_large",
        _("The file is %(size)s MB; files up to %(limit)s MB are accepted.")
        % {"size": _megabytes(size), "limit": _megabytes(max_upload_bytes())},
        "file",
    )


def upload_file(partner: ImportPartner, file_name: str, stream, *, by=None, has_header=None):
    """Store the file as received, with its size and SHA-256; flag a file already received."""
    size = getattr(stream, "size", None)
    if size is not None and size > max_upload_bytes():
        raise _too_large(size)
    digest = hashlib.sha256()
    size = 0
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
        size += len(chunk)
        if size > max_upload_bytes():
            raise _too_large(size)
    if size == 0:
        raise BusinessError("import.empty", _("The file is empty."), "file")
    stream.seek(0)
    sha256 = digest.hexdigest()
    with transaction.atomic():
        batch = ImportBatch(
            partner=partner,
            file_name=file_name[:255],
            size=size,
            sha256=sha256,
            uploaded_by=by,
            has_header=partner.has_header if has_header is None else has_header,
            duplicate_of=ImportBatch.objects.filter(partner=partner, sha256=sha256)
            .order_by("pk")
            .first(),
        )
        batch.file.save(f"{sha256[:16]}-{file_name[-80:]}", File(stream), save=False)
        batch.save()
        changes = {"file": [None, batch.file_name], "size": [None, size], "sha256": [None, sha256]}
        audit.record([batch], audit.UPLOADED, by=by, changes=changes)
        return batch


# Parsing ----------------------------------------------------------------------------------------


def _lock_batch(batch: ImportBatch) -> ImportBatch:
    return ImportBatch.objects.select_for_update().select_related("partner").get(pk=batch.pk)


def parse_batch(batch: ImportBatch) -> ImportBatch:
    """Read the stored file into rows (values, errors); a file that cannot be read is refused
    with its reason, and its rows are not created. Creates no business record."""
    with collector_paused(), transaction.atomic():
        batch = _lock_batch(batch)
        if batch.status != ImportBatch.Status.UPLOADED:
            raise BusinessError(
                "import.already_read", _("This file has already been read."), "status"
            )
        try:
            with transaction.atomic():  # its rows go if the file turns out unreadable
                table, rows = open_table(
                    batch.file.path,
                    batch.file_name,
                    has_header=batch.has_header,
                    mapping=batch.partner.mapping,
                )
                count, file_total = _store_rows(batch, table, rows)
                if count == 0:
                    raise FileError("import.no_rows", _("The file has no rows, only its header."))
        except FileError as error:
            return _refuse_file(batch, error.message)
        except UnicodeDecodeError as error:
            return _refuse_file(
                batch,
                _("The file is not valid %(encoding)s (byte %(position)s).")
                % {"encoding": error.encoding, "position": error.start},
            )
        batch.layout = table.as_dict()
        batch.row_count = count
        batch.file_total = file_total
        batch.status = ImportBatch.Status.PARSED
        batch.save()
        return batch


def _refuse_file(batch: ImportBatch, message: str) -> ImportBatch:
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.REFUSED, error=str(message)
    )
    batch.refresh_from_db()
    return batch


def _read_row(reader: CellReader, raw: list[str], data: dict, errors: list) -> dict:
    values, value_errors = reader.parse(data)
    errors = errors + value_errors
    return {
        "raw": raw,
        "values": values,
        "errors": errors,
        "reference": values.get("reference_partenaire", data.get("reference_partenaire", ""))[:100],
        "state": ImportRow.State.INVALID if errors else ImportRow.State.READY,
    }


ROW_COLUMNS = ["batch", "line", "raw", "data", "values", "errors", "reference", "state"]


def _store_rows(batch, table, rows) -> tuple[int, Decimal]:
    """Insert the rows as they are read, streamed: memory stays flat whatever the file."""
    totals = {"amount": Decimal("0")}
    count = insert_stream(ImportRow, ROW_COLUMNS, _stored_rows(batch, table, rows, totals))
    if count >= ANALYZE_AFTER:
        analyze(ImportRow, ["batch", "line", "reference", "state"])
    return count, totals["amount"]


def _stored_rows(batch, table, rows, totals: dict):
    """Each row as stored (JSON as text); adds the valid rows' amounts to ``totals``."""
    shipping_seen: set[str] = set()
    reader = CellReader()
    total = Decimal("0")
    for count, (line, cells) in enumerate(rows, start=1):
        data, errors = row_data(table, cells)
        row = _read_row(reader, cells, data, errors)
        if not row["errors"]:
            values = row["values"]
            total += line_amount(values)
            if row["reference"] not in shipping_seen:
                shipping_seen.add(row["reference"])
                total += Decimal(values.get("frais_port") or 0)
        yield (
            batch.pk,
            line,
            dumps(cells),
            None,  # the texts are read from the cells until the row is edited
            dumps(row["values"]),
            dumps(row["errors"]) if row["errors"] else "[]",
            row["reference"],
            row["state"],
        )
        if count % PARSE_CHUNK == 0:
            collect_young()
    totals["amount"] = total


def edit_row(row: ImportRow, data: dict) -> ImportRow:
    """Correct a row's values; its checks run again now and again at processing, which plans
    rows ahead: a file's rows are not corrected while it is being processed."""
    with transaction.atomic():
        batch = _lock_batch(row.batch)
        if batch.status == ImportBatch.Status.PROCESSING:
            raise BusinessError(
                "import.processing",
                _("This file is being processed: its lines can be corrected once it is done."),
                "state",
            )
        row = ImportRow.objects.select_for_update().get(pk=row.pk)
        row.batch = batch
        if row.state not in ImportRow.OPEN_STATES:
            raise BusinessError(
                "import.row_done",
                _("Line %(line)s has already been processed.") % {"line": row.line},
                "state",
            )
        merged = {**row.texts, **{k: str(v or "") for k, v in data.items()}}
        fresh = _read_row(CellReader(), row.raw, merged, [])
        row.data = {name: text for name, text in merged.items() if text}
        for name in ("values", "errors", "reference", "state"):
            setattr(row, name, fresh[name])
        row.save()
        return row


def purge_batch(batch: ImportBatch) -> int:
    """Delete the rows not processed (the file itself is kept); returns how many."""
    with transaction.atomic():
        batch = _lock_batch(batch)
        deleted, _detail = ImportRow.objects.filter(
            batch=batch, state__in=ImportRow.OPEN_STATES
        ).delete()
        audit.record([batch], "purged", changes={"rows": [deleted, 0]})
        return deleted
