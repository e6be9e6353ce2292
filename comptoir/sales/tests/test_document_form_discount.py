"""The document form's discount on the whole document: a percentage or an amount, kept beside
the document's other allowances and charges."""

from decimal import Decimal

import pytest

from comptoir.core.roles import ACCOUNTING, SALES
from comptoir.pricing.engine import LineSpec
from comptoir.pricing.models import Tax
from comptoir.sales.models import Quotation
from comptoir.sales.services import create_quotation
from conftest import make_user
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db

SHIPPING = {"amount": "9.90", "is_charge": True, "reason": "Port", "vat_category": "S",
            "vat_rate": "20.00"}  # fmt: skip


@pytest.fixture
def browser(client, company):
    client.force_login(make_user("bob", SALES, ACCOUNTING))
    return client


@pytest.fixture
def customer(company):
    ItemFactory(code="A", sale_price=Decimal("12.50"))
    return CustomerFactory(code="DUR")


def form(**discount) -> dict:
    data = {"customer": "DUR", "date": "2026-11-24", "lines-0-item": "A"}
    data["lines-0-priced_item"] = "A"
    data["lines-0-quantity"] = "8"
    return {**data, **{f"discount_{k}": v for k, v in discount.items()}}


def test_a_percentage_typed_in_the_form_is_saved_and_shown_again(browser, customer):
    response = browser.post("/sales/quotations/new/", form(value="12,5"))
    assert response.status_code == 302
    quotation = Quotation.objects.get()
    assert (quotation.total_allowances, quotation.total_net) == (Decimal("12.50"), Decimal("87.50"))
    page = browser.get(f"/sales/quotations/{quotation.pk}/edit/").content.decode()
    assert 'id="id_discount_value" value="12,5"' in page
    assert "Remise 12,5\u00a0%" in page


@pytest.mark.parametrize(
    ("discount", "message"),
    [
        ({"value": "150"}, "entre 0 et 100"),
        ({"value": "dix"}, "nombre"),
        ({"value": "-3"}, "négative"),
        ({"value": "5", "kind": "amount"}, "Choisissez la TVA"),
    ],
)
def test_a_wrong_discount_is_said_beside_it_and_nothing_is_saved(
    browser, customer, discount, message
):
    response = browser.post("/sales/quotations/new/", form(**discount))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="error-discount"' in page and message in page
    assert not Quotation.objects.exists()


def test_the_form_keeps_the_other_charges_and_shows_an_api_discount(browser, customer):
    quotation = create_quotation(
        customer,
        [LineSpec(item=None, description="Conseil", quantity=Decimal("1"),
                  unit_price=Decimal("200"), tax=Tax.objects.get(code="TVA20"))],
        allowances_charges=[{"percent": "5", "reason": "Fidélité"}, SHIPPING],
    )  # fmt: skip
    page = browser.get(f"/sales/quotations/{quotation.pk}/edit/").content.decode()
    assert 'id="id_discount_value" value="5"' in page
    data = {
        "customer": "DUR",
        "date": quotation.date.isoformat(),
        "lines-0-description": "Conseil",
        "lines-0-quantity": "1",
        "lines-0-unit_price": "200",
        "lines-0-tax": "TVA20",
        "discount_value": "20",
        "discount_kind": "amount",
        "discount_tax": "TVA20",
    }
    response = browser.post(f"/sales/quotations/{quotation.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()
    quotation.refresh_from_db()
    assert quotation.allowances_charges[0] == SHIPPING
    assert [(r["amount"], r.get("percent")) for r in quotation.allowances_charges[1:]] == [
        ("20.00", None)
    ]
    assert quotation.total_net == Decimal("189.90")


def test_a_discount_on_a_vat_rate_no_line_has_is_said_and_the_rest_is_totalled(browser, customer):
    response = browser.post(
        "/sales/quotations/new/", form(value="5", tax="TVA55"), HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert 'id="error-discount"' in page and "Aucune ligne" in page
    assert "100,00\u00a0€" in page  # 8 × 12,50, without the discount
