"""The document form as a user meets it: a mistake on one line keeps the rest of the document
typed, priced and totalled; numbers are typed as Comptoir prints them."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from comptoir.sales.models import Quotation
from tests.browser.conftest import log_in
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def customer(company):
    ItemFactory(code="CHAISE", name="Chaise hêtre", sale_price=Decimal("45.00"))
    ItemFactory(code="TABLE", name="Table chêne", sale_price=Decimal("320.00"))
    ItemFactory(code="LAMPE", name="Lampe laiton", sale_price=Decimal("79.90"))
    return CustomerFactory(name="Boulangerie Durand")


def type_in(page, selector: str, value: str):
    page.fill(selector, value)
    page.locator(selector).dispatch_event("change")


def choose_item(page, index: int, code: str):
    type_in(page, f"#lines-{index}-item", code)
    expect(page.locator(f"#lines-{index}-description")).not_to_have_value("")


def test_an_error_on_one_line_keeps_the_others_typed_priced_and_totalled(page, clerk, customer):
    log_in(page)
    page.goto(f"/sales/quotations/new/?customer={customer.code}")
    net = page.locator("[data-total=net]")

    choose_item(page, 0, "CHAISE")
    type_in(page, "#lines-0-quantity", "4")
    expect(net).to_contain_text("180,00")

    # A quantity in letters on the second line: its error shows next to it …
    choose_item(page, 1, "TABLE")
    type_in(page, "#lines-1-quantity", "deux")
    expect(page.locator("td.qty.invalid .error")).to_contain_text("n’est pas un nombre")
    # … and the first line keeps its amount, the document its totals.
    expect(page.locator("#lines-block td.net").first).to_contain_text("180,00")
    expect(net).to_contain_text("180,00")

    # A new line is still priced, and what is typed on the others is kept.
    choose_item(page, 2, "LAMPE")
    expect(page.locator("#lines-2-unit_price")).to_have_value("79,9")
    type_in(page, "#lines-2-description", "Lampe laiton dorée")
    type_in(page, "#lines-0-discount_pct", "10")
    expect(net).to_contain_text("241,90")  # 4 × 45 − 10 % + 79,90
    type_in(page, "#lines-2-unit_price", "85")
    expect(net).to_contain_text("247,00")
    expect(page.locator("#lines-2-description")).to_have_value("Lampe laiton dorée")
    expect(page.locator("#lines-0-discount_pct")).to_have_value("10")
    expect(page.locator("td.qty.invalid .error")).to_contain_text("n’est pas un nombre")

    # Saving with the error: refused, nothing lost, the valid lines still totalled.
    page.click("button[name=save]")
    expect(page.locator("td.qty.invalid .error")).to_contain_text("n’est pas un nombre")
    expect(page.locator("#lines-2-description")).to_have_value("Lampe laiton dorée")
    expect(page.locator("#lines-2-unit_price")).to_have_value("85")
    expect(page.locator("#lines-0-discount_pct")).to_have_value("10")
    expect(net).to_contain_text("247,00")
    assert not Quotation.objects.exists()

    type_in(page, "#lines-1-quantity", "1")
    expect(net).to_contain_text("567,00")
    page.click("button[name=save]")
    expect(page.locator("#document-status")).to_have_text("Brouillon")
    quotation = Quotation.objects.get()
    assert quotation.total_net == Decimal("567.00")
    assert quotation.lines.get(position=3).description == "Lampe laiton dorée"


def test_lines_are_priced_before_the_customer_is_chosen(page, clerk, customer):
    log_in(page)
    page.goto("/sales/quotations/new/")
    choose_item(page, 0, "TABLE")
    expect(page.locator("[data-total=net]")).to_contain_text("320,00")
    page.fill("#id_customer", customer.code)
    page.click("button[name=save]")
    expect(page.locator("#document-status")).to_have_text("Brouillon")
    assert Quotation.objects.get().total_net == Decimal("320.00")
