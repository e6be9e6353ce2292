"""`comptoir import …`: the template, partners, and files from upload to documents."""

import argparse
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comptoir.core.documents import PrintLayout
from comptoir.core.errors import BusinessError
from comptoir.imports.models import (
    Creates,
    ImportBatch,
    ImportPartner,
    PriceSource,
    Strictness,
    Then,
    WhenUnknown,
)
from comptoir.imports.planning import open_references
from comptoir.imports.profiles import PROFILES
from comptoir.imports.services import (
    batch_report,
    parse_batch,
    process_batch,
    save_partner,
    upload_file,
)
from comptoir.imports.template import template_csv, template_xlsx

PARTNER_OPTIONS = {
    "creates": Creates.values,
    "then": Then.values,
    "strictness": Strictness.values,
    "prices": PriceSource.values,
    "unknown_customer": WhenUnknown.values[:2],
    "unknown_item": WhenUnknown.values[:2],
    "unknown_tax": WhenUnknown.values,
    "unknown_unit": WhenUnknown.values,
    "unknown_payment_method": WhenUnknown.values[1:],
    "print_layout": PrintLayout.values,
}


def fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "Partner imports: template, partners, upload, process, run."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        template = sub.add_parser("template", help="Write the import template (CSV or XLSX).")
        template.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        template.add_argument("-o", "--output", help="File to write (default: standard output).")

        partner = sub.add_parser("partner", help="Import partners.")
        partner_sub = partner.add_subparsers(dest="partner_action", required=True)
        partner_sub.add_parser("list", help="List the partners and their options.")
        for verb in ("add", "set"):
            command = partner_sub.add_parser(verb, help=f"{verb.title()} a partner's options.")
            command.add_argument("name")
            for option, choices in PARTNER_OPTIONS.items():
                command.add_argument("--" + option.replace("_", "-"), choices=choices)
            command.add_argument("--payments", action=argparse.BooleanOptionalAction)
            command.add_argument("--header", action=argparse.BooleanOptionalAction)
            command.add_argument(
                "--profile", choices=sorted(PROFILES), help="Read the partner's own export."
            )

        upload = sub.add_parser("upload", help="Store a partner's file and read its rows.")
        self._file_arguments(upload)

        process = sub.add_parser("process", help="Create the documents of an uploaded file.")
        process.add_argument("batch", type=int)
        process.add_argument("--json", action="store_true")

        run = sub.add_parser("run", help="Upload, read and process a file in one go.")
        self._file_arguments(run)
        run.add_argument("--json", action="store_true")
        run.add_argument(
            "--force", action="store_true", help="Process a file already received before."
        )

    @staticmethod
    def _file_arguments(parser):
        parser.add_argument("partner")
        parser.add_argument("file")
        parser.add_argument(
            "--no-header", action="store_true", help="The first line is data, not column names."
        )

    def handle(self, *args, action, **options):
        try:
            return getattr(self, f"do_{action}")(**options)
        except BusinessError as error:
            raise fail(error.message) from None

    # Template and partners ----------------------------------------------------------------------

    def do_template(self, format, output, **options):
        content = template_xlsx() if format == "xlsx" else template_csv()
        if output:
            Path(output).write_bytes(content)
        else:
            sys.stdout.buffer.write(content)
            sys.stdout.flush()

    def do_partner(self, partner_action, **options):
        if partner_action == "list":
            for partner in ImportPartner.objects.all():
                self.stdout.write(
                    f"{partner.name}\t{partner.creates}\t{partner.then}\t{partner.strictness}"
                )
            return
        name = options["name"]
        existing = ImportPartner.objects.filter(name=name).first()
        if partner_action == "add" and existing:
            raise fail(f"A partner named {name!r} already exists; use `partner set`.")
        if partner_action == "set" and not existing:
            raise fail(f"No partner named {name!r}.")
        fields = {key: options[key] for key in PARTNER_OPTIONS if key != "prices"}
        fields |= {
            "name": name,
            "price_source": options["prices"],
            "record_payments": options["payments"],
            "has_header": options["header"],
        }
        if options["profile"]:
            fields["mapping"] = {
                **(existing.mapping if existing else {}),
                "profile": options["profile"],
            }
        partner = save_partner(existing, **fields)
        self.stdout.write(f"{partner.name}: {partner.creates}, {partner.then}")

    # Files --------------------------------------------------------------------------------------

    def _upload(self, partner, file, no_header, **options) -> ImportBatch:
        found = ImportPartner.objects.filter(name=partner).first()
        if found is None:
            raise fail(f"No import partner named {partner!r} (see `comptoir import partner list`).")
        path = Path(file)
        if not path.is_file():
            raise fail(f"No file at {file}.")
        with path.open("rb") as stream:
            stream.size = path.stat().st_size
            batch = upload_file(found, path.name, stream, has_header=False if no_header else None)
        if batch.duplicate_of_id:
            self.stderr.write(f"This file was already received (import #{batch.duplicate_of_id}).")
        batch = parse_batch(batch)
        if batch.status == ImportBatch.Status.REFUSED:
            raise fail(f"Import #{batch.pk}: {batch.error}")
        return batch

    def do_upload(self, **options):
        batch = self._upload(**options)
        invalid = batch.rows.filter(state="invalid").count()
        self.stdout.write(
            f"Import #{batch.pk}: {batch.row_count} rows read, {invalid} with an anomaly."
        )

    def do_process(self, batch, json, **options):
        found = ImportBatch.objects.filter(pk=batch).first()
        if found is None:
            raise fail(f"No import #{batch}.")
        self._process(found, json)

    def do_run(self, json, force, **options):
        batch = self._upload(**options)
        if batch.duplicate_of_id and not force:
            raise fail("Nothing processed: use --force to process this file again.")
        self._process(batch, json)

    def _process(self, batch: ImportBatch, as_json: bool):
        from rich.progress import Progress

        total = len(open_references(batch))
        with Progress(transient=True, disable=as_json or not sys.stderr.isatty()) as bar:
            task = bar.add_task("Documents", total=total)
            try:
                report = process_batch(batch, progress=lambda n: bar.advance(task, n))
            except BusinessError as error:
                report = batch_report(batch)
                report.messages.append(error.message)
        data = {"batch": batch.pk, **report.as_dict()}
        if as_json:
            self.stdout.write(json.dumps(data, indent=2))
        else:
            for key, value in data.items():
                if key != "messages":
                    self.stdout.write(f"{key.replace('_', ' ')}: {value}")
            for message in report.messages:
                self.stderr.write(message)
        if report.failed_rows or report.messages:
            raise CommandError(
                f"{report.failed_rows} rows were refused; see import #{batch.pk}.", returncode=2
            )
