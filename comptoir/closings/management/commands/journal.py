"""`comptoir journal verify|close|export|keygen`: the journal of issued documents, its
closings and the company's signing key."""

from datetime import date, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from comptoir.closings import services, signing
from comptoir.closings.models import Closing
from comptoir.core.errors import BusinessError


class Command(BaseCommand):
    help = (
        "The journal of issued invoices and credit notes. verify: check the hash chain, its "
        "counters, the documents and the signed closings (--closing FILE: check an exported "
        "closing against the database). close: close a day, month or year (--period, --date; "
        "by default the last one over). export: write a closing's file. keygen: create the "
        "company's signing key (COMPTOIR_SIGNING_KEY)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "close", "export", "keygen"])
        parser.add_argument("--period", choices=Closing.Period.values, default="day")
        parser.add_argument("--date", type=_day, help="a day of the period (YYYY-MM-DD)")
        parser.add_argument("--closing", type=Path, help="verify: an exported closing's file")
        parser.add_argument(
            "--output", help="export: where to write the file (a folder, or a file's name)"
        )

    def handle(self, *args, action, period, date, closing, output, **options):
        try:
            getattr(self, action)(period, date, closing, output)
        except BusinessError as error:
            raise CommandError(error.message, returncode=2) from None

    def verify(self, period, day, closing, output):
        if closing:
            try:
                content = closing.read_bytes()
            except OSError as error:
                raise CommandError(f"{closing}: {error.strerror}", returncode=2) from None
            result, stated = services.verify_file(content)
            what = f"Closing {stated['period']} {stated['start']}: "
        else:
            result = services.verify_journal()
            what = ""
        problems = ([str(result.broken)] if result.broken else []) + result.problems
        if problems:
            raise CommandError(what + "\n".join(problems), returncode=1)
        keys = ", ".join(sorted(signing.fingerprint(k) for k in result.keys))
        if not closing:
            closings = (
                f"{result.closings} closings, signed with key {keys}"
                if result.closings
                else "no closing yet"
            )
            self.stdout.write(
                f"Journal intact: {result.entries} entries, each document as it was sealed; "
                f"{closings}."
            )
        else:
            self.stdout.write(
                f"{what.removesuffix(': ')} matches the journal ({result.entries} entries), "
                f"signed with key {keys}."
            )
        if signing.own_public_key() is None and result.keys:
            self.stdout.write(
                f"The signing key is not on this machine ({signing.key_path()}): compare the "
                "key above with yours."
            )

    def close(self, period, day, closing, output):
        day = day or services.last_ended(period, timezone.localdate())
        made = services.close_period(period, day)
        self.stdout.write(
            f"Closed {made.period} {made.start} – {made.end}: {made.count} documents, "
            f"{made.total_net} excl. VAT, {made.total_vat} VAT, {made.total_gross} incl. VAT "
            f"(since the start: {made.grand_count}, {made.grand_gross}); journal entry "
            f"{made.position}, signed with key {signing.fingerprint(made.public_key)}."
        )

    def export(self, period, day, closing, output):
        day = day or services.last_ended(period, timezone.localdate())
        made = services.find_closing(period, day)
        content = services.export(made)
        if output is None:
            self.stdout.write(content.decode(), ending="")
            return
        folder = Path(output)
        if output.endswith(("/", "\\")) or folder.is_dir():
            target = folder / services.file_name(made)
        else:
            target = folder
        if not target.parent.is_dir():
            raise CommandError(f"No such folder: {target.parent}", returncode=2)
        target.write_bytes(content)
        self.stdout.write(f"Written: {target}")

    def keygen(self, period, day, closing, output):
        key = signing.create_key()
        self.stdout.write(
            f"Signing key written to {signing.key_path()} (readable by its owner only); its "
            f"public key is {signing.fingerprint(signing.public_text(key))}. Keep a copy of the "
            "file away from this server."
        )


def _day(text: str) -> date:
    import argparse

    for read in (date.fromisoformat, lambda t: datetime.strptime(t, "%d/%m/%Y").date()):
        try:
            return read(text)  # 2026-12-07, or 07/12/2026 as a French user writes it
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"not a date (DD/MM/YYYY or YYYY-MM-DD): {text!r}")
