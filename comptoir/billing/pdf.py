"""Invoices and credit notes as PDF (WeasyPrint, PDF/A-3b) and Factur-X (the PDF with its CII
XML). Like the XML, the PDF states what the invoice stores; it computes nothing."""

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from comptoir.billing.facturx import build_xml
from comptoir.billing.models import Invoice
from comptoir.core.documents import PrintLayout
from comptoir.core.models import Company
from comptoir.core.templatetags.comptoir import percent
from comptoir.pricing.models import EXEMPT_CATEGORIES, VatCategory
from comptoir.sales.models import Quotation, SalesOrder
from comptoir.stock.models import DeliveryNote


def _title(document) -> str:
    if isinstance(document, Invoice):
        return {
            Invoice.Kind.INVOICE: _("Invoice"),
            Invoice.Kind.CREDIT_NOTE: _("Credit note"),
            Invoice.Kind.DOWN_PAYMENT: _("Down-payment invoice"),
        }[document.kind]
    return {
        Quotation: _("Quotation"),
        SalesOrder: _("Order confirmation"),
        DeliveryNote: _("Delivery note"),
    }[type(document)]


TEMPLATES = {
    Invoice: "billing/pdf/invoice.html",
    Quotation: "billing/pdf/sales_document.html",
    SalesOrder: "billing/pdf/sales_document.html",
    DeliveryNote: "billing/pdf/delivery.html",
}


def _operation(lines) -> str:
    kinds = {line.is_service for line in lines}
    if kinds == {True}:
        return _("services")
    if kinds == {False}:
        return _("supply of goods")
    return _("supply of goods and services")


def _logo_data_uri() -> str:
    """The company's logo inlined in the document (no file to fetch while printing)."""
    import base64

    company = Company.get()
    if not company.logo:
        return ""
    with company.logo.open("rb") as handle:
        content = handle.read()
    kind = "png" if content.startswith(b"\x89PNG") else "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(content).decode()}"


def render_html(document, language: str = "fr") -> str:
    """Any customer document as printed: invoice, credit note, quotation, order confirmation,
    delivery note."""
    with translation.override(language):
        company = Company.get()
        layout = getattr(document, "print_layout", "") or company.print_layout
        lines = list(document.lines.all())
        delivery = getattr(document, "shipping_address", None)
        if delivery == getattr(document, "billing_address", None):
            delivery = None
        breakdown = getattr(document, "vat_breakdown", [])
        return render_to_string(
            TEMPLATES[type(document)],
            {
                "doc": document,
                "lines": lines,
                "company": company,
                "layout": layout,
                "title": _title(document),
                "operation": _operation(lines) if isinstance(document, Invoice) else "",
                "vat_groups": [dict(group, label=_vat_label(group)) for group in breakdown],
                "exemptions": sorted({g["exemption_reason"] for g in breakdown} - {"", None}),
                "delivery_address": delivery if not isinstance(document, DeliveryNote) else None,
                "logo": "" if layout == PrintLayout.COMPACT else _logo_data_uri(),
                "language": language,
            },
        )


def _vat_label(group: dict) -> str:
    """« TVA 20 % », or what stands where no VAT is charged: « Exonéré », « Autoliquidation »…"""
    if group["category"] in EXEMPT_CATEGORIES:
        return str(VatCategory(group["category"]).label)
    return f"{_('VAT')} {percent(group['rate'])}"


def render_pdf(document, language: str = "fr") -> bytes:
    from weasyprint import HTML  # needs Pango; imported only when a PDF is made

    return HTML(string=render_html(document, language)).write_pdf(pdf_variant="pdf/a-3b")


def render_many(documents, language: str = "fr") -> bytes:
    """Several documents in one PDF (to print a batch), each starting on a new page."""
    from weasyprint import HTML

    documents = [HTML(string=render_html(document, language)).render() for document in documents]
    if not documents:
        return b""
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


def render_picking_list(deliveries, language: str = "fr") -> bytes:
    """What to pick for several deliveries, per warehouse and item, to print."""
    from django.utils import timezone
    from weasyprint import HTML

    from comptoir.stock.queries import picking_list

    with translation.override(language):
        html = render_to_string(
            "billing/pdf/picking.html",
            {
                "groups": picking_list([d.pk for d in deliveries]),
                "numbers": [d.reference for d in deliveries],
                "company": Company.get(),
                "today": timezone.localdate(),
                "language": language,
            },
        )
    return HTML(string=html).write_pdf(pdf_variant="pdf/a-3b")


def render_facturx(invoice: Invoice, language: str = "fr") -> bytes:
    """The PDF/A-3 with its factur-x.xml attached (the company's profile)."""
    from facturx import generate_from_binary

    profile = Company.get().facturx_profile
    return generate_from_binary(
        render_pdf(invoice, language),
        build_xml(invoice, profile),
        flavor="factur-x",
        level=profile,
        check_xsd=True,
        lang=language,
    )
