import datetime

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from comptoir.closings import services, signing
from comptoir.closings.models import Closing
from comptoir.core.schemas import ERRORS, ErrorOut, Id, PriceOut

router = Router(tags=["closings"])


class ClosingIn(Schema):
    period: Closing.Period
    date: datetime.date | None = None


class ClosingOut(Schema):
    id: int
    period: str
    start: datetime.date
    end: datetime.date
    position: int
    head_sha256: str
    count: int
    total_net: PriceOut
    total_vat: PriceOut
    total_gross: PriceOut
    grand_count: int
    grand_net: PriceOut
    grand_vat: PriceOut
    grand_gross: PriceOut
    key_fingerprint: str

    @staticmethod
    def resolve_key_fingerprint(closing: Closing) -> str:
        return signing.fingerprint(closing.public_key)


@router.get("/closings", response=list[ClosingOut])
def list_closings(request):
    """The closings of the journal, the latest first."""
    return Closing.objects.order_by("-id")


@router.post("/closings", response={201: ClosingOut, **ERRORS})
def close_period(request, payload: ClosingIn):
    """Close the day, month or year that holds `date` (by default the last one over); 400
    `closing.period_not_over`, `closing.already_closed`, `closing.no_key`."""
    from django.utils import timezone

    day = payload.date or services.last_ended(payload.period, timezone.localdate())
    return Status(201, services.close_period(payload.period, day))


@router.get("/closings/{pk}/file", response={200: None, 404: ErrorOut})
def closing_file(request, pk: Id):
    """The signed closing as the JSON file the company keeps (`comptoir journal verify
    --closing FILE` checks it)."""
    return download(get_object_or_404(Closing, pk=pk))


def download(closing: Closing) -> HttpResponse:
    response = HttpResponse(services.export(closing), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{services.file_name(closing)}"'
    return response
