"""One quotation where everything that makes a price meets: a pricing rule, a promotion, a coupon
and a shipping rule. The salesperson sees why each line has its price, and the totals saved are
those on screen and the API's."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from comptoir.catalog.models import ItemGroup
from comptoir.parties.models import CustomerGroup
from comptoir.pricing import services
from comptoir.pricing.models import (
    CouponReward,
    PromotionKind,
    ShippingMethod,
    ShippingRule,
    Tax,
)
from comptoir.sales.models import Quotation
from tests.browser.conftest import log_in
from tests.browser.test_pricing_rules import type_in
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop(company):
    retail = CustomerGroup.objects.create(name="Détaillants")
    coffee = ItemGroup.objects.create(name="Cafés")
    ItemFactory(code="ARA", name="Café arabica 1 kg", group=coffee, sale_price=Decimal("20"))
    services.save_rule(
        code="DET", name="Remise détaillants", action="discount_pct", value=Decimal("10"),
        customer_group=retail,
    )  # fmt: skip
    services.save_promotion(
        code="3+1", name="3 achetés, 1 offert", kind=PromotionKind.BUY_X_GET_Y,
        item_group=coffee, quantity=Decimal("3"), reward_quantity=Decimal("1"),
        reward_item=ItemFactory(code="TASSE", name="Tasse", sale_price=Decimal("6")),
    )  # fmt: skip
    services.save_coupon(code="ETE5", name="Été", reward=CouponReward.PERCENT, value=Decimal("5"))
    method = services.save_shipping(
        ShippingMethod, code="COLIS", name="Colis", tax=Tax.objects.get(code="TVA20")
    )
    services.save_shipping(ShippingRule, method=method, country="FR", charge=Decimal("7.50"))
    return CustomerFactory(name="Épicerie du port", group=retail)


def test_a_rule_a_promotion_a_coupon_and_shipping_on_one_quotation(page, clerk, shop):
    log_in(page)
    page.goto(f"/sales/quotations/new/?customer={shop.code}")
    net = page.locator("[data-total=net]")
    type_in(page, "#lines-0-item", "ARA")
    type_in(page, "#lines-0-quantity", "3")
    # The rule: 10 % for the retailers, and why.
    expect(page.locator("#lines-0-discount_pct")).to_have_value("10")
    why = page.locator("#lines-block details.why-price").first
    why.locator("summary").click()
    expect(why).to_contain_text("Règle «\u00a0Remise détaillants\u00a0»\u00a0: remise 10\u00a0%")
    # The promotion: a cup given, on a line of its own.
    free = page.locator("#lines-block tr.promotion-line")
    expect(free).to_have_count(1)
    expect(free).to_contain_text("Tasse")
    # The coupon, then the shipping.
    page.fill("#id_coupon_code", "ete5")
    page.locator("#id_coupon_code").dispatch_event("change")
    expect(page.locator("#coupon-discount")).to_contain_text("ETE5")
    page.select_option("#id_shipping_method", label="Colis")
    page.locator("#id_shipping_method").dispatch_event("change")
    # 3 × 20 − 10 % = 54,00; the cup free; 5 % off: 51,30; shipping 7,50: 58,80.
    expect(net).to_contain_text("58,80")

    page.click("button[name=save]")
    expect(page.locator("h1")).to_contain_text("Devis")
    quotation = Quotation.objects.get()
    answer = page.request.get(f"/api/quotations/{quotation.pk}").json()
    assert Decimal(answer["total_net"]) == Decimal("58.80") == quotation.total_net
    assert Decimal(answer["total_gross"]) == quotation.total_gross
    expect(page.locator("[data-total=net]")).to_contain_text("58,80")
    kinds = [[step["kind"] for step in line["price_explanation"]] for line in answer["lines"]]
    assert kinds == [["item", "rule"], ["item", "promotion"]]
    page.locator("details.why-price summary").first.click()
    expect(page.locator("details.why-price").first).to_contain_text("Remise détaillants")
