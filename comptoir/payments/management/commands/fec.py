"""`comptoir fec YEAR`: the FEC of a fiscal year (SIRENFECyyyymmdd.txt)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comptoir.payments.accounting import fec, fec_file_name, fiscal_year


class Command(BaseCommand):
    help = "Write the FEC (fichier des écritures comptables) of the fiscal year ending in YEAR."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--pipe", action="store_true", help="Separate with | (else tab).")
        parser.add_argument("-d", "--directory", default=".", help="Where to write the file.")

    def handle(self, *args, year, pipe, directory, **options):
        if not 1900 < year < 3000:
            raise CommandError(f"{year} is not a year.", returncode=2)
        start, end = fiscal_year(year)
        path = Path(directory) / fec_file_name(end)
        path.write_text(fec(start, end, "|" if pipe else "\t"), encoding="utf-8")
        self.stdout.write(str(path))
