"""Import pages: partners, upload, a file's page (preview, rows, processing), row edits."""

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from comptoir.billing.models import Invoice
from comptoir.core.errors import BusinessError
from comptoir.core.listing import Column, Listing, neutralise
from comptoir.core.models import Company
from comptoir.core.money import format_quantity
from comptoir.core.views import form_page, save_form
from comptoir.imports import services
from comptoir.imports.columns import NAMES
from comptoir.imports.forms import OpeningStockForm, PartnerForm, RowForm, UploadForm
from comptoir.imports.models import ImportBatch, ImportPartner, ImportRow, PartnerDocument
from comptoir.imports.opening import import_opening_stock
from comptoir.imports.planning import preview
from comptoir.imports.template import template_csv, template_xlsx
from comptoir.sales.models import SalesOrder

ROWS_PER_PAGE = 100


class BatchListing(Listing):
    model = ImportBatch
    title = gettext_lazy("Imports")
    columns = [
        Column(
            "uploaded_at", gettext_lazy("Received"), "uploaded_at", kind="date", sort="uploaded_at"
        ),
        Column("partner", gettext_lazy("Partner"), "partner.name", sort="partner__name"),
        Column("file", gettext_lazy("File"), "file_name"),
        Column("status", gettext_lazy("Status"), "get_status_display"),
        Column("rows", gettext_lazy("Rows"), "row_count", sort="row_count"),
        Column("file_total", gettext_lazy("File total"), "file_total", kind="money"),
        Column("created_total", gettext_lazy("Created"), "created_total", kind="money"),
    ]
    search_fields = ("file_name", "partner__name", "sha256")
    customer_field = None
    date_field = None
    amount_field = "file_total"
    default_sort = "-uploaded_at"
    export_name = "imports"
    create_url_name = "imports:upload"
    create_label = gettext_lazy("Import a file")

    def get_queryset(self):
        return ImportBatch.objects.select_related("partner")


class PartnerListing(Listing):
    model = ImportPartner
    title = gettext_lazy("Import partners")
    columns = [
        Column("name", gettext_lazy("Name"), "name", sort="name"),
        Column("creates", gettext_lazy("Creates"), "get_creates_display"),
        Column("then", gettext_lazy("After creation"), "get_then_display"),
        Column("strictness", gettext_lazy("Strictness"), "get_strictness_display"),
        Column("active", gettext_lazy("Active"), "active", kind="bool"),
    ]
    search_fields = ("name",)
    status_field = None
    customer_field = None
    date_field = None
    amount_field = None
    default_sort = "name"
    export_name = "import-partners"
    create_url_name = "imports:partner_new"
    create_label = gettext_lazy("New partner")


def partner_form(request, pk: int | None = None):
    partner = get_object_or_404(ImportPartner, pk=pk) if pk else None
    form = PartnerForm(request.POST or None, instance=partner)
    if request.method == "POST":
        saved = save_form(
            form, lambda _data: services.save_partner(partner, **form.partner_fields())
        )
        if saved is not None:
            messages.success(request, _("Partner %(name)s saved.") % {"name": saved.name})
            return redirect("imports:partners")
    title = _("Partner %(name)s") % {"name": partner.name} if partner else _("New partner")
    return form_page(request, form, title, back_url=reverse("imports:partners"))


def template_download(request, format: str):
    content, kind = (
        (template_xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        if format == "xlsx"
        else (template_csv(), "text/csv; charset=utf-8")
    )
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="modele-import.{format}"'
    return response


def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    form.fields["file"].help_text = format_html(
        _('Follow the template: <a href="{}">CSV</a> or <a href="{}">XLSX</a>.'),
        reverse("imports:template", args=["csv"]),
        reverse("imports:template", args=["xlsx"]),
    )
    if request.method == "POST":

        def save(data):
            file = data["file"]
            batch = services.upload_file(
                data["partner"], file.name, file, by=request.user, has_header=data["has_header"]
            )
            return services.parse_batch(batch)

        batch = save_form(form, save)
        if batch is not None:
            return redirect(batch)
    return form_page(
        request,
        form,
        _("Import a file"),
        back_url=reverse("imports:batches"),
        submit_label=_("Upload and read"),
    )


def _batch(pk: int) -> ImportBatch:
    return get_object_or_404(
        ImportBatch.objects.select_related("partner", "uploaded_by", "duplicate_of"), pk=pk
    )


def batch_detail(request, pk: int):
    batch = _batch(pk)
    state = request.GET.get("state") or ""
    rows = batch.rows.with_document().order_by("line")  # each row has its batch
    if state in ImportRow.State.values:
        rows = rows.filter(state=state)
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    documents = PartnerDocument.objects.select_related("invoice", "order").in_bulk(
        {row.document_id for row in page if row.document_id}
    )
    for row in page:
        row.document = documents.get(row.document_id)
    open_rows = batch.status in (ImportBatch.Status.PARSED, ImportBatch.Status.PROCESSED)
    context = {
        "batch": batch,
        "page": page,
        "state": state,
        "states": ImportRow.State.choices,
        "counts": dict(
            ImportRow.objects.filter(batch=batch)
            .order_by()
            .values_list("state")
            .annotate(n=Count("pk"))
        ),
        "preview": preview(batch, Company.get().currency) if open_rows else None,
        "documents_created": PartnerDocument.objects.filter(batch=batch).exists(),
        "columns": ["date_document", "nom_client", "code_article", "quantite", "prix_unitaire"],
    }
    return render(request, "imports/batch_detail.html", context)


def batch_progress(request, pk: int):
    batch = _batch(pk)
    response = render(request, "imports/progress.html", {"batch": batch})
    if batch.status != ImportBatch.Status.PROCESSING:
        response["HX-Refresh"] = "true"  # done: the whole page shows the outcome
    return response


@require_POST
def batch_process(request, pk: int):
    try:
        services.queue_processing(_batch(pk), by=request.user)
    except BusinessError as error:
        messages.error(request, error.message)
    return redirect("imports:batch", pk=pk)


@require_POST
def batch_purge(request, pk: int):
    deleted = services.purge_batch(_batch(pk))
    messages.success(request, _("%(count)s rows deleted.") % {"count": format_quantity(deleted)})
    return redirect("imports:batch", pk=pk)


class _Echo:
    def write(self, value):
        return value


def batch_export(request, pk: int):
    """The rows with their state and anomaly, then the cells as the file had them."""
    batch = _batch(pk)
    headers = batch.layout.get("headers") or NAMES
    writer = csv.writer(_Echo(), delimiter=";")

    def lines():
        yield "\ufeff" + writer.writerow(
            [_("line"), _("state"), _("anomaly"), _("document"), *headers]
        )
        rows = ImportRow.objects.filter(batch=batch).with_document().order_by("line")
        for row in rows.iterator(chunk_size=2000):
            cells = [row.line, row.get_state_display(), row.anomaly, row.document_number or ""]
            yield writer.writerow([neutralise(str(c)) for c in [*cells, *row.raw]])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-lignes.csv"'
    return response


def row_edit(request, pk: int, row_pk: int):
    row = get_object_or_404(ImportRow.objects.select_related("batch"), batch_id=pk, pk=row_pk)
    form = RowForm(request.POST or None, row=row)
    if request.method == "POST":
        saved = save_form(form, lambda data: services.edit_row(row, data))
        if saved is not None:
            if saved.errors:
                messages.warning(
                    request,
                    _("Line %(line)s saved, still with: %(anomaly)s")
                    % {"line": saved.line, "anomaly": saved.anomaly},
                )
            else:
                messages.success(request, _("Line %(line)s corrected.") % {"line": saved.line})
            return redirect("imports:batch", pk=pk)
    title = _("Line %(line)s of %(file)s") % {"line": row.line, "file": row.batch.file_name}
    return form_page(
        request, form, title, back_url=row.batch.get_absolute_url(), notice=row.anomaly
    )


def batch_documents_pdf(request, pk: int):
    """The documents this import created (invoices or order confirmations), in one PDF."""
    from comptoir.billing.pdf import render_many

    batch = _batch(pk)
    links = PartnerDocument.objects.filter(batch=batch)
    documents = list(
        Invoice.objects.filter(pk__in=links.values("invoice_id"))
        .select_related("credited_invoice")
        .prefetch_related("lines")
        .order_by("number", "pk")
    ) + list(
        SalesOrder.objects.filter(pk__in=links.values("order_id"))
        .prefetch_related("lines")
        .order_by("number", "pk")
    )
    if not documents:
        messages.error(request, _("This import created no document."))
        return redirect(batch)
    response = HttpResponse(render_many(documents), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="import-{batch.pk}-documents.pdf"'
    return response


def opening_stock(request):
    """Opening stock from a CSV file: receipts into a warehouse, all or nothing."""
    from comptoir.stock.services import default_warehouse

    initial = {"warehouse": default_warehouse()} if request.method == "GET" else None
    form = OpeningStockForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST":
        moves = save_form(
            form,
            lambda data: import_opening_stock(data["file"], data["warehouse"], by=request.user),
        )
        if moves is not None:
            messages.success(request, _("Opening stock: %(n)s items received.") % {"n": len(moves)})
            return redirect("stock:levels")
    return form_page(request, form, _("Opening stock"), submit_label=_("Import"))
