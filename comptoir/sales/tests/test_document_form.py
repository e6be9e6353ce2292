"""The draft form: live preview with the engine's prices, errors by field, save and edit."""

import re
from decimal import Decimal

import pytest

from comptoir.billing.models import Invoice
from comptoir.core.roles import ACCOUNTING, SALES
from comptoir.sales.models import Quotation
from conftest import make_user
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(client, company, django_user_model):
    client.force_login(make_user("bob", SALES, ACCOUNTING))
    return client


@pytest.fixture
def customer(company):
    return CustomerFactory(code="DUR")


@pytest.fixture
def items(company):
    return ItemFactory(code="A", sale_price=Decimal("12.50")), ItemFactory(code="B")


def form(**lines) -> dict:
    data = {"customer": "DUR", "date": "2026-11-24"}
    for key, value in lines.items():
        index, field = key.split("_", 1)
        data[f"lines-{index[1:]}-{field}"] = value
    return data


def test_preview_prices_and_totals_without_saving(browser, customer, items):
    response = browser.post(
        "/sales/quotations/new/", form(l0_item="A", l0_quantity="3"), HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="12,5"' in page  # the item's price, filled in
    assert "37,50\u00a0€" in page and "45,00\u00a0€" in page  # net, then with 20 % VAT
    assert not Quotation.objects.exists()


def test_changing_the_item_of_a_line_takes_the_new_items_price(browser, customer, items):
    data = form(l0_item="B", l0_priced_item="A", l0_quantity="2", l0_unit_price="12,5")
    browser.post("/sales/quotations/new/", data)
    line = Quotation.objects.get().lines.get()
    assert (line.item_code, line.unit_price) == ("B", Decimal("10.0000"))


def test_a_price_typed_by_the_user_is_kept(browser, customer, items):
    data = form(l0_item="A", l0_priced_item="A", l0_quantity="2", l0_unit_price="11")
    browser.post("/sales/quotations/new/", data)
    assert Quotation.objects.get().total_net == Decimal("22.00")


def test_letters_in_a_quantity_are_refused_next_to_the_field(browser, customer, items):
    data = form(l0_item="A", l0_quantity="2", l2_item="B", l2_quantity="deux")
    response = browser.post("/sales/quotations/new/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "«\u00a0deux\u00a0» n’est pas un nombre." in page
    assert not Quotation.objects.exists()


def test_an_unknown_customer_is_an_error_on_its_field(browser, customer, items):
    response = browser.post("/sales/orders/new/", {**form(l0_item="A"), "customer": "NOPE"})
    assert response.status_code == 400
    assert "NOPE" in response.content.decode()


def test_editing_a_draft_replaces_its_lines_then_issued_invoices_cannot_be_edited(
    browser, customer, items
):
    browser.post("/invoices/new/", form(l0_item="A", l0_quantity="1"))
    invoice = Invoice.objects.get()
    response = browser.post(
        f"/invoices/{invoice.pk}/edit/", form(l0_item="B", l0_priced_item="B", l0_quantity="4")
    )
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.total_net == Decimal("40.00")
    browser.post(f"/actions/invoice/{invoice.pk}/issue/")
    invoice.refresh_from_db()
    assert invoice.status == "issued"
    response = browser.post(f"/invoices/{invoice.pk}/edit/", form(l0_item="A", l0_quantity="9"))
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.total_net == Decimal("40.00")


def test_add_and_remove_lines(browser, customer, items):
    data = {**form(l0_item="A", l0_quantity="1", l1_item="B", l1_quantity="1"), "add_line": "1"}
    page = browser.post("/sales/quotations/new/", data, HTTP_HX_REQUEST="true").content.decode()
    assert 'name="lines-2-item"' in page
    data = {**form(l0_item="A", l0_quantity="1", l1_item="B", l1_quantity="1"), "remove_line": "0"}
    page = browser.post("/sales/quotations/new/", data, HTTP_HX_REQUEST="true").content.decode()
    assert 'name="lines-1-item"' not in page
    assert 'value="B"' in page


@pytest.fixture
def tshirt(company):
    from comptoir.catalog import services as catalog

    size = catalog.create_attribute(code="TAILLE", name="Taille", values=[("S", "S"), ("M", "M")])
    colour = catalog.create_attribute(
        code="COULEUR", name="Couleur", values=[("RGE", "Rouge"), ("BLE", "Bleu")]
    )
    template = ItemFactory(code="TSH", name="T-shirt", sale_price=Decimal("15.00"))
    catalog.set_template_attributes(template, [colour, size])
    catalog.generate_variants(template, {"COULEUR": ["RGE", "BLE"], "TAILLE": ["S", "M"]})
    return template


def test_a_grid_of_sizes_and_colours_becomes_one_line_per_variant(browser, customer, items, tshirt):
    variants = {v.code: v.pk for v in tshirt.variants.all()}
    data = {**form(l0_item="A", l0_quantity="1"), "grid_template": "TSH"}
    page = browser.post("/sales/quotations/new/", data, HTTP_HX_REQUEST="true").content.decode()
    assert "Couleur \\ Taille" in page and f'name="grid-{variants["TSH-BLE-M"]}"' in page
    data |= {f"grid-{variants['TSH-RGE-S']}": "2", f"grid-{variants['TSH-BLE-M']}": "deux"}
    page = browser.post(
        "/sales/quotations/new/", {**data, "add_grid": "1"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "«\u00a0deux\u00a0» n’est pas un nombre." in page  # on its cell; nothing added
    assert 'value="TSH-RGE-S"' not in page
    data[f"grid-{variants['TSH-BLE-M']}"] = "3"
    page = browser.post(
        "/sales/quotations/new/", {**data, "add_grid": "1"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'value="TSH-RGE-S"' in page and 'value="TSH-BLE-M"' in page
    assert f'name="grid-{variants["TSH-RGE-S"]}"' not in page  # the grid is closed
    # Saved with the grid still filled: its quantities become lines too, nothing is lost.
    response = browser.post("/sales/quotations/new/", {**data, "save": "1"})
    assert response.status_code == 302, re.findall(
        r'class="error"[^>]*>([^<]+)', response.content.decode()
    )
    lines = Quotation.objects.get().lines.order_by("position")
    assert [(line.item_code, line.quantity) for line in lines] == [
        ("A", Decimal("1")), ("TSH-BLE-M", Decimal("3")), ("TSH-RGE-S", Decimal("2")),
    ]  # fmt: skip
    assert lines[1].unit_price == Decimal("15")


def test_a_model_on_a_line_asks_for_its_size_or_colour(browser, customer, tshirt):
    response = browser.post("/sales/quotations/new/", form(l0_item="TSH", l0_quantity="1"))
    assert response.status_code == 400
    assert (
        "T-shirt existe en plusieurs tailles ou couleurs\u00a0: choisissez une de ses "
        "déclinaisons." in response.content.decode()
    )
    assert not Quotation.objects.exists()


@pytest.mark.parametrize("path", ["/sales/quotations/new/", "/sales/orders/new/", "/invoices/new/"])
def test_a_price_under_the_minimum_margin_is_said_to_who_may_sell_under_it(client, customer, path):
    from comptoir.core.models import Company
    from comptoir.core.roles import ADMINISTRATOR

    Company.objects.update(minimum_margin_pct=Decimal("25"))
    ItemFactory(code="C", sale_price=Decimal("20.00"), cost_price=Decimal("8.00"))  # floor 10
    client.force_login(make_user("chef", ADMINISTRATOR))
    data = form(l0_item="C", l0_priced_item="C", l0_quantity="2", l0_unit_price="9")
    page = client.post(path, data, HTTP_HX_REQUEST="true").content.decode()
    assert "Sous la marge minimale (10,00\u00a0€)" in page  # a warning: the line is priced
    assert "18,00\u00a0€" in page and 'class="error"' not in page
    page = client.post(path, {**data, "lines-0-unit_price": "11"}, HTTP_HX_REQUEST="true")
    assert "marge minimale" not in page.content.decode()
    assert client.post(path, data).status_code == 302  # still allowed
