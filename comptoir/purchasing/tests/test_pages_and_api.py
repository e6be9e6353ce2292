"""Purchases through the pages and the API: buy, receive, drop-ship; errors on the form."""

from decimal import Decimal

import pytest
from django.test import Client

from comptoir.core.services import update_company
from comptoir.purchasing.models import PurchaseOrder, Supplier
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


def test_buy_and_receive_through_the_pages(client):
    item = ItemFactory(code="PLANCHE")
    response = client.post(
        "/suppliers/new/",
        {"code": "SCIE", "name": "Scierie", "lead_time_days": "5", "active": "on"},
    )
    assert response.status_code == 302
    ids = {"supplier": Supplier.objects.get().pk, "warehouse": default_warehouse().pk}
    response = client.post("/purchases/new/", {**ids, "lines": "PLANCHE;abc"})
    assert response.status_code == 400  # the quantity is not a number: said on the form
    response = client.post("/purchases/new/", {**ids, "lines": "PLANCHE;30"})
    assert response.status_code == 302
    order = PurchaseOrder.objects.get()
    assert client.post(f"/actions/purchase/{order.pk}/confirm/").status_code == 302
    order.refresh_from_db()
    assert order.status == "confirmed" and order.number
    assert "PLANCHE" in client.get(order.get_absolute_url()).content.decode()
    line = order.lines.get()
    response = client.post(f"/purchases/{order.pk}/receive/", {f"line-{line.pk}": "40"})
    assert response.status_code == 400
    response = client.post(f"/purchases/{order.pk}/receive/", {f"line-{line.pk}": "30"})
    assert response.status_code == 302
    assert stock_figures(item_ids=[item.pk])[0].on_hand == Decimal("30")


def test_drop_shipment_through_the_api(api):
    update_company(stock_management=True)
    ItemFactory(code="PIANO")
    assert api.post("/suppliers", {"code": "PIANOS", "name": "Pianos SA"}).status_code == 201
    customer = api.post("/customers", {"name": "Conservatoire"}).json()
    order = api.post(
        "/orders", {"customer": customer["id"], "lines": [{"item": "PIANO", "quantity": "1"}]}
    ).json()
    api.post(f"/orders/{order['id']}/confirm")
    response = api.post(
        f"/orders/{order['id']}/purchases", {"supplier": "PIANOS", "drop_ship": True}
    )
    assert response.status_code == 201, response.json()
    purchase = response.json()
    assert purchase["drop_ship"] and purchase["status"] == "confirmed"
    response = api.post(f"/purchase-orders/{purchase['id']}/receipts", {})
    assert response.status_code == 400  # a drop shipment never comes into our warehouse
    response = api.post(f"/purchase-orders/{purchase['id']}/drop-shipment-delivered", {})
    assert response.status_code == 201, response.json()
    assert api.get(f"/orders/{order['id']}").json()["delivery_status"] == "fully"
    assert api.get("/stock/moves").json()["count"] == 0  # nothing moved in our warehouses
    response = api.post(
        "/purchase-orders", {"supplier": "NOPE", "lines": [{"item": "PIANO", "quantity": "1"}]}
    )
    assert response.status_code == 404 and response.json()["field"] == "supplier"
