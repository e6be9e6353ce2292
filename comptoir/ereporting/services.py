"""E-reporting files: prepared for a period, then given to the platform client to send.

``prepare_report(kind, day)`` makes the file of the period that holds ``day`` (the company's
VAT regime sets it), or makes it again: the same period never has two files, and a file sent
is never replaced. ``send_report(report)`` queues it for the job worker, which submits it as
a flow like an invoice (``file_to_send(report)`` is its file; ``mark_sent(report, flow_id)``
records that the platform took it); the platform's checks then accept or reject it. A file
rejected may be prepared and sent again.
"""

import datetime as dt
import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.errors import BusinessError
from comptoir.core.models import Company
from comptoir.core.money import ZERO
from comptoir.einvoicing.errors import EinvoicingError, PlatformError
from comptoir.einvoicing.models import Submission
from comptoir.einvoicing.services import queue_file
from comptoir.ereporting import data, flux10
from comptoir.ereporting.errors import EreportingError
from comptoir.ereporting.models import Report
from comptoir.ereporting.periods import PAYMENTS, TRANSACTIONS, Period, last_ended, period_of


def declarant(company: Company) -> flux10.Declarant:
    """The company as the file names it; refused while what the rules need is missing."""
    if len(company.siren) != 9 or not company.vat_id:
        raise BusinessError(
            EreportingError.NO_SELLER_ID,
            _("Enter the company's SIREN and VAT number in the company settings first."),
            "siren" if len(company.siren) != 9 else "vat_id",
        )
    if len(company.platform_id) != 4:
        raise BusinessError(
            EreportingError.NO_PLATFORM,
            _(
                "Enter the 4-character number of your approved platform in the company "
                "settings first."
            ),
            "platform_id",
        )
    return flux10.Declarant(
        siren=company.siren,
        name=company.legal_name,
        vat_id=company.vat_id,
        country=company.country,
        platform_id=company.platform_id,
    )


def period_for(kind: str, day: dt.date | None = None) -> Period:
    """The period of ``kind`` that holds ``day``; by default the last one that is over."""
    if kind not in (TRANSACTIONS, PAYMENTS):
        raise BusinessError(EreportingError.BAD_PERIOD, _("Choose sales or payments."), "kind")
    regime = Company.get().vat_regime
    if day is None:
        return last_ended(kind, timezone.localdate(), regime)
    return period_of(kind, day, regime)


def prepare_report(kind: str, day: dt.date | None = None) -> Report:
    """Make the e-reporting file of the period of ``kind`` that holds ``day``, replacing the
    file not yet sent of the same period. A draft while the period is not over."""
    with transaction.atomic():
        # One preparation at a time: the company's row serialises them.
        company = Company.objects.select_for_update().get(pk=Company.get().pk)
        who = declarant(company)
        period = period_for(kind, day)
        report = Report.objects.select_for_update().filter(
            kind=kind, start=period.start
        ).first() or Report(kind=kind, start=period.start)
        if report.rejected:  # the platform never took it: made again, sent again
            report.submission = None
            report.state, report.sent_at, report.flow_id = Report.State.READY, None, ""
        if report.state == Report.State.SENT:
            raise BusinessError(
                EreportingError.ALREADY_SENT,
                _("The file of this period was sent on %(day)s: it cannot be made again.")
                % {"day": timezone.localtime(report.sent_at).strftime("%d/%m/%Y")},
                "period",
            )
        if report.submission_id:
            raise BusinessError(
                EreportingError.BEING_SENT,
                _("The file of this period is being sent: it cannot be made again."),
                "period",
            )
        now = timezone.now()
        if kind == TRANSACTIONS:
            sales = data.transactions(period.start, period.end)
            content = flux10.write_report(who, period, transactions=sales, issued_at=now)
            report.count = sum(d.count for d in sales.days) + len(sales.invoices)
            report.amount = sum((d.taxable for d in sales.days), ZERO) + sum(
                (i.taxable * _sign(i) for i in sales.invoices), ZERO
            )
            report.vat = sum((d.tax for d in sales.days), ZERO) + sum(
                (i.tax * _sign(i) for i in sales.invoices), ZERO
            )
        else:
            received = data.payments(period.start, period.end)
            content = flux10.write_report(who, period, payments=received, issued_at=now)
            report.count = len(received)
            report.amount = sum((a for r in received for _rate, a in r.amounts), ZERO)
            report.vat = ZERO
        errors = flux10.xsd_errors(content)
        if errors:  # a fault of Comptoir's, never of the user's: said plainly, nothing kept
            raise BusinessError(
                "ereporting.invalid_file",
                _("The e-reporting file does not follow the flux 10 schema: %(error)s")
                % {"error": errors[0]},
            )
        over = period.end < timezone.localdate()
        report.end = period.end
        report.state = Report.State.READY if over else Report.State.DRAFT
        report.content = content
        report.sha256 = hashlib.sha256(content).hexdigest()
        report.prepared_at = now
        report.save()
        return report


def _sign(sale: data.InvoiceSale) -> int:
    return -1 if sale.type_code == "381" else 1


def file_to_send(report: Report) -> tuple[str, bytes, str]:
    """The file the platform client submits for this report: its name, content and SHA-256.
    Only a file whose period is over; never a file that changed since it was prepared."""
    report = Report.objects.get(pk=report.pk)
    if report.state == Report.State.DRAFT:
        raise BusinessError(
            EreportingError.NOT_OVER,
            _("The period is not over yet: prepare its file again once it is."),
            "state",
        )
    content = bytes(report.content)
    if hashlib.sha256(content).hexdigest() != report.sha256:
        raise BusinessError(
            "ereporting.file_changed",
            _("The stored file no longer matches its fingerprint: prepare it again."),
        )
    return file_name(report), content, report.sha256


def mark_sent(report: Report, flow_id: str) -> Report:
    """The platform took the file as the flow ``flow_id``: it is never made again."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.state != Report.State.SENT:
            report.state = Report.State.SENT
            report.sent_at = timezone.now()
            report.flow_id = flow_id[:36]
            report.save(update_fields=["state", "sent_at", "flow_id"])
        return report


def send_report(report: Report) -> Report:
    """Queue the file for the platform: the job worker sends it (tracking id, sha256, retries
    with backoff, never twice), then the polling reads whether the platform accepted it."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.submission_id and not report.rejected:
            raise BusinessError(
                EreportingError.ALREADY_SENT,
                _("This file is already sent or being sent."),
                "state",
            )
        if report.rejected:
            raise BusinessError(
                EreportingError.REJECTED,
                _("The platform rejected this file: prepare it again, then send it."),
                "state",
            )
        file_to_send(report)  # a period over, a file unchanged
        report.submission = queue_file(FLOW_SYNTAX)
        report.save(update_fields=["submission"])
        return report


FLOW_SYNTAX = "FRR"  # the Flow Service's syntax of e-reporting files


def submitted_file(submission: Submission) -> tuple[bytes, str]:
    """What e-invoicing sends for a report's submission (registered in apps.py)."""
    try:
        name, content, _sha256 = file_to_send(Report.objects.get(submission=submission))
    except BusinessError as error:  # recorded on the submission, never tried again
        raise PlatformError(EinvoicingError.FILE_CHANGED, error.message, retryable=False) from None
    return content, name


def submission_sent(submission: Submission) -> None:
    """The platform took a report's submission (in the transaction that records it)."""
    mark_sent(Report.objects.get(submission=submission), submission.flow_id)


def file_name(report: Report) -> str:
    kind = "paiements" if report.kind == PAYMENTS else "ventes"
    return f"e-reporting-{kind}-{report.start:%Y%m%d}-{report.end:%Y%m%d}.xml"
