"""The document form views shared by quotations, orders and invoices, and settings lists."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.core import access
from comptoir.core.errors import BusinessError
from comptoir.core.listing import Column, Listing
from comptoir.core.models import Company
from comptoir.core.views import form_page, save_form
from comptoir.pricing import services
from comptoir.pricing.forms import DocumentForm, TaxForm
from comptoir.pricing.models import FRANCHISE, PaymentTerms, Tax
from comptoir.pricing.variant_entry import offered_templates


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
        "taxes": offered_taxes(),
        "payment_terms": PaymentTerms.objects.order_by("name"),
        "preview_url": request.path,
        "variant_models": offered_templates(),
    }


def offered_taxes():
    """The taxes a line may use: those in use, without the VAT franchise for a company with a
    VAT number (the engine refuses it)."""
    taxes = Tax.objects.filter(active=True).order_by("code")
    if Company.get().vat_id:
        taxes = taxes.exclude(exemption_reason_code=FRANCHISE)
    return taxes


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
        Column("exemption", gettext_lazy("Exemption text"), "exemption_reason"),
        Column("vatex", gettext_lazy("VATEX code"), "exemption_reason_code"),
        Column("active", gettext_lazy("Active"), "active", kind="bool"),
    ]
    search_fields = ("code", "name", "exemption_reason", "exemption_reason_code")
    status_field = customer_field = date_field = amount_field = None
    default_sort = "code"
    create_url_name = "pricing:tax_new"
    create_label = gettext_lazy("New tax")


def tax_form(request, pk: int | None = None):
    tax = get_object_or_404(Tax, pk=pk) if pk else None
    form = TaxForm(request.POST or None, instance=tax)
    if request.method == "POST":
        saved = save_form(form, lambda data: services.save_tax(tax, **data))
        if saved is not None:
            messages.success(request, _("Tax %(name)s saved.") % {"name": saved.name})
            return redirect("pricing:taxes")
    return form_page(request, form, str(tax) if tax else _("New tax"), reverse("pricing:taxes"))


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
