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
