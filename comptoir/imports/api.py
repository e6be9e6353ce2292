from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from comptoir.core.models import Company
from comptoir.core.schemas import ERRORS, ErrorOut, Id
from comptoir.imports import services
from comptoir.imports.models import ImportBatch, ImportPartner, ImportRow
from comptoir.imports.planning import preview
from comptoir.imports.schemas import (
    BatchOut,
    PartnerIn,
    PartnerOut,
    PartnerPatch,
    PreviewOut,
    PurgeOut,
    ReportOut,
    RowOut,
    RowPatch,
)
from comptoir.imports.template import template_csv, template_xlsx

router = Router(tags=["imports"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/imports/template", response={200: None, 400: ErrorOut})
def template(request, format: str = "csv"):
    """The import template: one row per document line, with an example row."""
    if format == "xlsx":
        response = HttpResponse(template_xlsx(), content_type=XLSX)
    else:
        response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
        format = "csv"
    response["Content-Disposition"] = f'attachment; filename="modele-import.{format}"'
    return response


@router.get("/import-partners", response=list[PartnerOut])
def list_partners(request):
    return ImportPartner.objects.all()


@router.post("/import-partners", response={201: PartnerOut, **ERRORS})
def create_partner(request, payload: PartnerIn):
    return Status(201, services.save_partner(**payload.dict()))


@router.get("/import-partners/{pk}", response={200: PartnerOut, 404: ErrorOut})
def get_partner(request, pk: Id):
    return get_object_or_404(ImportPartner, pk=pk)


@router.patch("/import-partners/{pk}", response={200: PartnerOut, **ERRORS})
def update_partner(request, pk: Id, payload: PartnerPatch):
    partner = get_object_or_404(ImportPartner, pk=pk)
    return services.save_partner(partner, **payload.dict(exclude_unset=True))


@router.post("/import-partners/{pk}/files", response={201: BatchOut, **ERRORS})
def upload(request, pk: Id, file: File[UploadedFile], has_header: Form[bool | None] = None):
    """Store the file as received; the job worker then reads its rows (no business record is
    created). The import answers with status `uploaded` until the worker has read it; then
    `GET /imports/{id}` shows it `parsed`, or `refused` with its `error` (a file that cannot
    be read, or beyond the limits)."""
    partner = get_object_or_404(ImportPartner, pk=pk)
    batch = services.upload_file(
        partner, file.name or "import", file, by=request.user, has_header=has_header
    )
    return Status(201, services.queue_reading(batch))


@router.get("/imports", response=list[BatchOut])
@paginate
def list_batches(request, partner: Id | None = None):
    batches = ImportBatch.objects.all()
    return batches.filter(partner_id=partner) if partner else batches


@router.get("/imports/{pk}", response={200: BatchOut, 404: ErrorOut})
def get_batch(request, pk: Id):
    return get_object_or_404(ImportBatch, pk=pk)


@router.get("/imports/{pk}/preview", response={200: PreviewOut, 404: ErrorOut})
def preview_batch(request, pk: Id):
    """What processing would create, match and refuse, without doing it."""
    return preview(get_object_or_404(ImportBatch, pk=pk), Company.get().currency)


@router.get("/imports/{pk}/rows", response={200: list[RowOut], 404: ErrorOut})
@paginate
def list_rows(request, pk: Id, state: Query[str | None] = None):
    rows = get_object_or_404(ImportBatch, pk=pk).rows.with_document()  # each row has its batch
    return rows.filter(state=state) if state else rows


@router.patch("/imports/{pk}/rows/{row_pk}", response={200: RowOut, **ERRORS})
def edit_row(request, pk: Id, row_pk: Id, payload: RowPatch):
    row = get_object_or_404(ImportRow.objects.select_related("batch"), batch_id=pk, pk=row_pk)
    return services.edit_row(row, payload.data)


@router.post("/imports/{pk}/process", response={200: ReportOut, 202: BatchOut, **ERRORS})
def process(request, pk: Id, background: bool = False):
    """Create the documents of the rows still open; a document is never created twice.

    With `background=true` the background worker processes the file: the answer is the
    import (202), whose `rows_done` and `status` follow the progress."""
    batch = get_object_or_404(ImportBatch, pk=pk)
    if background:
        return Status(202, services.queue_processing(batch, by=request.user))
    return services.process_batch(batch, by=request.user).__dict__


@router.delete("/imports/{pk}/rows", response={200: PurgeOut, **ERRORS})
def purge(request, pk: Id):
    """Delete the rows not processed; the file and the processed rows stay."""
    return {"deleted": services.purge_batch(get_object_or_404(ImportBatch, pk=pk))}
