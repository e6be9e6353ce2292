"""The stock pages: moves, counts and warehouses through their forms, errors on the form."""

from decimal import Decimal

import pytest
from django.test import Client

from comptoir.core.services import update_company
from comptoir.stock import services
from comptoir.stock.models import StockMove, Warehouse
from comptoir.stock.queries import stock_figures
from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def client(user, company):
    update_company(stock_management=True)
    client = Client()
    client.force_login(user)
    return client


def _on_hand(item, warehouse) -> Decimal:
    figures = stock_figures(item_ids=[item.pk], warehouse_ids=[warehouse.pk])
    return figures[0].on_hand if figures else D("0")


def test_receive_transfer_and_count_through_the_forms(client):
    item = ItemFactory(code="VIS-8")
    main = services.default_warehouse()
    annex = services.save_warehouse(code="ANNEXE", name="Annexe")
    response = client.post(
        "/stock/moves/new/",
        {"kind": "receipt", "item": item.code, "warehouse": main.pk, "quantity": "12,5"},
    )
    assert response.status_code == 302
    assert _on_hand(item, main) == D("12.5")

    # A transfer needs its destination: said on the form, nothing posted.
    data = {"kind": "transfer", "item": item.code, "warehouse": main.pk, "quantity": "2"}
    response = client.post("/stock/moves/new/", data)
    assert response.status_code == 400
    assert "Choisissez" in response.content.decode()
    assert client.post("/stock/moves/new/", {**data, "target": annex.pk}).status_code == 302
    assert (_on_hand(item, main), _on_hand(item, annex)) == (D("10.5"), D("2"))

    # Taking out more than there is: the reason is on the form.
    data = {"kind": "adjustment", "item": item.code, "warehouse": annex.pk, "quantity": "-3"}
    response = client.post("/stock/moves/new/", data)
    assert response.status_code == 400 and "Stock insuffisant" in response.content.decode()

    response = client.post(
        "/stock/count/", {"warehouse": main.pk, "counts": "VIS-8;9\n", "reason": "Inventaire"}
    )
    assert response.status_code == 302
    assert _on_hand(item, main) == D("9")
    assert StockMove.objects.filter(kind="adjustment").get().quantity == D("-1.5")

    for counts, message in [("INCONNU;3", "INCONNU"), ("VIS-8", "point-virgule"), ("VIS-8;x", "x")]:
        response = client.post("/stock/count/", {"warehouse": main.pk, "counts": counts})
        assert response.status_code == 400 and message in response.content.decode()
    assert _on_hand(item, main) == D("9")

    page = client.get("/stock/?q=VIS-8").content.decode()
    assert "ANNEXE" in page and "VIS-8" in page


def test_one_default_warehouse(client):
    first = services.default_warehouse()
    response = client.post(
        "/stock/warehouses/new/",
        {
            "code": "LYON2",
            "name": "Lyon Gerland",
            "country": "FR",
            "is_default": "on",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert list(Warehouse.objects.filter(is_default=True).values_list("code", flat=True)) == [
        "LYON2"
    ]
    assert services.default_warehouse() != first
    response = client.post("/stock/warehouses/new/", {"code": "LYON2", "name": "Doublon"})
    assert response.status_code == 400


def test_goods_returned_through_the_pages(client):
    from comptoir.billing import services as billing
    from comptoir.pricing.engine import LineSpec
    from comptoir.sales import services as sales
    from tests.factories import CustomerFactory

    item = ItemFactory(code="VASE")
    services.receive(item, "5")
    order = sales.confirm_order(sales.create_order(CustomerFactory(), [LineSpec(item, D("3"))]))
    delivery = services.create_delivery(order)
    billing.issue_invoice(billing.invoice_order(order))
    line = delivery.lines.get()
    assert "Retour" in client.get(delivery.get_absolute_url()).content.decode()

    response = client.post(f"/deliveries/{delivery.pk}/return/", {f"line-{line.pk}": "5"})
    assert response.status_code == 400  # more than delivered: said next to the line
    response = client.post(
        f"/deliveries/{delivery.pk}/return/", {f"line-{line.pk}": "2", "reason": "Ébréché"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "Ébréché" in page.content.decode()
    customer_return = delivery.returns.get()
    response = client.post(f"/actions/return/{customer_return.pk}/credit/")
    assert response.status_code == 302
    credit_note = customer_return.credit_notes.get()
    assert response["Location"] == credit_note.get_absolute_url()
    assert _on_hand(item, services.default_warehouse()) == D("4")


def test_a_bundle_is_made_on_its_page(client):
    desk, _lamp = ItemFactory(code="BUREAU"), ItemFactory(code="LAMPE")
    kit = ItemFactory(code="KIT", kind="bundle")
    page = client.get(kit.get_absolute_url()).content.decode()
    assert f"/items/{kit.pk}/components/" in page
    url = f"/items/{kit.pk}/components/"
    response = client.post(url, {"components": "BUREAU;1\nNOPE;2"})
    assert response.status_code == 400 and "NOPE" in response.content.decode()
    response = client.post(url, {"components": "BUREAU;1\nLAMPE;0"})
    assert response.status_code == 400
    assert client.post(url, {"components": "BUREAU;1\nLAMPE;2"}).status_code == 302
    assert {(c.component.code, c.quantity) for c in kit.components.all()} == {
        ("BUREAU", D("1")),
        ("LAMPE", D("2")),
    }
    assert "LAMPE;2" in client.get(url).content.decode()
    assert client.get(f"/items/{desk.pk}/components/").status_code == 404
