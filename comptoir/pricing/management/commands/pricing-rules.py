"""`comptoir pricing-rules export|import FILE`: the pricing rules as a spreadsheet, and back."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from comptoir.core.errors import BusinessError
from comptoir.pricing import rule_files


def fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = (
        "Export the pricing rules to FILE (.csv or .xlsx; - for CSV on standard output), or "
        "import FILE: a rule created, or changed when its code exists, per row."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "import"])
        parser.add_argument("file")

    def handle(self, *args, action, file, **options):
        if action == "export":
            self._export(file)
        else:
            self._import(file)

    def _export(self, file: str) -> None:
        kind = "xlsx" if file.lower().endswith(".xlsx") else "csv"
        content = rule_files.export_file(kind)
        if file == "-":
            sys.stdout.buffer.write(content)
            return
        try:
            Path(file).write_bytes(content)
        except OSError as error:
            raise fail(
                _("Cannot write %(file)s: %(error)s") % {"file": file, "error": error}
            ) from None
        self.stdout.write(file)

    def _import(self, file: str) -> None:
        try:
            data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as error:
            raise fail(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}
            ) from None
        try:
            result = rule_files.import_rules(data, file)
        except BusinessError as error:
            raise fail(error.message) from None
        for row in result.refused:
            for message in row.messages:
                self.stderr.write(message)
        self.stdout.write(result.summary())
        if result.refused:
            raise fail(_("Some rows were refused: they are listed above."))
