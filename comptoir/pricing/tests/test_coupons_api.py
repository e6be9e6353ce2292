"""Coupons through the API: create, change, switch off, generate a batch; documents with a
coupon; each refusal a 4xx with its stable code on the coupon field."""

from decimal import Decimal

import pytest

from comptoir.pricing.models import Coupon, CouponRedemption
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair(company):
    return ItemFactory(code="CHAISE", sale_price=Decimal("100"))


def test_a_coupon_made_through_the_api_discounts_a_quotation(api, chair):
    created = api.post(
        "/coupons",
        {
            "code": "printemps",
            "name": "Printemps",
            "reward": "percent",
            "value": "15",
            "max_uses": 1,
        },
    )
    assert created.status_code == 201, created.json()
    assert created.json()["code"] == "PRINTEMPS"
    customer = CustomerFactory()
    quotation = api.post(
        "/quotations",
        {
            "customer": customer.code,
            "lines": [{"item": "CHAISE", "quantity": "2"}],
            "coupon_code": "Printemps",
        },
    )
    assert quotation.status_code == 201, quotation.json()
    body = quotation.json()
    assert body["coupon_code"] == "PRINTEMPS"
    assert body["total_allowances"] == "30.00", body
    coupon = api.get(f"/coupons/{created.json()['id']}").json()
    assert coupon["uses"] == 1
    again = api.post(
        "/quotations",
        {
            "customer": customer.code,
            "lines": [{"item": "CHAISE", "quantity": "1"}],
            "coupon_code": "PRINTEMPS",
        },
    )
    assert again.status_code == 400
    assert again.json()["code"] == "coupon.used_up"
    assert again.json()["field"] == "coupon_code"
    assert "PRINTEMPS" in again.json()["message"]
    history = api.get(f"/coupons/{created.json()['id']}/redemptions").json()
    assert [(h["customer"], h["quotation_id"]) for h in history] == [
        (customer.code, quotation.json()["id"])
    ]


def test_removing_the_coupon_of_a_draft_through_the_api_gives_its_use_back(api, chair):
    api.post("/coupons", {"code": "ETE", "name": "Été", "value": "10", "max_uses": 1})
    customer = CustomerFactory()
    created = api.post(
        "/invoices",
        {
            "customer": customer.code,
            "lines": [{"item": "CHAISE", "quantity": "1"}],
            "coupon_code": "ETE",
        },
    ).json()
    changed = api.patch(f"/invoices/{created['id']}", {"coupon_code": ""})
    assert changed.status_code == 200, changed.json()
    assert changed.json()["coupon_code"] == ""
    assert CouponRedemption.objects.count() == 0


@pytest.mark.parametrize(
    ("coupon", "code"),
    [
        ({"active": False}, "coupon.inactive"),
        ({"valid_to": "2020-01-31"}, "coupon.expired"),
        ({"minimum_amount": "500"}, "coupon.below_minimum"),
    ],
)
def test_a_coupon_that_does_not_apply_is_a_400_with_its_code(api, chair, coupon, code):
    made = api.post("/coupons", {"code": "X1", "name": "X", "value": "10", **coupon})
    assert made.status_code == 201, made.json()
    refused = api.post(
        "/invoices",
        {
            "customer": CustomerFactory().code,
            "lines": [{"item": "CHAISE", "quantity": "1"}],
            "coupon_code": "x1",
        },
    )
    assert refused.status_code == 400
    assert (refused.json()["code"], refused.json()["field"]) == (code, "coupon_code")


def test_an_unknown_code_and_a_coupon_that_contradicts_itself_are_4xx(api, chair):
    refused = api.post(
        "/orders",
        {
            "customer": CustomerFactory().code,
            "lines": [{"item": "CHAISE", "quantity": "1"}],
            "coupon_code": "NOPE",
        },
    )
    assert (refused.status_code, refused.json()["code"]) == (400, "coupon.unknown")
    bad = api.post("/coupons", {"code": "Y", "name": "Y", "value": "150"})
    assert (bad.status_code, bad.json()["code"], bad.json()["field"]) == (
        422,
        "coupon.invalid",
        "value",
    )
    api.post("/coupons", {"code": "Y", "name": "Y", "value": "5"})
    taken = api.post("/coupons", {"code": "y", "name": "Y", "value": "5"})
    assert (taken.status_code, taken.json()["code"]) == (400, "coupon.code_taken")


def test_a_batch_is_generated_and_switched_off(api, company):
    made = api.post(
        "/coupons/generate",
        {"prefix": "noel-", "count": 20, "name": "Noël", "reward": "amount", "value": "5"},
    )
    assert made.status_code == 201, made.json()
    codes = [c["code"] for c in made.json()]
    assert len(set(codes)) == 20 and all(c.startswith("NOEL-") for c in codes)
    listed = api.get("/coupons?campaign=NOEL-").json()
    assert len(listed) == 20
    one = made.json()[0]["id"]
    assert api.patch(f"/coupons/{one}", {"active": False}).json()["active"] is False
    assert len(api.get("/coupons?campaign=NOEL-").json()) == 19
    assert api.delete(f"/coupons/{one}").status_code == 204
    assert Coupon.objects.count() == 19
