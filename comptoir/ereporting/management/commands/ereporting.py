"""`comptoir ereporting prepare|send|list`: the e-reporting files (flux 10) of the periods the
company's VAT regime sets, and their sending to the approved platform."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comptoir.core.errors import BusinessError
from comptoir.ereporting import services
from comptoir.ereporting.models import Report
from comptoir.ereporting.periods import read_day


class Command(BaseCommand):
    help = (
        "E-reporting files. prepare: make (or make again, until it is sent) the file of the "
        "sales and of the payments of the period that holds --period (a day, DD/MM/YYYY; by "
        "default the last period over); --kind to make one of them; --output DIR to write the "
        "files there. send: queue the files prepared for that period for the approved platform "
        "(the job worker sends them). list: the files made and where they stand."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["prepare", "send", "list"])
        parser.add_argument("--period", help="a day of the period (DD/MM/YYYY)")
        parser.add_argument("--kind", choices=Report.Kind.values, help="sales or payments only")
        parser.add_argument("--output", type=Path, help="prepare: a folder to write the files")

    def handle(self, *args, action, period, kind, output, **options):
        try:
            if action == "list":
                return self.list()
            day = read_day(period) if period is not None else None
            if action == "send":
                return self.send(kind, day)
            if output is not None and not output.is_dir():
                raise CommandError(f"{output}: not a folder", returncode=2)
            for each in [kind] if kind else Report.Kind.values:
                report = services.prepare_report(each, day)
                self.stdout.write(_line(report))
                if output is not None:
                    target = output / services.file_name(report)
                    target.write_bytes(bytes(report.content))
                    self.stdout.write(f"Written: {target}")
        except BusinessError as error:
            raise CommandError(error.message, returncode=2) from None

    def send(self, kind, day):
        for each in [kind] if kind else Report.Kind.values:
            start = services.period_for(each, day).start
            report = Report.objects.filter(kind=each, start=start).first()
            if report is None:
                raise CommandError(
                    f"No {each} file prepared for the period starting {start:%d/%m/%Y}: "
                    "prepare it first.",
                    returncode=2,
                )
            self.stdout.write(_line(services.send_report(report)))

    def list(self):
        for report in Report.objects.defer("content").select_related("submission"):
            self.stdout.write(_line(report))


def _line(report: Report) -> str:
    code, _words, reason = report.progress
    line = (
        f"{report.kind} {report.start:%d/%m/%Y}–{report.end:%d/%m/%Y}: {code}, "
        f"{report.count} entries, sha256 {report.sha256}"
    )
    if report.submission:
        line += f", tracking id {report.submission.tracking_id}"
    return line + (f" ({reason})" if reason else "")
