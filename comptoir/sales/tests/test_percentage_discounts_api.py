"""Document discounts and charges given as a percentage, through the API."""

from decimal import Decimal

import pytest

from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def quotation_input(api):
    ItemFactory(code="CHAIR", sale_price=D("45.00"))  # the default tax: 20 %
    response = api.post(
        "/items", {"code": "BOOK", "name": "Livre", "sale_price": "21.10", "tax": "TVA55"}
    )
    assert response.status_code == 201, response.json()
    response = api.post(
        "/customers",
        {
            "name": "Librairie Martin",
            "addresses": [{"line1": "5 rue Neuve", "postal_code": "69001", "city": "Lyon"}],
        },
    )
    customer = response.json()["code"]
    return {
        "customer": customer,
        "lines": [{"item": "CHAIR", "quantity": "3"}, {"item": "BOOK", "quantity": "7"}],
    }


def test_a_percentage_on_the_whole_document_is_one_discount_per_vat_rate(api, quotation_input):
    response = api.post(
        "/quotations",
        {**quotation_input, "allowances_charges": [{"percent": "5", "reason": "Fidélité"}]},
    )
    assert response.status_code == 201, response.json()
    quotation = response.json()
    assert [
        (a["vat_rate"], a["base"], a["percent"], a["amount"])
        for a in quotation["allowances_charges"]
    ] == [("20.00", "135.00", "5", "6.75"), ("5.50", "147.70", "5", "7.39")]
    assert quotation["total_lines"] == "282.70"
    assert quotation["total_allowances"] == "14.14"
    assert quotation["total_net"] == "268.56"
    # 20 % of 128.25 = 25.65; 5.5 % of 140.31 = 7.72 (7.717)
    assert quotation["total_vat"] == "33.37"
    assert quotation["total_gross"] == "301.93"


def test_changing_the_discount_of_a_draft_totals_it_again(api, quotation_input):
    quotation = api.post("/quotations", quotation_input).json()
    response = api.patch(
        f"/quotations/{quotation['id']}",
        {"allowances_charges": [{"percent": "10", "tax": "TVA20", "reason": "Remise"}]},
    )
    assert response.status_code == 200, response.json()
    changed = response.json()
    assert changed["total_allowances"] == "13.50"
    assert changed["total_net"] == "269.20"
    # New lines keep the percentage: it is taken on them.
    response = api.patch(
        f"/quotations/{quotation['id']}", {"lines": [{"item": "CHAIR", "quantity": "10"}]}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["total_allowances"] == "45.00"


@pytest.mark.parametrize(
    ("row", "status", "code", "field"),
    [
        (
            {"amount": "5", "percent": "5", "tax": "TVA20"},
            422,
            "allowance.amount_or_percent",
            "allowances_charges[0].amount",
        ),
        ({"tax": "TVA20"}, 422, "allowance.amount_or_percent", "allowances_charges[0].amount"),
        ({"amount": "5"}, 422, "allowance.tax_missing", "allowances_charges[0].tax"),
        ({"percent": "5", "tax": "NOPE"}, 404, "not_found", "allowances_charges[0].tax"),
        ({"percent": "5", "tax": "TVA10"}, 422, "invalid_value", "allowances_charges.0.tax"),
    ],
)
def test_a_wrong_discount_is_refused_with_its_reason(
    api, quotation_input, row, status, code, field
):
    response = api.post("/quotations", {**quotation_input, "allowances_charges": [row]})
    assert response.status_code == status, response.json()
    answer = response.json()
    assert (answer["code"], answer["field"]) == (code, field)
    assert answer["message"]


@pytest.mark.parametrize("pct", ["-5", "100.5", "abc"])
def test_a_percentage_outside_0_to_100_is_refused(api, quotation_input, pct):
    response = api.post(
        "/quotations", {**quotation_input, "allowances_charges": [{"percent": pct}]}
    )
    assert response.status_code == 422, response.json()
    assert "percent" in str(response.json())


def test_a_refused_discount_is_said_in_french(api, quotation_input, settings):
    response = api.client.post(
        "/api/quotations",
        {
            **quotation_input,
            "allowances_charges": [{"amount": "5", "percent": "5", "tax": "TVA20"}],
        },
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 422
    assert "pourcentage" in response.json()["message"]
