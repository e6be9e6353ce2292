"""A quotation priced by rules, as a salesperson types it: the price follows the quantity, the
explanation says why, and the saved quotation's totals are the API's."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from comptoir.catalog.models import ItemGroup
from comptoir.parties.models import CustomerGroup
from comptoir.pricing import services
from comptoir.sales.models import Quotation
from tests.browser.conftest import log_in
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def priced(company):
    retail = CustomerGroup.objects.create(name="Détaillants")
    coffee = ItemGroup.objects.create(name="Cafés")
    ItemFactory(code="ARA", name="Café arabica 1 kg", group=coffee, sale_price=Decimal("20"))
    services.save_rule(
        code="DET", name="Remise détaillants", action="discount_pct", value=Decimal("10"),
        customer_group=retail,
    )  # fmt: skip
    services.save_rule(
        code="VOL", name="Prix de gros dès 10 kg", action="fixed_price", value=Decimal("16"),
        item_group=coffee, min_quantity=Decimal("10"), priority=5,
    )  # fmt: skip
    return CustomerFactory(name="Épicerie du port", group=retail)


def type_in(page, selector: str, value: str):
    page.fill(selector, value)
    page.locator(selector).dispatch_event("change")


def test_the_price_follows_the_rules_and_says_why(page, clerk, priced):
    log_in(page)
    page.goto(f"/sales/quotations/new/?customer={priced.code}")
    net = page.locator("[data-total=net]")
    type_in(page, "#lines-0-item", "ARA")
    expect(page.locator("#lines-0-unit_price")).to_have_value("20")
    expect(page.locator("#lines-0-discount_pct")).to_have_value("10")
    type_in(page, "#lines-0-quantity", "3")
    expect(net).to_contain_text("54,00")  # 3 × 20 − 10 %

    # Ten kilos reach the volume price: the engine's price follows the quantity, also in the
    # price field the user tabs into as the quantity is sent.
    page.fill("#lines-0-quantity", "10")
    page.press("#lines-0-quantity", "Tab")
    expect(page.locator("#lines-0-unit_price")).to_be_focused()
    expect(page.locator("#lines-0-unit_price")).to_have_value("16")
    expect(net).to_contain_text("144,00")
    why = page.locator("#lines-block details.why-price").first
    why.locator("summary").click()
    expect(why).to_contain_text("Règle «\u00a0Prix de gros dès 10 kg\u00a0»\u00a0: prix fixe 16,00")
    expect(why).to_contain_text("16,00\u00a0€ → 14,40\u00a0€")

    # A price typed by hand is the price (the rules' discount was on theirs): it stays when the
    # quantity changes, and the explanation says so.
    type_in(page, "#lines-0-unit_price", "17")
    type_in(page, "#lines-0-quantity", "12")
    expect(page.locator("#lines-0-unit_price")).to_have_value("17")
    expect(page.locator("#lines-0-discount_pct")).to_have_value("0")
    expect(net).to_contain_text("204,00")  # 12 × 17
    page.locator("#lines-block details.why-price").first.locator("summary").click()
    expect(page.locator("#lines-block details.why-price").first).to_contain_text("Prix saisi")

    page.click("button[name=save]")
    expect(page.locator("h1")).to_contain_text("Devis")
    quotation = Quotation.objects.get()
    page.locator("details.why-price summary").first.click()
    expect(page.locator("details.why-price").first).to_contain_text("Remise détaillants")
    answer = page.request.get(f"/api/quotations/{quotation.pk}").json()
    assert Decimal(answer["total_net"]) == Decimal("204.00") == quotation.total_net
    assert Decimal(answer["total_gross"]) == quotation.total_gross
    expect(page.locator("[data-total=net]")).to_contain_text("204,00")
    steps = [step["kind"] for step in answer["lines"][0]["price_explanation"]]
    assert steps == ["item", "rule", "rule", "manual_price"]
