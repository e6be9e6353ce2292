"""Opening stock from a CSV file: cp1252 or UTF-8, `;` or `,`, decimal commas; all or nothing."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from comptoir.core.services import update_company
from comptoir.stock.models import StockMove
from comptoir.stock.queries import stock_figures
from comptoir.stock.services import default_warehouse
from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(user, company):
    update_company(stock_management=True)
    client = Client()
    client.force_login(user)
    return client


def _post(client, content: bytes):
    upload = SimpleUploadedFile("stock.csv", content, content_type="text/csv")
    return client.post(
        "/imports/opening-stock/", {"warehouse": default_warehouse().pk, "file": upload}
    )


def test_opening_stock_from_a_partners_csv(client):
    ItemFactory(code="CHAISE-É"), ItemFactory(code="TABLE")
    content = "Code article;Quantité;Coût unitaire\nCHAISE-É;12,5;8,40\nTABLE;3;\n"
    response = _post(client, content.encode("cp1252"))
    assert response.status_code == 302, response.content.decode()[-500:]
    on_hand = {f.item_code: f.on_hand for f in stock_figures()}
    assert on_hand == {"CHAISE-É": Decimal("12.5"), "TABLE": Decimal("3")}
    assert StockMove.objects.get(item__code="CHAISE-É").unit_cost == Decimal("8.40")


def test_a_wrong_line_refuses_the_whole_file(client):
    ItemFactory(code="TABLE")
    content = b"code_article,quantite\nTABLE,4\nINCONNU,2\nTABLE,abc\nTABLE,-1\n"
    response = _post(client, content)
    assert response.status_code == 400
    page = response.content.decode()
    for expected in ("ligne 3", "INCONNU", "ligne 4", "ligne 5"):
        assert expected in page
    assert not StockMove.objects.exists()
    response = _post(client, b"designation;prix\nx;1\n")
    assert response.status_code == 400 and "code_article" in response.content.decode()
