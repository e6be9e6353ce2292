import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from comptoir.core.schemas import ERRORS, ErrorOut, Id, PriceOut
from comptoir.ereporting import services
from comptoir.ereporting.models import Report
from comptoir.ereporting.views import download

router = Router(tags=["e-reporting"])


class EReportIn(Schema):
    kind: Report.Kind
    date: datetime.date | None = None


class EReportOut(Schema):
    id: int
    kind: str
    start: datetime.date
    end: datetime.date
    state: str
    count: int
    amount: PriceOut
    vat: PriceOut
    sha256: str
    prepared_at: datetime.datetime
    sent_at: datetime.datetime | None
    flow_id: str
    progress: str  # draft, ready, to_send, retrying, failed, sent, accepted, rejected
    progress_text: str
    reason: str  # why sending failed or the platform rejected the file, in words
    tracking_id: str

    @staticmethod
    def resolve_progress(report):
        return report.progress[0]

    @staticmethod
    def resolve_progress_text(report):
        return report.progress[1]

    @staticmethod
    def resolve_reason(report):
        return report.progress[2]

    @staticmethod
    def resolve_tracking_id(report):
        return report.submission.tracking_id if report.submission else ""


@router.get("/ereporting/reports", response=list[EReportOut])
def list_reports(request):
    """The e-reporting files, the latest periods first."""
    return Report.objects.defer("content").select_related("submission")


@router.post("/ereporting/reports", response={201: EReportOut, **ERRORS})
def prepare_report(request, payload: EReportIn):
    """Prepare the file of the period of `kind` (transactions or payments) that holds `date`
    (by default the last one over), replacing the file not yet sent of that period; 400
    `ereporting.already_sent`, `ereporting.no_platform`, `ereporting.no_seller_id`."""
    return Status(201, services.prepare_report(payload.kind, payload.date))


@router.post("/ereporting/reports/{pk}/send", response={202: EReportOut, **ERRORS})
def send_report(request, pk: Id):
    """Queue the file for the approved platform: the job worker sends it as a flow (tracking
    id, sha256, retries), the polling then reads whether the platform accepted it (`progress`:
    to_send, sent, accepted, rejected with its `reason`…); 400 `ereporting.already_sent`,
    `ereporting.period_not_over`, `ereporting.rejected`, `platform.not_configured`."""
    report = services.send_report(get_object_or_404(Report, pk=pk))
    return Status(202, Report.objects.select_related("submission").get(pk=report.pk))


@router.get("/ereporting/reports/{pk}/file", response={200: None, 404: ErrorOut})
def report_file(request, pk: Id):
    """The flux 10 XML file of the report."""
    return download(get_object_or_404(Report, pk=pk))
