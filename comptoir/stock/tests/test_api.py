"""The stock endpoints: warehouses, moves, transfers, counts and figures; errors as 4xx JSON."""

import pytest

from comptoir.core.services import update_company
from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stock_api(api):
    update_company(stock_management=True)
    return api


def test_moves_transfers_counts_and_figures(stock_api):
    api = stock_api
    ItemFactory(code="CABLE")
    response = api.post("/warehouses", {"code": "SUD", "name": "Dépôt Sud"})
    assert response.status_code == 201, response.json()
    response = api.post("/stock/moves", {"kind": "receipt", "item": "CABLE", "quantity": "40"})
    assert response.status_code == 201, response.json()
    assert response.json()["quantity"] == "40.000"
    response = api.post(
        "/stock/transfers", {"item": "CABLE", "source": "PRINC", "target": "SUD", "quantity": "15"}
    )
    assert [m["quantity"] for m in response.json()] == ["-15.000", "15.000"]
    response = api.post(
        "/stock/counts", {"warehouse": "SUD", "counts": [{"item": "CABLE", "quantity": "14"}]}
    )
    assert [m["quantity"] for m in response.json()] == ["-1.000"]
    figures = {row["warehouse_code"]: row for row in api.get("/stock?item=CABLE").json()["items"]}
    assert (figures["PRINC"]["on_hand"], figures["SUD"]["on_hand"]) == ("25.000", "14.000")
    assert figures["PRINC"]["available"] == "25.000"
    moves = api.get("/stock/moves?item=CABLE").json()
    assert moves["count"] == 4


def test_bad_stock_requests_are_4xx_json(stock_api):
    api = stock_api
    ItemFactory(code="CABLE")
    cases = [
        ({"kind": "receipt", "item": "NOPE", "quantity": "1"}, 404, "item"),
        ({"kind": "delivery", "item": "CABLE", "quantity": "1"}, None, "kind"),
        ({"kind": "adjustment", "item": "CABLE", "quantity": "-1"}, None, "quantity"),
        ({"kind": "receipt", "item": "CABLE", "quantity": "1e30"}, 422, None),
    ]
    for payload, status, field in cases:
        response = api.post("/stock/moves", payload)
        assert 400 <= response.status_code < 500, (payload, response.status_code)
        if status:
            assert response.status_code == status, payload
        body = response.json()
        assert "code" in body or "detail" in body, body
        if field:
            assert body.get("field") == field, body
    assert api.get("/stock").json()["count"] == 0


def test_goods_returned_and_credited_through_the_api(stock_api):
    api = stock_api
    ItemFactory(code="LAMPE", sale_price="25.00")
    api.post("/stock/moves", {"kind": "receipt", "item": "LAMPE", "quantity": "10"})
    customer = api.post(
        "/customers",
        {
            "name": "Boutique Lumière",
            "addresses": [{"line1": "1 quai", "postal_code": "69001", "city": "Lyon"}],
        },
    ).json()
    order = api.post(
        "/orders", {"customer": customer["id"], "lines": [{"item": "LAMPE", "quantity": "4"}]}
    ).json()
    api.post(f"/orders/{order['id']}/confirm")
    delivery = api.post(f"/orders/{order['id']}/deliveries", {}).json()
    invoice = api.post(f"/orders/{order['id']}/invoices", {}).json()
    api.post(f"/invoices/{invoice['id']}/issue")
    line = delivery["lines"][0]["id"]

    response = api.post(
        f"/deliveries/{delivery['id']}/returns", {"lines": [{"line": line, "quantity": "9"}]}
    )
    assert response.status_code == 400 and response.json()["field"] == f"lines.{line}"
    response = api.post(
        f"/deliveries/{delivery['id']}/returns",
        {"lines": [{"line": line, "quantity": "1"}], "reason": "Verre cassé"},
    )
    assert response.status_code == 201, response.json()
    back = response.json()
    assert api.get(f"/returns/{back['id']}").json()["lines"][0]["quantity"] == "1.000"
    figures = api.get("/stock?item=LAMPE").json()["items"][0]
    assert figures["on_hand"] == "7.000"
    response = api.post(f"/returns/{back['id']}/credit-notes")
    assert response.status_code == 201, response.json()
    (credit_note,) = response.json()
    assert (credit_note["kind"], credit_note["total_gross"]) == ("credit_note", "30.00")


def test_bundle_components_through_the_api(stock_api):
    api = stock_api
    ItemFactory(code="PIED")
    response = api.post("/items", {"code": "TABLE-KIT", "name": "Table en kit", "kind": "bundle"})
    assert response.status_code == 201, response.json()
    kit = response.json()["id"]
    response = api.put(f"/items/{kit}/components", [{"item": "PIED", "quantity": "4"}])
    assert response.status_code == 200, response.json()
    assert response.json() == [
        {"item_id": response.json()[0]["item_id"], "item_code": "PIED", "quantity": "4.000"}
    ]
    response = api.put(f"/items/{kit}/components", [{"item": "TABLE-KIT", "quantity": "1"}])
    assert response.status_code == 400 and response.json()["field"] == "components[0].item"


def test_deliveries_invoiced_together_through_the_api_and_the_page(stock_api, user):
    from django.test import Client

    api = stock_api
    ItemFactory(code="BOIS")
    api.post("/stock/moves", {"kind": "receipt", "item": "BOIS", "quantity": "10"})
    customer = api.post("/customers", {"name": "Scierie"}).json()
    for quantity in ("1", "2"):
        order = api.post(
            "/orders",
            {"customer": customer["id"], "lines": [{"item": "BOIS", "quantity": quantity}]},
        ).json()
        api.post(f"/orders/{order['id']}/confirm")
        api.post(f"/orders/{order['id']}/deliveries", {})
    response = api.post("/invoice-deliveries", {"up_to": "2000-01-01"})
    assert (response.status_code, response.json()) == (201, [])
    response = api.post("/invoice-deliveries", {"up_to": "2099-12-31", "customer": "NOPE"})
    assert response.status_code == 404
    client = Client()
    client.force_login(user)
    response = client.post("/invoices/from-deliveries/", {"up_to": "2099-12-31"})
    assert response.status_code == 302
    (invoice,) = api.get("/invoices?status=draft").json()["items"]
    assert sorted(line["quantity"] for line in invoice["lines"]) == ["1.000", "2.000"]
