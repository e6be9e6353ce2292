"""Stock in the browser: receive goods, confirm an order (reserved), pick, ship, see it."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from comptoir.core.services import update_company
from comptoir.pricing.engine import LineSpec
from comptoir.sales import services as sales
from comptoir.stock.models import DeliveryNote
from comptoir.stock.queries import stock_figures
from tests.browser.conftest import log_in
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_receive_reserve_pick_and_ship(page, clerk, screenshot):
    update_company(stock_management=True)
    lamp = ItemFactory(code="LAMPE", name="Lampe de bureau")
    log_in(page)

    page.goto("/stock/moves/new/")
    page.fill("#id_item", "lampe")
    page.click("#id_item-picks li:has-text('Lampe de bureau')")
    expect(page.locator("#id_item-value")).to_have_value("LAMPE")
    page.fill("#id_quantity", "12")
    page.fill("#id_reason", "Livraison fournisseur")
    page.click("main button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Mouvement de stock enregistré")

    order = sales.create_order(CustomerFactory(name="Bureau Vallée"), [LineSpec(lamp, Decimal(5))])
    page.goto(order.get_absolute_url())
    page.click("button:has-text('Confirmer')")
    page.goto("/stock/?q=LAMPE")
    row = page.locator("table tbody tr").first
    expect(row).to_contain_text("12")  # on hand
    expect(row).to_contain_text("7")  # available once 5 are reserved

    page.goto(order.get_absolute_url())
    page.click("text=Livrer")
    page.uncheck("input[name=ship]")
    page.click("main button[type=submit]")
    delivery = DeliveryNote.objects.get()

    page.goto("/stock/picking/")
    page.check(f"input[name=delivery][value='{delivery.pk}']")
    page.click("text=Établir la liste de préparation")
    expect(page.locator("main")).to_contain_text("Lampe de bureau")
    screenshot("picking-list")
    page.click("text=Marquer ces livraisons comme préparées")
    expect(page.locator(".messages")).to_contain_text("1 livraisons préparées")

    page.goto(delivery.get_absolute_url())
    page.click("button:has-text('Expédier')")
    expect(page.locator("#document-status")).to_have_text("Expédié")
    (figures,) = stock_figures(item_ids=[lamp.pk])
    assert (figures.on_hand, figures.reserved) == (Decimal("7"), Decimal("0"))
