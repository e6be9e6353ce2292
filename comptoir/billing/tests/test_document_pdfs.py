"""Quotations, order confirmations and delivery notes print as PDF too."""

from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader

from comptoir.pricing.engine import LineSpec
from comptoir.sales import services as sales
from comptoir.stock.services import create_delivery
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db


def text_of(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def test_each_document_prints_with_its_number_and_lines(company, client, user):
    item = ItemFactory(name="Chaise hêtre", sale_price=Decimal("45.00"))
    quotation = sales.create_quotation(CustomerFactory(), [LineSpec(item, Decimal("3"))])
    order = sales.confirm_order(
        sales.create_order(quotation.customer, [LineSpec(item, Decimal("2"))])
    )
    delivery = create_delivery(order)
    client.force_login(user)
    for kind, document, words in (
        ("quotation", quotation, ["Devis", "Chaise hêtre", "135,00"]),
        ("order", order, ["Confirmation de commande", "90,00"]),
        ("delivery", delivery, ["Bon de livraison", order.number, "Chaise hêtre"]),
    ):
        response = client.get(f"/documents/{kind}/{document.pk}/pdf/")
        assert response.status_code == 200, kind
        text = " ".join(text_of(response.content).split())  # lines may wrap anywhere
        for word in [document.number, *words]:
            assert word in text, (kind, word)
    page = client.get(order.get_absolute_url()).content.decode()
    assert f"/documents/order/{order.pk}/pdf/" in page
    assert client.get(f"/documents/nonsense/{order.pk}/pdf/").status_code == 404


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db00000000049454e44ae426082"
)


def test_the_company_logo_is_printed_and_checked(company, client, user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from comptoir.core.forms import CompanyForm
    from comptoir.core.models import Company

    client.force_login(user)
    data = {
        name: ("" if value is None else value)
        for name, value in CompanyForm(instance=company).initial.items()
        if name != "logo"
    }
    fake = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = client.post("/settings/company/", {**data, "logo": fake})
    assert response.status_code == 400 and not Company.get().logo
    logo = SimpleUploadedFile("logo.png", PNG, content_type="image/png")
    response = client.post("/settings/company/", {**data, "logo": logo})
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert Company.get().logo
    quotation = sales.create_quotation(CustomerFactory(), [LineSpec(ItemFactory(), Decimal("1"))])
    pdf = client.get(f"/documents/quotation/{quotation.pk}/pdf/").content
    resources = PdfReader(BytesIO(pdf)).pages[0]["/Resources"]
    assert "/XObject" in resources  # the logo, drawn on the page


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", ["7 358,23 €", "0,0333 €", "8 830,00 €", "retard de paiement : 40,00 €."]),
        ("en", ["€7,358.23", "€0.0333", "€8,830.00", "late payment: €40.00."]),
    ],
)
def test_the_amounts_of_a_pdf_are_written_in_its_language(company, language, words):
    """Amounts as the reader writes them, and a unit price with all its digits (3 × 0,0333)."""
    from comptoir.billing import services as billing
    from comptoir.billing.pdf import render_pdf

    lines = [
        LineSpec(ItemFactory(sale_price=Decimal("7358.23")), Decimal("1")),
        LineSpec(ItemFactory(sale_price=Decimal("0.0333")), Decimal("3")),
    ]
    invoice = billing.issue_invoice(billing.create_invoice(CustomerFactory(), lines))
    text = " ".join(text_of(render_pdf(invoice, language)).replace("\xa0", " ").split())
    for word in words:
        assert word in text, word


@pytest.mark.parametrize("language, label", [("fr", "Date :"), ("en", "Date:")])
def test_a_pdf_label_takes_its_colon_as_its_language_does(company, language, label):
    from comptoir.billing import services as billing
    from comptoir.billing.pdf import render_pdf

    invoice = billing.create_invoice(CustomerFactory(), [LineSpec(ItemFactory(), Decimal("1"))])
    text = " ".join(text_of(render_pdf(invoice, language)).replace("\xa0", " ").split())
    assert label in text
    if language == "en":
        assert "Date :" not in text
