"""A shop sets its shipping in Settings (a method, its rules) and orders with it: the order's
totals carry the charge and say which rule gave it; a destination no rule covers is said next
to the shipping method, in French, and nothing is saved."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from comptoir.pricing.models import Tax
from comptoir.sales.models import SalesOrder
from tests.browser.conftest import log_in
from tests.browser.test_document_form import choose_item
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_shipping_set_in_settings_is_charged_on_an_order(page, clerk, screenshot):
    ItemFactory(code="CAFE-1KG", name="Café en grains 1 kg", sale_price=Decimal("18.50"), weight=1)
    lyon = CustomerFactory(name="Boulangerie Durand")  # 69002 Lyon
    madrid = CustomerFactory(
        name="Panadería Madrid", billing__country="ES", billing__postal_code="28001"
    )
    log_in(page)

    # Settings, Shipping methods, New.
    page.hover("nav.areas >> text=Paramètres")
    page.click("nav.areas .menu >> text=Modes de livraison")
    page.click("text=Nouveau mode de livraison")
    page.fill("#id_code", "COLI")
    page.fill("#id_name", "Colissimo — domicile")
    page.fill("#id_carrier", "La Poste")
    page.select_option("#id_tax", label=Tax.objects.get(code="TVA20").name)
    page.click("main button[type=submit]")
    expect(page.locator("main")).to_contain_text("Mode de livraison « Colissimo — domicile »")

    # Settings, Shipping rules, New: the bounds upside down are said next to their field.
    page.hover("nav.areas >> text=Paramètres")
    page.click("nav.areas .menu >> text=Règles de frais de port")
    page.click("text=Nouvelle règle de frais de port")
    page.select_option("#id_method", label="Colissimo — domicile")
    page.fill("#id_country", "FR")
    page.fill("#id_weight_over", "5")
    page.fill("#id_weight_up_to", "2")
    page.fill("#id_charge", "6,90")
    page.click("main button[type=submit]")
    expect(page.locator("main")).to_contain_text(
        "Le poids « jusqu’à » doit être au-dessus du poids « supérieur à »."
    )
    page.fill("#id_weight_over", "")
    page.fill("#id_weight_up_to", "5")
    screenshot("shipping-rule-form")
    page.click("main button[type=submit]")
    expect(page.locator("main")).to_contain_text("Colissimo — domicile vers France")
    expect(page.locator("main")).to_contain_text("6,90")
    screenshot("shipping-rules")

    # An order to Lyon: 2 kg of coffee, 37 €, the rule's 6,90 € on top.
    page.goto(f"/sales/orders/new/?customer={lyon.code}")
    choose_item(page, 0, "CAFE-1KG")
    page.fill("#lines-0-quantity", "2")
    page.select_option("#id_shipping_method", label="Colissimo — domicile")
    page.locator("#id_shipping_method").dispatch_event("change")
    expect(page.locator("[data-total=net]")).to_contain_text("43,90")
    expect(page.locator("#shipping-quote")).to_contain_text(
        "Frais de port\u00a0: Colissimo — domicile vers France, 2 kg, commande de 37,00\u00a0€"
    )
    screenshot("order-with-shipping")
    page.click("button[name=save]")
    expect(page.locator("#document-status")).to_have_text("Brouillon")
    # The order's page names its method and says what the charge was reckoned on.
    expect(page.locator("dl.facts")).to_contain_text("Colissimo — domicile")
    expect(page.locator(".shipping-explanation")).to_contain_text("vers France, 2 kg")
    order = SalesOrder.objects.get()
    assert (order.total_charges, order.total_gross) == (Decimal("6.90"), Decimal("52.68"))

    # An order to Madrid: no rule covers Spain, said beside the method; nothing saved.
    page.goto(f"/sales/orders/new/?customer={madrid.code}")
    choose_item(page, 0, "CAFE-1KG")
    page.select_option("#id_shipping_method", label="Colissimo — domicile")
    page.locator("#id_shipping_method").dispatch_event("change")
    error = page.locator("#error-shipping_method")
    expect(error).to_contain_text("Aucune règle de «\u00a0Colissimo — domicile\u00a0»")
    expect(error).to_contain_text("28001 Espagne")
    page.click("button[name=save]")
    expect(page.locator("#error-shipping_method")).to_contain_text("Aucune règle")
    assert SalesOrder.objects.count() == 1
    screenshot("order-not-covered")
