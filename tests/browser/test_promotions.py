"""A quotation with a promotion, as a salesperson types it: the third chair makes the free one
appear on a line of its own, with its explanation, and the saved quotation's totals are the
API's."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from comptoir.pricing.models import PromotionKind
from comptoir.pricing.services import save_promotion
from comptoir.sales.models import Quotation
from tests.browser.conftest import log_in
from tests.browser.test_pricing_rules import type_in
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def offer(company):
    chair = ItemFactory(code="CHAISE", name="Chaise hêtre", sale_price=Decimal("45"))
    save_promotion(
        code="TROIS", name="3 pour 2", kind=PromotionKind.BUY_X_GET_Y, item=chair,
        quantity=Decimal("3"), reward_quantity=Decimal("1"),
    )  # fmt: skip
    return CustomerFactory(name="Café du port")


def test_the_third_chair_brings_the_free_one(page, clerk, offer):
    log_in(page)
    page.goto(f"/sales/quotations/new/?customer={offer.code}")
    net = page.locator("[data-total=net]")
    free = page.locator("#lines-block tr.promotion-line")
    type_in(page, "#lines-0-item", "CHAISE")
    type_in(page, "#lines-0-quantity", "2")
    expect(net).to_contain_text("90,00")
    expect(free).to_have_count(0)

    type_in(page, "#lines-0-quantity", "3")
    expect(free).to_have_count(1)
    expect(free).to_contain_text("Chaise hêtre — promotion «\u00a03 pour 2\u00a0»")
    expect(net).to_contain_text("135,00")
    free.locator("details.why-price summary").click()
    expect(free.locator("details.why-price")).to_contain_text("Promotion «\u00a03 pour 2\u00a0»")
    # The free line is shown, not edited: nothing of it is sent back with the user's lines.
    expect(free.locator("input")).to_have_count(0)

    page.click("button[name=save]")
    expect(page.locator("h1")).to_contain_text("Devis")
    quotation = Quotation.objects.get()
    assert quotation.lines.count() == 2
    answer = page.request.get(f"/api/quotations/{quotation.pk}").json()
    assert [line["promotion_code"] for line in answer["lines"]] == ["", "TROIS"]
    assert Decimal(answer["total_net"]) == Decimal("135.00") == quotation.total_net
    assert Decimal(answer["total_gross"]) == quotation.total_gross
    expect(page.locator("[data-total=net]")).to_contain_text("135,00")

    # Edited again, the quotation keeps one free line, and loses it below three chairs.
    page.goto(f"/sales/quotations/{quotation.pk}/edit/")
    expect(free).to_have_count(1)
    type_in(page, "#lines-0-quantity", "2")
    expect(free).to_have_count(0)
    page.click("button[name=save]")
    expect(page.locator("h1")).to_contain_text("Devis")
    assert quotation.lines.count() == 1
