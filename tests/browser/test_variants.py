"""Variants as a shopkeeper meets them: sizes and colours created, a T-shirt's grid of six
variants generated and edited at once, then a quotation entered by size and colour."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from comptoir.catalog.models import Item
from comptoir.sales.models import Quotation
from tests.browser.conftest import log_in
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db(transaction=True)


def new_attribute(page, code: str, name: str, values: str):
    page.goto("/items/attributes/new/")
    page.fill("#id_code", code)
    page.fill("#id_name", name)
    page.fill("#id_values", values)
    page.click("main button[type=submit]")
    expect(page.locator("ul.messages")).to_contain_text(f"Attribut {name} enregistré.")


def test_a_grid_of_two_colours_and_three_sizes_then_a_quotation_by_size_and_colour(
    page, clerk, company
):
    tshirt = ItemFactory(code="TSH", name="T-shirt coton", sale_price=Decimal("15.00"))
    customer = CustomerFactory(name="Boutique Lumière")
    log_in(page)
    new_attribute(page, "COULEUR", "Couleur", "RGE;Rouge\nBLE;Bleu")
    new_attribute(page, "TAILLE", "Taille", "S;S\nM;M\nL;L")

    # The T-shirt becomes a model: its colours down, its sizes across.
    page.goto(f"/items/{tshirt.pk}/")
    page.click("nav.tabs >> text=Déclinaisons")
    page.check("input[name=attribute][value=COULEUR]")
    page.check("input[name=attribute][value=TAILLE]")
    page.click("text=Enregistrer les attributs")
    expect(page.locator("ul.messages")).to_contain_text("TSH a maintenant des déclinaisons")

    # Nothing ticked for the sizes: said beside them, nothing created.
    page.check("input[name=value-COULEUR][value=RGE]")
    page.click("text=Créer les déclinaisons")
    expect(page.locator("fieldset.invalid")).to_contain_text(
        "Choisissez au moins une valeur de taille."
    )
    for code in ("BLE", "RGE"):
        page.check(f"input[name=value-COULEUR][value={code}]")
    for code in ("S", "M", "L"):
        page.check(f"input[name=value-TAILLE][value={code}]")
    page.click("text=Créer les déclinaisons")
    expect(page.locator("ul.messages")).to_contain_text("6 déclinaisons créées.")
    grid = page.locator("table.variant-grid")
    expect(grid.locator("thead th")).to_have_text(["Couleur \\ Taille", "S", "M", "L"])
    expect(grid.locator("tbody th")).to_have_text(["Rouge", "Bleu"])

    # The grid edited at once: a wrong barcode shows on its cell, then is corrected.
    red_l = page.locator('[data-variant="TSH-RGE-L"]')
    red_l.get_by_label("Code-barres de Rouge · L").fill("4006381333932")
    red_l.get_by_label("Écart de prix de Rouge · L").fill("2,50")
    page.click("text=Enregistrer les déclinaisons")
    expect(red_l.locator(".error")).to_contain_text("n’est pas un code-barres EAN valide")
    expect(red_l.get_by_label("Écart de prix de Rouge · L")).to_have_value("2,50")
    red_l.get_by_label("Code-barres de Rouge · L").fill("4006381333931")
    page.click("text=Enregistrer les déclinaisons")
    expect(page.locator("ul.messages")).to_contain_text("Déclinaisons de TSH enregistrées.")
    assert Item.objects.get(code="TSH-RGE-L").sale_price == Decimal("17.5")

    # A quotation: the T-shirt's grid of quantities, one line per cell filled.
    page.goto(f"/sales/quotations/new/?customer={customer.code}")
    page.select_option("#id_grid_template", label="T-shirt coton")
    entry = page.locator("#variant-entry")
    expect(entry.locator("thead th")).to_have_text(["Couleur \\ Taille", "S", "M", "L"])
    entry.get_by_label("Quantité de Rouge · M").fill("4")
    entry.get_by_label("Quantité de Rouge · L").fill("2")
    entry.get_by_label("Quantité de Bleu · S").fill("3")
    page.click("text=Ajouter ces lignes")
    expect(page.locator("[data-total=net]")).to_contain_text("140,00")  # 7 × 15 + 2 × 17,50
    expect(page.locator("#variant-entry table")).to_have_count(0)  # the grid is closed
    page.click("button[name=save]")
    page.wait_for_url("**/sales/quotations/*/")
    lines = Quotation.objects.get().lines.order_by("item_code")
    assert [(line.item_code, line.quantity, line.unit_price) for line in lines] == [
        ("TSH-BLE-S", Decimal("3"), Decimal("15")),
        ("TSH-RGE-L", Decimal("2"), Decimal("17.5")),
        ("TSH-RGE-M", Decimal("4"), Decimal("15")),
    ]
