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
    expect(page.locator("#error-customer")).to_have_text("Choisissez un client.")
    page.fill("#id_customer", "Boulangerie")
    expect(page.locator("#id_customer-picks [role=option]")).to_have_count(1)
    page.press("#id_customer", "ArrowDown")
    page.press("#id_customer", "Enter")
    expect(page.locator("#id_customer-value")).to_have_value(customer.code)
    expect(page.locator("#error-customer")).to_be_empty()
    expect(page.locator("#error-customer")).not_to_have_class("error")
    page.click("button[name=save]")
    expect(page.locator("#document-status")).to_have_text("Brouillon")
    assert Quotation.objects.get().total_net == Decimal("320.00")


def test_amounts_are_typed_as_comptoir_prints_them(page, clerk, customer):
    from comptoir.catalog.models import Item
    from comptoir.pricing.engine import LineSpec
    from comptoir.sales import services as sales

    table = Item.objects.get(code="TABLE")
    sales.create_quotation(customer, [LineSpec(table, Decimal(20))])  # 7 680,00 € incl. VAT
    sales.create_quotation(customer, [LineSpec(table, Decimal(1))])  # 384,00 €
    log_in(page)

    # A price typed with its grouping and its currency, in an item's form …
    page.goto(table.get_absolute_url())
    page.fill("#id_sale_price", "5\u202f000,00 €")
    page.fill("#id_cost_price", "1 234,5")
    page.click("main button[type=submit]")
    expect(page.locator(".error")).to_have_count(0)
    table.refresh_from_db()
    assert (table.sale_price, table.cost_price) == (Decimal("5000"), Decimal("1234.5"))

    # … on a document line …
    page.goto(f"/sales/quotations/new/?customer={customer.code}")
    choose_item(page, 0, "CHAISE")
    type_in(page, "#lines-0-unit_price", "1\u00a0000,00 €")
    expect(page.locator("[data-total=net]")).to_contain_text("1\u202f000,00")

    # … and in a list's amount filter, as the list prints its amounts.
    page.goto("/sales/quotations/")
    page.fill("#id_amount_min", "5\u00a0000,00 €")
    page.click("form.filters button[type=submit]")
    expect(page.locator("form.filters .error")).to_have_count(0)
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    expect(page.locator("table.list tbody")).to_contain_text("7")

    # In English, a comma groups thousands.
    page.select_option("select[name=language]", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto("/sales/quotations/")
    page.fill("#id_amount_max", "1,234.50")
    page.click("form.filters button[type=submit]")
    expect(page.locator("form.filters .error")).to_have_count(0)
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    expect(page.locator("table.list tbody")).to_contain_text("384.00")


def test_dates_and_prices_that_cannot_be_are_refused_next_to_their_field(page, clerk, customer):
    from comptoir.catalog.models import Item

    log_in(page)
    page.goto(f"/sales/quotations/new/?customer={customer.code}")
    page.fill("#id_date", "2026-12-10")
    page.fill("#id_valid_until", "2026-12-01")
    choose_item(page, 0, "CHAISE")
    page.click("button[name=save]")
    expect(page.locator("label.invalid:has(#id_valid_until) .error")).to_contain_text(
        "ne peut pas être valable jusqu’à une date antérieure"
    )
    expect(page.locator("#lines-0-description")).to_have_value("Chaise hêtre")
    expect(page.locator("[data-total=net]")).to_contain_text("45,00")
    assert not Quotation.objects.exists()

    chair = Item.objects.get(code="CHAISE")
    page.goto(chair.get_absolute_url())
    page.fill("#id_sale_price", "-5")
    page.fill("#id_cost_price", "-2")
    page.click("main button[type=submit]")
    expect(page.locator("main .error")).to_have_count(2)
    expect(page.locator("main .error").first).to_contain_text("Un prix ne peut pas être négatif")
    chair.refresh_from_db()
    assert chair.sale_price == Decimal("45.00")
