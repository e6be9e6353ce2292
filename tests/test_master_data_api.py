"""Master data through the API: create, read, change, delete, with filters and pagination."""

from decimal import Decimal

import pytest

from comptoir.billing import services as billing
from comptoir.pricing.engine import LineSpec
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db


def test_customers_contacts_and_addresses(api):
    customer = api.post("/customers", {"name": "Hôtel Moreau", "kind": "company"}).json()
    cid = customer["id"]
    address = api.post(
        f"/customers/{cid}/addresses", {"kind": "shipping", "line1": "2 quai", "city": "Lyon"}
    ).json()
    response = api.patch(f"/customers/{cid}/addresses/{address['id']}", {"city": "Vienne"})
    assert response.status_code == 200 and response.json()["city"] == "Vienne"
    contact = api.post(f"/customers/{cid}/contacts", {"last_name": "Moreau"}).json()
    response = api.patch(f"/customers/{cid}/contacts/{contact['id']}", {"role": "Gérante"})
    assert response.json()["role"] == "Gérante"
    detail = api.get(f"/customers/{cid}").json()
    assert [a["city"] for a in detail["addresses"]] == ["Vienne"]
    assert [c["role"] for c in detail["contacts"]] == ["Gérante"]
    assert api.delete(f"/customers/{cid}/contacts/{contact['id']}").status_code == 204
    assert api.delete(f"/customers/{cid}/addresses/{address['id']}").status_code == 204
    response = api.patch(f"/customers/{cid}", {"email": "not an e-mail"})
    assert response.status_code == 400 and response.json()["field"] == "email"
    assert api.delete(f"/customers/{cid}").status_code == 204
    assert api.get(f"/customers/{cid}").status_code == 404


def test_a_customer_with_documents_cannot_be_deleted(api):
    customer = CustomerFactory()
    item = ItemFactory()
    billing.create_invoice(customer, [LineSpec(item, Decimal(1))])
    response = api.delete(f"/customers/{customer.pk}")
    assert response.status_code == 409 and response.json()["code"] == "customer.in_use"
    response = api.delete(f"/items/{item.pk}")
    assert response.status_code == 409 and response.json()["code"] == "item.in_use"
    assert api.get(f"/customers/{customer.pk}").status_code == 200


def test_lists_are_paginated_and_filtered(api):
    for n in range(7):
        CustomerFactory(name=f"Garage {n}" if n % 2 else f"Librairie {n}")
    page = api.get("/customers?limit=3&offset=0").json()
    assert page["count"] == 7 and len(page["items"]) == 3
    found = api.get("/customers?search=garage").json()
    assert found["count"] == 3
    assert {c["name"] for c in found["items"]} == {"Garage 1", "Garage 3", "Garage 5"}


def test_items_price_lists_terms(api):
    item = api.post("/items", {"code": "CAFE", "name": "Café", "sale_price": "9.90"}).json()
    assert item["tax_code"] == "TVA20" and item["unit_code"] == "C62"
    assert api.post("/items", {"code": "X", "name": "X", "tax": "NOPE"}).status_code == 404
    assert api.patch(f"/items/{item['id']}", {"sale_price": "10.50"}).json()["sale_price"] == (
        "10.5000"
    )
    price_list = api.post("/price-lists", {"code": "PRO", "name": "Pros"}).json()
    url = f"/price-lists/{price_list['id']}/prices"
    price = api.post(url, {"item": "CAFE", "price": "8.00", "min_quantity": "10"}).json()
    assert api.get(url).json()["count"] == 1
    assert api.delete(f"{url}/{price['id']}").status_code == 204
    assert api.get(url).json()["count"] == 0
    terms = api.post("/payment-terms", {"code": "90J", "name": "90 jours", "days": 90})
    assert terms.status_code == 201
    template = api.post("/terms-templates", {"name": "CGV", "body": "…"})
    assert template.status_code == 201
    assert [t["name"] for t in api.get("/terms-templates").json()] == ["CGV"]
    assert {t["code"] for t in api.get("/taxes").json()} >= {"TVA20", "AUTOLIQ", "INTRACOM"}
