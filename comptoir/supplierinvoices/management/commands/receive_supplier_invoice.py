"""comptoir receive_supplier_invoice FILE…: record supplier invoices from their files (Factur-X
PDF, CII or UBL), as the upload page and the API do. One line per file on stdout; a file that
cannot be read is said on stderr and the command ends with exit code 2 (the others are
recorded)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from comptoir.core.errors import BusinessError
from comptoir.supplierinvoices.forms import MAX_UPLOAD
from comptoir.supplierinvoices.services import receive_supplier_invoice


class Command(BaseCommand):
    help = "Receive supplier invoices from files (Factur-X PDF, CII or UBL XML)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)

    def handle(self, *args, files, **options):
        failed = 0
        for path in files:
            try:
                content = _read(path)
                reception = receive_supplier_invoice(content, source="cli", file_name=path.name)
            except (BusinessError, OSError) as error:
                failed += 1
                self.stderr.write(f"{path}: {getattr(error, 'message', None) or error}")
                continue
            invoice = reception.invoice
            said = _("received") if reception.created else _("already received")
            state = invoice.get_status_display()
            if invoice.held_because:
                state = f"{state} — {invoice.get_held_because_display()}"
            self.stdout.write(
                f"{path}: {invoice.number} — {invoice.seller_name} — {said} "
                f"({state}, {invoice.get_match_display()})"
            )
        if failed:
            raise CommandError(
                _("%(count)s file(s) not received.") % {"count": failed}, returncode=2
            )


def _read(path: Path) -> bytes:
    if path.stat().st_size > MAX_UPLOAD:
        raise BusinessError(
            "supplier_invoice.too_large",
            _("The file is too large for an invoice (at most %(limit)s MB).")
            % {"limit": MAX_UPLOAD // 1_000_000},
        )
    return path.read_bytes()
