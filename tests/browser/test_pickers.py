"""Pickers that scale: customers and items are found by name, code, SIREN or barcode as the
user types, chosen with the mouse or the keyboard, and the box then shows the name."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from comptoir.core.services import update_company
from tests.browser.conftest import log_in
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_customer_and_an_item_are_picked_by_name_and_keyboard(page, clerk):
    CustomerFactory(code="C-BD", name="Boulangerie Durand", siren="732829320")
    CustomerFactory(code="C-BM", name="Boucherie Martin")
    ItemFactory(code="TAB-CH", name="Tablier de cuisine", sale_price=Decimal("24.50"))
    ItemFactory(code="TOR", name="Torchon", barcode="4006381333931")
    log_in(page)
    page.goto("/sales/quotations/new/")

    page.fill("#id_customer", "durand")
    options = page.locator("#id_customer-picks [role=option]")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("732829320")
    page.press("#id_customer", "ArrowDown")
    page.press("#id_customer", "Enter")
    expect(page.locator("#id_customer")).to_have_value("Boulangerie Durand")
    expect(page.locator("#id_customer-value")).to_have_value("C-BD")

    # By SIREN too; Escape closes the list and keeps the customer chosen.
    page.fill("#id_customer", "732 829")
    expect(options).to_have_count(1)
    page.press("#id_customer", "Escape")
    expect(page.locator("#id_customer-picks")).to_be_hidden()

    # An item by part of its name, chosen with the mouse: the line is priced.
    page.fill("#lines-0-item", "tablier")
    page.click("#lines-0-item-picks li:has-text('Tablier de cuisine')")
    expect(page.locator("#lines-0-description")).to_have_value("Tablier de cuisine")
    expect(page.locator("#lines-block td.net").first).to_contain_text("24,50")

    # A barcode, as a scanner types it, followed by Enter.
    page.fill("#lines-1-item", "4006381333931")
    expect(page.locator("#lines-1-item-picks [role=option]")).to_have_count(1)
    page.press("#lines-1-item", "Enter")
    expect(page.locator("#lines-1-description")).to_have_value("Torchon")


def test_nothing_found_says_so(page, clerk):
    log_in(page)
    page.goto("/sales/orders/new/")
    page.fill("#id_customer", "zzzz")
    expect(page.locator("#id_customer-picks")).to_contain_text("Aucun client trouvé.")


def test_the_stock_move_form_picks_goods_only(page, clerk):
    update_company(stock_management=True)
    ItemFactory(code="LAMPE", name="Lampe de bureau")
    ItemFactory(code="POSE", name="Pose de lampe", kind="service")
    log_in(page)
    page.goto("/stock/moves/new/")
    page.fill("#id_item", "lampe")
    options = page.locator("#id_item-picks [role=option]")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("Lampe de bureau")


def test_a_quick_choice_never_takes_an_older_search(page, clerk):
    """On a slow server, the list shown on focus stayed while the search for what was typed
    ran: a quick click chose a customer of the older list."""
    CustomerFactory(code="C-AP", name="Atelier Petit")
    CustomerFactory(code="C-GD", name="Garage Dubois")
    log_in(page)
    page.goto("/sales/quotations/new/")
    page.focus("#id_customer")
    options = page.locator("#id_customer-picks [role=option]")
    expect(options).to_have_count(2)  # the list shown on focus

    def slowly(route):
        page.wait_for_timeout(800)
        route.continue_()

    page.route("**/customers/options/**", slowly)
    page.type("#id_customer", "dubo")
    expect(options).to_have_count(0)  # at once: nothing of the older list to click
    page.press("#id_customer", "Enter")  # before the answer: waits for it
    expect(page.locator("#id_customer-value")).to_have_value("C-GD")
    expect(page.locator("#id_customer")).to_have_value("Garage Dubois")


def test_a_price_lists_price_is_given_to_an_item_picked_by_name(page, clerk):
    from comptoir.catalog.models import PriceList

    ItemFactory(code="TAB-CH", name="Tablier de cuisine", sale_price=Decimal("24.50"))
    ItemFactory(code="TOR", name="Torchon")
    pros = PriceList.objects.create(code="PRO", name="Professionnels")
    log_in(page)
    page.goto(f"/price-lists/{pros.pk}/")
    form = page.locator("form:has(#id_item)")
    expect(form).to_contain_text("Article")
    expect(page.locator("select[name=item]")).to_have_count(0)  # no list of every item
    page.fill("#id_item", "tablier")
    page.click("#id_item-picks li:has-text('Tablier de cuisine')")
    expect(page.locator("#id_item-value")).to_have_value("TAB-CH")
    page.fill("#id_min_quantity", "1")
    page.fill("#id_price", "19,90")
    form.locator("button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("Tablier de cuisine")
    assert pros.prices.get().item.code == "TAB-CH"
