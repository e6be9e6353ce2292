"""The same day through the REST API, as an e-shop or a mobile app would drive it."""

from decimal import Decimal

import pytest

from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db
D = Decimal


def test_quote_to_cash_through_the_api(api):
    ItemFactory(code="PAPER", sale_price=D("12.50"))
    response = api.post(
        "/items",
        {"code": "CHAIR", "name": "Chaise", "sale_price": "99.99", "tax": "TVA55"},
    )
    assert response.status_code == 201, response.json()
    api.post(
        "/items",
        {
            "code": "SETUP",
            "name": "Installation",
            "kind": "service",
            "sale_price": "65",
            "unit": "HUR",
        },
    )

    response = api.post(
        "/customers",
        {
            "name": "Menuiserie Dubois",
            "siren": "732 829 320",
            "vat_id": "FR44732829320",
            "addresses": [{"line1": "5 rue Neuve", "postal_code": "69001", "city": "Lyon"}],
        },
    )
    assert response.status_code == 201, response.json()
    customer = response.json()
    assert customer["siren"] == "732829320"
    assert customer["code"]

    response = api.post(
        "/quotations",
        {
            "customer": customer["code"],
            "lines": [
                {"item": "PAPER", "quantity": "10", "discount_pct": "10"},
                {"item": "CHAIR", "quantity": "4"},
                {"item": "SETUP", "quantity": "2"},
            ],
        },
    )
    assert response.status_code == 201, response.json()
    quotation = response.json()
    assert quotation["status"] == "draft"
    assert (quotation["total_net"], quotation["total_vat"], quotation["total_gross"]) == (
        "642.46",
        "70.50",
        "712.96",
    )

    qid = quotation["id"]
    assert api.post(f"/quotations/{qid}/send").json()["status"] == "sent"
    assert api.post(f"/quotations/{qid}/accept").json()["status"] == "accepted"
    response = api.post(f"/quotations/{qid}/order")
    assert response.status_code == 201
    order = response.json()
    oid = order["id"]
    assert api.post(f"/orders/{oid}/confirm").json()["status"] == "confirmed"
    paper, chair, _setup = order["lines"]

    response = api.post(
        f"/orders/{oid}/deliveries",
        {"lines": [{"line": paper["id"], "quantity": "4"}, {"line": chair["id"], "quantity": "4"}]},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "shipped"
    order = api.get(f"/orders/{oid}").json()
    assert order["delivery_status"] == "partly"
    assert order["lines"][0]["quantity_delivered"] == "4.000"

    response = api.post(f"/orders/{oid}/deliveries", {})
    assert response.status_code == 201
    assert [line["quantity"] for line in response.json()["lines"]] == ["6.000"]
    assert api.get(f"/orders/{oid}").json()["delivery_status"] == "fully"

    response = api.post(f"/orders/{oid}/invoices")
    assert response.status_code == 201, response.json()
    invoice = response.json()
    assert invoice["status"] == "draft" and invoice["total_gross"] == "712.96"
    iid = invoice["id"]
    invoice = api.post(f"/invoices/{iid}/issue").json()
    assert invoice["status"] == "issued"
    assert invoice["number"].endswith("-000001")
    assert invoice["payment_status"] == "unpaid"
    assert invoice["type_code"] == "380"

    response = api.post(
        "/payments",
        {
            "customer": customer["id"],
            "amount": "300.00",
            "method": "transfer",
            "allocations": [{"invoice": iid, "amount": "300.00"}],
        },
    )
    assert response.status_code == 201, response.json()
    invoice = api.get(f"/invoices/{iid}").json()
    assert (invoice["amount_paid"], invoice["outstanding"]) == ("300.00", "412.96")
    assert invoice["payment_status"] == "partly_paid"

    chair_line = next(line for line in invoice["lines"] if line["item_code"] == "CHAIR")
    response = api.post(
        f"/invoices/{iid}/credit-notes",
        {"lines": [{"line": chair_line["id"], "quantity": "1"}], "reason": "Casse", "issue": True},
    )
    assert response.status_code == 201, response.json()
    credit_note = response.json()
    assert credit_note["kind"] == "credit_note" and credit_note["type_code"] == "381"
    assert credit_note["number"].startswith("AV-")
    assert credit_note["total_gross"] == "105.49"
    order = api.get(f"/orders/{oid}").json()
    # A price reduction (the chair is kept): the order stays invoiced.
    assert order["billing_status"] == "fully"
    assert order["lines"][1]["quantity_invoiced"] == "4.000"

    invoice = api.get(f"/invoices/{iid}").json()
    assert invoice["outstanding"] == "307.47"
    payment = {"customer": customer["id"], "amount": "320.00"}
    response = api.post("/payments", payment)  # more than due: confirmed explicitly
    assert response.status_code == 422
    assert response.json()["code"] == "payment.amount_exceeds_due"
    response = api.post("/payments", {**payment, "confirm_overpayment": True})
    assert response.status_code == 201
    assert response.json()["unallocated"] == "12.53"  # stays as the customer's credit
    invoice = api.get(f"/invoices/{iid}").json()
    assert invoice["payment_status"] == "paid"
    balance = api.get(f"/customers/{customer['id']}/balance").json()
    assert balance["balance"] == "-12.53"
