"""Invoices and credit notes as PDF (WeasyPrint, PDF/A-3b) and Factur-X (the PDF with its CII
XML). Like the XML, the PDF states what the invoice stores; it computes nothing."""

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from comptoir.billing.facturx import build_xml
from comptoir.billing.models import Invoice
from comptoir.catalog.models import Unit
from comptoir.core.models import Company


def _title(invoice: Invoice) -> str:
    return {
        Invoice.Kind.INVOICE: _("Invoice"),
        Invoice.Kind.CREDIT_NOTE: _("Credit note"),
        Invoice.Kind.DOWN_PAYMENT: _("Down-payment invoice"),
    }[invoice.kind]


def _operation(lines) -> str:
    kinds = {line.is_service for line in lines}
    if kinds == {True}:
        return _("services")
    if kinds == {False}:
        return _("supply of goods")
    return _("supply of goods and services")


def render_html(invoice: Invoice, language: str = "fr") -> str:
    with translation.override(language):
        lines = list(invoice.lines.all())
        delivery = invoice.shipping_address
        if delivery == invoice.billing_address:
            delivery = None
        return render_to_string(
            "billing/pdf/invoice.html",
            {
                "invoice": invoice,
                "lines": lines,
                "company": Company.get(),
                "title": _title(invoice),
                "operation": _operation(lines),
                "exemptions": sorted(
                    {
                        g["exemption_reason"]
                        for g in invoice.vat_breakdown
                        if g.get("exemption_reason")
                    }
                ),
                "delivery_address": delivery,
                "units": dict(Unit.objects.values_list("code", "name")),
                "language": language,
            },
        )


def render_pdf(invoice: Invoice, language: str = "fr") -> bytes:
    from weasyprint import HTML  # needs Pango; imported only when a PDF is made

    return HTML(string=render_html(invoice, language)).write_pdf(pdf_variant="pdf/a-3b")


def render_many(invoices, language: str = "fr") -> bytes:
    """Several invoices in one PDF (to print a batch), each starting on a new page."""
    from weasyprint import HTML

    documents = [HTML(string=render_html(invoice, language)).render() for invoice in invoices]
    if not documents:
        return b""
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


def render_facturx(invoice: Invoice, language: str = "fr") -> bytes:
    """The PDF/A-3 with its factur-x.xml (EN 16931 profile) attached."""
    from facturx import generate_from_binary

    return generate_from_binary(
        render_pdf(invoice, language),
        build_xml(invoice),
        flavor="factur-x",
        level="en16931",
        check_xsd=True,
        lang=language,
    )
