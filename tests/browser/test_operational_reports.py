"""A manager's morning in the browser: the dashboard's backlog figure → the backlog report,
the late order first and flagged → the order itself; then what is left to invoice."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from comptoir.pricing.engine import LineSpec
from comptoir.sales import services as sales
from comptoir.stock import services as stock
from tests.browser.conftest import log_in
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal
NBSP = "\u00a0"


@pytest.fixture
def orders(company):
    apron = ItemFactory(code="TABLIER", name="Tablier de cuisine", sale_price=D("24.00"))
    today = dt.date.today()
    on_time = sales.confirm_order(
        sales.create_order(
            CustomerFactory(name="Auberge du Lac"),
            [LineSpec(apron, D("2"))],
            requested_delivery_date=today + dt.timedelta(days=20),
        )
    )
    late = sales.confirm_order(
        sales.create_order(
            CustomerFactory(name="Bistrot Lumière"),
            [LineSpec(apron, D("10"))],
            requested_delivery_date=today - dt.timedelta(days=3),
        )
    )
    stock.create_delivery(late, {late.lines.get().pk: D("4")})
    return late, on_time


def test_from_the_dashboard_to_the_late_order(page, clerk, orders, screenshot):
    late, _on_time = orders
    log_in(page)
    figure = page.locator("[data-indicator=open_orders]")
    expect(figure).to_have_text(f"192,00{NBSP}€")  # 6 aprons left + 2 aprons: 8 × 24 €
    figure.locator("a").click()
    page.wait_for_url("**/reports/backlog/")
    expect(page.locator("h1")).to_have_text("Carnet de commandes")
    expect(page.locator("[data-total]")).to_have_text(f"192,00{NBSP}€")
    first = page.locator("table.list tbody tr").first
    expect(first).to_have_class("late")
    expect(first).to_contain_text("En retard")
    expect(first).to_contain_text("Bistrot Lumière")
    expect(first.locator("td.money")).to_have_text(f"144,00{NBSP}€")
    screenshot("backlog")
    first.get_by_role("link", name=late.number).click()
    page.wait_for_url(f"**{late.get_absolute_url()}")
    expect(page.locator("h1")).to_contain_text(late.number)

    # What the first delivery brought is to invoice, with the way to invoice it.
    page.goto("/")
    page.locator("[data-indicator=not_invoiced] a").click()
    page.wait_for_url("**/reports/to-invoice/")
    expect(page.locator("[data-total]")).to_have_text(f"96,00{NBSP}€")
    page.get_by_role("link", name="Facturer les livraisons").first.click()
    page.wait_for_url("**/invoices/from-deliveries/")
