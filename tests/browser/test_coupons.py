"""A shop makes a coupon in Settings and a customer's quotation uses it: the live preview shows
its discount, the saved quotation keeps it; a coupon used up is said beside the coupon field, in
French, and nothing is saved."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from comptoir.pricing.models import CouponRedemption
from comptoir.sales.models import Quotation
from tests.browser.conftest import log_in
from tests.browser.test_document_form import choose_item
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_coupon_made_in_settings_discounts_a_quotation(page, clerk, screenshot):
    ItemFactory(code="CAFE-1KG", name="Café en grains 1 kg", sale_price=Decimal("18.50"))
    durand = CustomerFactory(name="Boulangerie Durand")
    martin = CustomerFactory(name="Épicerie Martin")
    log_in(page)

    # Settings, Coupons, New: 10 % off, one use.
    page.hover("nav.areas >> text=Paramètres")
    page.click("nav.areas .menu >> text=Codes promo")
    page.click("text=Nouveau code promo")
    page.fill("#id_code", "bienvenue10")
    page.fill("#id_name", "Bienvenue")
    page.fill("#id_value", "10")
    page.fill("#id_max_uses", "1")
    page.click("main button[type=submit]")
    expect(page.locator("main")).to_contain_text("Code promo BIENVENUE10 enregistré.")
    screenshot("coupons")

    # A quotation for Durand: 2 kg of coffee, 37 €, the coupon's 3,70 € off.
    page.goto(f"/sales/quotations/new/?customer={durand.code}")
    choose_item(page, 0, "CAFE-1KG")
    page.fill("#lines-0-quantity", "2")
    page.fill("#id_coupon_code", "Bienvenue10")
    page.locator("#id_coupon_code").dispatch_event("change")
    expect(page.locator("#coupon-discount")).to_have_text(
        "Code promo BIENVENUE10\u00a0: 3,70\u00a0€ de remise"
    )
    expect(page.locator("[data-total=net]")).to_contain_text("33,30")
    screenshot("quotation-with-coupon")
    page.click("button[name=save]")
    expect(page.locator("#document-status")).to_have_text("Brouillon")
    expect(page.locator("#document-coupon")).to_have_text("BIENVENUE10")
    quotation = Quotation.objects.get()
    assert (quotation.coupon_code, quotation.total_net) == ("BIENVENUE10", Decimal("33.30"))
    assert CouponRedemption.objects.get().quotation == quotation

    # Martin's quotation: the coupon is used up, said beside it; nothing saved.
    page.goto(f"/sales/quotations/new/?customer={martin.code}")
    choose_item(page, 0, "CAFE-1KG")
    page.fill("#id_coupon_code", "BIENVENUE10")
    page.locator("#id_coupon_code").dispatch_event("change")
    expect(page.locator("#error-coupon_code")).to_have_text(
        "Le code promo «\u00a0BIENVENUE10\u00a0» est épuisé\u00a0: il ne reste aucune utilisation."
    )
    page.click("button[name=save]")
    expect(page.locator("#error-coupon_code")).to_contain_text("est épuisé")
    assert Quotation.objects.count() == 1
    screenshot("coupon-used-up")
