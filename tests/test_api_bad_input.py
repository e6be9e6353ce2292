"""Bad input through the API gets a 4xx JSON error with a stable code, and changes nothing."""

import pytest

from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.parties.models import Customer
from comptoir.sales.models import SalesOrder
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(api):
    return CustomerFactory(code="C1"), ItemFactory(code="I1")


def snapshot():
    return (
        Invoice.objects.count(),
        InvoiceLine.objects.count(),
        SalesOrder.objects.count(),
        Customer.objects.count(),
    )


def invoice(lines, customer="C1"):
    return {"customer": customer, "lines": lines}


CASES = [
    ("unknown customer", invoice([{"item": "I1", "quantity": "1"}], "NOPE"), 404, "not_found"),
    ("unknown item", invoice([{"item": "NOPE", "quantity": "1"}]), 404, "not_found"),
    (
        "negative price",
        invoice([{"item": "I1", "quantity": "1", "unit_price": "-5"}]),
        400,
        "line.price_negative",
    ),
    ("quantity abc", invoice([{"item": "I1", "quantity": "abc"}]), 422, "validation_error"),
    (
        "zero quantity",
        invoice([{"item": "I1", "quantity": "0"}]),
        400,
        "line.quantity_not_positive",
    ),
    (
        "10^20 price",
        invoice([{"item": "I1", "quantity": "1", "unit_price": "100000000000000000000"}]),
        422,
        "validation_error",
    ),
    (
        "10^20 quantity",
        invoice([{"item": "I1", "quantity": 10**20}]),
        422,
        "validation_error",
    ),
    ("missing lines", {"customer": "C1"}, 422, "validation_error"),
    ("empty lines", invoice([]), 422, "validation_error"),
    (
        "discount over 100",
        invoice([{"item": "I1", "quantity": "1", "discount_pct": "150"}]),
        422,
        "validation_error",
    ),
    ("not an object", ["nope"], 422, "validation_error"),
]


@pytest.mark.parametrize(("label", "payload", "status", "code"), CASES, ids=[c[0] for c in CASES])
def test_bad_invoice_input_is_refused(api, setup, label, payload, status, code):
    before = snapshot()
    response = api.post("/invoices", payload)
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert body["message"]
    assert snapshot() == before


def test_bad_json_body_is_refused(api, setup):
    response = api.client.post("/api/invoices", data="{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert response.json()["code"]


def test_wrong_transitions_are_refused(api, setup):
    response = api.post("/invoices", invoice([{"item": "I1", "quantity": "1"}]))
    pk = response.json()["id"]
    assert api.post(f"/invoices/{pk}/issue").status_code == 200
    before = snapshot()
    response = api.post(f"/invoices/{pk}/issue")
    assert response.status_code == 409
    assert response.json() == {
        "code": "invoice.invalid_transition",
        "message": response.json()["message"],
        "field": "status",
    }
    response = api.post("/orders", {"customer": "C1", "lines": [{"item": "I1", "quantity": "1"}]})
    order = response.json()["id"]
    response = api.post(f"/orders/{order}/deliveries", {})
    assert response.status_code == 400
    assert response.json()["code"] == "delivery.order_not_confirmed"
    response = api.post(f"/orders/{order}/invoices")
    assert response.json()["code"] == "invoice.order_not_confirmed"
    assert api.post("/quotations/999999/accept").status_code == 404
    assert snapshot()[0:2] == before[0:2]


def test_payments_cannot_over_settle(api, setup):
    pk = api.post("/invoices", invoice([{"item": "I1", "quantity": "1"}])).json()["id"]
    api.post(f"/invoices/{pk}/issue")
    response = api.post(
        "/payments",
        {"customer": "C1", "amount": "100", "allocations": [{"invoice": pk, "amount": "50"}]},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "payment.allocation_exceeds_outstanding"
    response = api.post("/payments", {"customer": "C1", "amount": "-3"})
    assert response.json()["code"] == "payment.amount_not_positive"


def test_invalid_identifiers_are_refused(api):
    before = Customer.objects.count()
    response = api.post("/customers", {"name": "X", "siren": "123456789"})
    assert response.status_code == 400
    assert response.json()["field"] == "siren"
    response = api.post("/customers", {"name": "X", "vat_id": "FR00000000000"})
    assert response.status_code == 400
    assert response.json()["field"] == "vat_id"
    assert Customer.objects.count() == before


def test_the_api_needs_a_valid_token(client, company):
    assert client.get("/api/invoices").status_code == 401
    response = client.get("/api/invoices", HTTP_AUTHORIZATION="Bearer wrong")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_the_api_documentation_loads_nothing_from_a_cdn(client, company):
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui-bundle.js" in page
    assert "cdn." not in page and "https://" not in page.split("<body")[0]
    assert client.get("/api/openapi.json").json()["info"]["title"] == "Comptoir API"


@pytest.mark.parametrize(
    "path",
    [
        "/customers/36893488147419103232",  # past what a 64-bit key holds
        "/customers/0",
        "/customers?group_id=36893488147419103232",
        "/customers?offset=36893488147419103232",
        "/items?limit=100000",
    ],
)
def test_a_number_outside_what_the_schema_allows_is_a_422(api, path):
    response = api.get(path)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "validation_error"
