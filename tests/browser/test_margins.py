"""Margins in the browser: the goods are bought at two costs, sold and invoiced; the owner sees
each line's cost and margin on the invoice and the stock's value on the item page."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from comptoir.billing import services as billing
from comptoir.core.services import update_company
from comptoir.pricing.engine import LineSpec
from comptoir.sales import services as sales
from comptoir.stock import services as stock
from tests.browser.conftest import log_in
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


def test_the_owner_sees_the_margin_of_an_invoice_and_the_value_of_her_stock(
    page, clerk, screenshot
):
    update_company(stock_management=True)
    lamp = ItemFactory(code="LAMPE", name="Lampe de bureau", sale_price=D("25"))
    stock.receive(lamp, "10", unit_cost=D("5"))
    stock.receive(lamp, "10", unit_cost=D("7"))
    order = sales.confirm_order(
        sales.create_order(CustomerFactory(name="Bureau Vallée"), [LineSpec(lamp, D("4"))])
    )
    stock.create_delivery(order)
    invoice = billing.issue_invoice(billing.invoice_order(order))
    log_in(page)

    page.goto(invoice.get_absolute_url())
    expect(page.locator("#cost-total")).to_have_text("24,00\xa0€")  # 4 at an average of 6
    expect(page.locator("#margin-total")).to_have_text("76,00\xa0€")  # 100 sold − 24
    expect(page.locator("table.document-lines thead")).to_contain_text("Marge")
    screenshot("invoice-margin")

    page.goto(lamp.get_absolute_url())
    section = page.locator("#stock-value")
    expect(section).to_contain_text("Valeur du stock")
    expect(section.locator("tbody tr")).to_contain_text("96,00\xa0€")  # 16 left at 6
    screenshot("item-stock-value")
