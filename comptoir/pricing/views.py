"""The document form views shared by quotations, orders and invoices, and settings lists."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.core import access
from comptoir.core.errors import BusinessError
from comptoir.core.listing import Column, Listing
from comptoir.pricing.forms import DocumentForm
from comptoir.pricing.models import PaymentTerms, Tax


@dataclass(frozen=True)
class DocumentKind:
    """What the form needs to know of one kind of document."""

    doc_model: type
    line_model: type
    create: Callable
    update: Callable
    title: str
    extra_fields: tuple[str, ...] = ()


def _context(kind: DocumentKind, form: DocumentForm, document, request) -> dict:
    return {
        "kind": kind,
        "form": form,
        "document": document,
        "taxes": Tax.objects.filter(active=True).order_by("code"),
        "payment_terms": PaymentTerms.objects.order_by("name"),
        "preview_url": request.path,
    }


def document_form_view(kind: DocumentKind):
    """New/edit view of a draft: a POST from htmx previews, a plain POST saves."""

    def view(request, pk=None):
        document = None
        if pk is not None:
            document = access.get_owned(
                kind.doc_model.objects.select_related("customer", "payment_terms"),
                request.user,
                pk=pk,
            )
            if document.status != "draft":
                messages.error(request, _("Only a draft can be edited."))
                return redirect(document)
        if request.method != "POST":
            form = DocumentForm(
                document=document,
                extra_fields=kind.extra_fields,
                customer=request.GET.get("customer", ""),
                user=request.user,
            )
            if document is not None:
                form.preview(kind.doc_model, kind.line_model, by=request.user)
            return render(
                request, "pricing/document_form.html", _context(kind, form, document, request)
            )
        form = DocumentForm(
            request.POST, document=document, extra_fields=kind.extra_fields, user=request.user
        )
        if request.headers.get("HX-Request"):
            form.preview(kind.doc_model, kind.line_model, by=request.user)
            # The header's errors come along, each into its place beside its field.
            return render(
                request,
                "pricing/document_lines.html",
                {**_context(kind, form, document, request), "live": True},
            )
        wanted, refused = form.read(), None
        if wanted is not None:
            try:
                if document is None:
                    document = kind.create(
                        wanted.customer, wanted.lines, by=request.user, **wanted.header
                    )
                else:
                    kind.update(document, lines=wanted.lines, **wanted.header)
            except BusinessError as error:
                refused = error
            else:
                messages.success(request, _("%(ref)s saved.") % {"ref": document.reference})
                return redirect(document)
        # Every error next to its field, the other lines still priced and totalled.
        form.preview(kind.doc_model, kind.line_model, by=request.user)
        if refused is not None:
            form.add_error(refused)
        return render(
            request,
            "pricing/document_form.html",
            _context(kind, form, document, request),
            status=400,
        )

    return view


class TaxListing(Listing):
    model = Tax
    title = gettext_lazy("Taxes")
    columns = [
        Column("code", gettext_lazy("Code"), "code", sort="code"),
        Column("name", gettext_lazy("Name"), "name", sort="name"),
        Column("category", gettext_lazy("VAT category"), "get_category_display"),
        Column("rate", gettext_lazy("Rate"), "rate", kind="quantity", sort="rate"),
        Column("active", gettext_lazy("Active"), "active", kind="bool"),
    ]
    search_fields = ("code", "name")
    status_field = customer_field = date_field = amount_field = None
    default_sort = "code"


class PaymentTermsListing(Listing):
    model = PaymentTerms
    title = gettext_lazy("Payment terms")
    columns = [
        Column("code", gettext_lazy("Code"), "code", sort="code"),
        Column("name", gettext_lazy("Name"), "name", sort="name"),
        Column("days", gettext_lazy("Days"), "days", kind="quantity", sort="days"),
        Column("end_of_month", gettext_lazy("End of month"), "end_of_month", kind="bool"),
    ]
    search_fields = ("code", "name")
    status_field = customer_field = date_field = amount_field = None
    default_sort = "code"
