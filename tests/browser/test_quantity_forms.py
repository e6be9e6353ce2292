"""The forms that ask a quantity per line (deliver, credit): a refusal says why, on the form,
and nothing is credited by accident."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from comptoir.billing import services as billing
from comptoir.billing.models import Invoice
from comptoir.core.services import update_company
from comptoir.pricing.engine import LineSpec
from comptoir.sales import services as sales
from comptoir.stock import services as stock
from comptoir.stock.models import DeliveryNote
from tests.browser.conftest import log_in
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_shipping_more_than_the_stock_says_why_on_the_form(page, clerk):
    update_company(stock_management=True)
    lamp = ItemFactory(code="LAMPE", name="Lampe de bureau")
    stock.receive(lamp, Decimal(2))
    order = sales.confirm_order(
        sales.create_order(CustomerFactory(name="Bureau Vallée"), [LineSpec(lamp, Decimal(5))])
    )
    log_in(page)
    page.goto(order.get_absolute_url())
    page.click("text=Livrer")
    expect(page.locator("input[name=ship]")).to_be_checked()
    page.click("main button[type=submit]")
    expect(page.locator("main .error")).to_contain_text("Stock insuffisant de LAMPE")
    expect(page.locator("input[name=ship]")).to_be_checked()
    assert not DeliveryNote.objects.exists()

    # Not shipped now: the delivery note is created, to ship when the goods are there.
    page.uncheck("input[name=ship]")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Bon de livraison")


@pytest.fixture
def invoice(company):
    chair = ItemFactory(code="CHAISE", name="Chaise hêtre", sale_price=Decimal("45.00"))
    table = ItemFactory(code="TABLE", name="Table chêne", sale_price=Decimal("320.00"))
    customer = CustomerFactory(name="Hôtel du Parc")
    return billing.issue_invoice(
        billing.create_invoice(customer, [LineSpec(chair, Decimal(2)), LineSpec(table, 1)])
    )


def test_the_credit_form_starts_empty_and_credits_everything_only_when_asked(page, clerk, invoice):
    log_in(page)
    page.goto(invoice.get_absolute_url())
    page.click("[data-action=credit]")
    chair, table = invoice.lines.order_by("position")
    expect(page.locator(f"input[name=line-{chair.pk}]")).to_have_value("")
    expect(page.locator(f"input[name=line-{table.pk}]")).to_have_value("")
    expect(page.locator("input[name=everything]")).not_to_be_checked()

    # Confirmed with nothing typed: nothing is credited, and the form says what to do.
    page.click("[data-action=credit]")
    page.click("[data-confirm=credit]")
    expect(page.locator("main .error")).to_contain_text("Saisissez les quantités à créditer")
    assert not Invoice.objects.filter(kind="credit_note").exists()

    # "Credit everything" credits what is left of every line.
    page.check("input[name=everything]")
    page.click("[data-action=credit]")
    page.click("[data-confirm=credit]")
    expect(page.locator("h1")).to_contain_text("Avoir")
    credit_note = Invoice.objects.get(kind="credit_note")
    assert credit_note.total_gross == invoice.total_gross
