"""A discount on the whole document, as a user types it on a quotation: 10 % off, previewed as
she types, saved, and the same totals on the screen as in the API."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from comptoir.core.services import create_token
from comptoir.pricing.models import Tax
from comptoir.sales.models import Quotation
from tests.browser.conftest import log_in
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db(transaction=True)


def type_in(page, selector: str, value: str):
    page.fill(selector, value)
    page.locator(selector).dispatch_event("change")


def test_a_10_percent_discount_on_a_quotation_shows_the_totals_the_api_gives(page, clerk, client):
    ItemFactory(code="CHAISE", name="Chaise hêtre", sale_price=Decimal("45.00"))
    ItemFactory(
        code="LIVRE",
        name="Livre de cuisine",
        sale_price=Decimal("21.10"),
        tax=Tax.objects.get(code="TVA55"),
    )
    customer = CustomerFactory(name="Boulangerie Durand")
    log_in(page)
    page.goto(f"/sales/quotations/new/?customer={customer.code}")
    net = page.locator("[data-total=net]")
    type_in(page, "#lines-0-item", "CHAISE")
    expect(page.locator("#lines-0-description")).not_to_have_value("")
    type_in(page, "#lines-0-quantity", "3")
    type_in(page, "#lines-1-item", "LIVRE")
    expect(page.locator("#lines-1-description")).not_to_have_value("")
    type_in(page, "#lines-1-quantity", "7")
    expect(net).to_contain_text("282,70")

    type_in(page, "#id_discount_value", "10")
    expect(page.locator("tr.allowance-charge")).to_contain_text("Remise 10\u00a0%")
    # One line on screen; one discount per VAT rate underneath: 13,50 + 14,77.
    expect(page.locator("tr.allowance-charge")).to_have_count(1)
    expect(page.locator("tr.allowance-charge")).to_contain_text("28,27")
    expect(net).to_contain_text("254,43")

    # A percentage over 100: said beside the discount, the rest still totalled.
    type_in(page, "#id_discount_value", "150")
    expect(page.locator("#error-discount")).to_contain_text("entre 0 et 100")
    type_in(page, "#id_discount_value", "10")
    expect(net).to_contain_text("254,43")

    page.click("button[name=save]")
    expect(page.locator("#document-status")).to_have_text("Brouillon")
    shown = {
        name: page.locator(f"[data-total={name}]").inner_text() for name in ("net", "vat", "gross")
    }
    quotation = Quotation.objects.get()
    _token, key = create_token(clerk, "browser test")
    answer = client.get(
        f"/api/quotations/{quotation.pk}", HTTP_AUTHORIZATION=f"Bearer {key}"
    ).json()
    assert [(a["vat_rate"], a["percent"], a["amount"]) for a in answer["allowances_charges"]] == [
        ("20.00", "10", "13.50"),
        ("5.50", "10", "14.77"),
    ]
    for name in ("net", "vat", "gross"):
        amount = answer[f"total_{name}"].replace(".", ",")
        assert amount in shown[name].replace("\u202f", "").replace("\u00a0", ""), (name, shown)
    assert answer["total_net"] == "254.43"

    # Edited again, the form shows the discount as it was typed.
    page.goto(f"/sales/quotations/{quotation.pk}/edit/")
    expect(page.locator("#id_discount_value")).to_have_value("10")
    expect(net).to_contain_text("254,43")
