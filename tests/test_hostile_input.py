"""Names chosen to attack: markup, quotes, formulas and very long text are shown as text in
pages, PDFs and exports, and refused with a clear error where they do not fit."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from comptoir.billing.services import create_invoice
from comptoir.pricing.engine import LineSpec
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db

MARKUP = '<script>alert("x")</script> & "Fils" l\'aîné'
FORMULA = "=1+1"


@pytest.fixture
def hostile(company, user, client):
    customer = CustomerFactory(name=MARKUP)
    CustomerFactory(name=FORMULA, code="FORMULE")
    item = ItemFactory(name='<img src=x onerror=alert(1)> "Chaise"', sale_price=Decimal("10"))
    invoice = create_invoice(customer, [LineSpec(item, Decimal("1"))])
    client.force_login(user)
    return customer, item, invoice


def test_markup_in_names_is_shown_as_text_in_pages(client, hostile):
    customer, _item, invoice = hostile
    for url in ("/customers/", customer.get_absolute_url(), "/items/", invoice.get_absolute_url()):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page, url
    page = client.get(customer.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;Fils&quot;" in page


def test_markup_in_names_is_printed_as_text_in_pdfs(client, hostile):
    _customer, _item, invoice = hostile
    response = client.get(f"/invoices/{invoice.pk}/pdf/")
    assert response.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert '<script>alert("x")</script>' in text  # printed, not parsed as markup
    assert "<img src=x onerror=alert(1)>" in text


def test_a_customer_named_like_a_formula_exports_as_text(client, hostile):
    response = client.get("/customers/", {"q": FORMULA, "export": "csv"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    names = [row[1] for row in rows[1:]]
    assert names == ["'" + FORMULA]
    response = client.get("/customers/", {"q": FORMULA, "export": "xlsx"})
    sheet = load_workbook(filename=io.BytesIO(response.content)).active
    cell = sheet.cell(row=2, column=2)
    assert cell.value == "'" + FORMULA and cell.data_type == "s"


def test_very_long_names_are_refused_with_a_clear_error(api, client, hostile):
    response = api.post("/customers", {"name": "x" * 5000})
    assert response.status_code in (400, 422)
    assert response.json()["code"] and response.json()["message"]
    response = client.post("/customers/new/", {"name": "x" * 5000, "kind": "company"})
    assert response.status_code == 400
    assert "200" in response.content.decode()  # the form says how long a name may be
