"""A salesperson's day in the browser: customer → quotation → order → delivery → invoice → paid."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from comptoir.billing.models import Invoice
from comptoir.parties.models import Customer
from comptoir.payments.models import Payment
from comptoir.sales.models import Quotation, SalesOrder
from tests.browser.conftest import log_in
from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def items(company):
    return [
        ItemFactory(code="CHAISE", name="Chaise hêtre", sale_price=Decimal("45.00")),
        ItemFactory(code="TABLE", name="Table chêne", sale_price=Decimal("320.00")),
        ItemFactory(code="LAMPE", name="Lampe laiton", sale_price=Decimal("79.90")),
    ]


def fill_line(page, index: int, item: str, quantity: str):
    page.fill(f"#lines-{index}-item", item)
    page.locator(f"#lines-{index}-item").dispatch_event("change")
    expect(page.locator(f"#lines-{index}-description")).not_to_have_value("")
    page.fill(f"#lines-{index}-quantity", quantity)
    page.locator(f"#lines-{index}-quantity").dispatch_event("change")


def test_quote_to_cash_in_the_browser(page, clerk, items, screenshot):
    log_in(page)

    # A new customer, with its billing address.
    page.click("text=Clients")
    page.click("text=Nouveau client")
    page.fill("#id_name", "Boulangerie Durand")
    page.fill("#id_siren", "732 829 320")
    page.fill("#id_line1", "12 rue des Fleurs")
    page.fill("#id_postal_code", "69003")
    page.fill("#id_city", "Lyon")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Boulangerie Durand")
    customer = Customer.objects.get(name="Boulangerie Durand")
    assert customer.siren == "732829320"

    # A quotation with three lines; totals follow each change, computed by the server.
    page.click("text=Nouveau devis")
    expect(page.locator("#id_customer")).to_have_value("Boulangerie Durand")
    expect(page.locator("#id_customer-value")).to_have_value(customer.code)
    fill_line(page, 0, "CHAISE", "4")
    expect(page.locator("#lines-block td.net").first).to_contain_text("180,00")
    fill_line(page, 1, "TABLE", "1")
    fill_line(page, 2, "LAMPE", "2")
    # 4 × 45 + 320 + 2 × 79.90 = 659.80 excl. VAT; 131.96 VAT at 20 %.
    expect(page.locator("[data-total=net]")).to_contain_text("659,80")
    expect(page.locator("[data-total=gross]")).to_contain_text("791,76")

    # Letters in a quantity: a message next to the field, and nothing saved.
    page.fill("#lines-1-quantity", "un")
    page.click("button[name=save]")
    expect(page.locator(".error").first).to_contain_text("n’est pas un nombre")
    assert Quotation.objects.count() == 0
    page.fill("#lines-1-quantity", "1")
    page.click("button[name=save]")
    expect(page.locator("#document-status")).to_have_text("Brouillon")
    quotation = Quotation.objects.get()
    assert quotation.total_gross == Decimal("791.76")
    assert quotation.lines.count() == 3

    # Accepted, then converted into an order, which is confirmed.
    page.click("[data-action=accept]")
    expect(page.locator("#document-status")).to_have_text("Accepté")
    page.click("[data-action=order]")
    expect(page.locator("h1")).to_contain_text("Commande")
    page.click("[data-action=confirm]")
    expect(page.locator("#document-status")).to_have_text("Confirmée")
    order = SalesOrder.objects.get()
    assert order.quotation == quotation

    # Part of it delivered: 3 chairs of 4, the table, no lamp yet.
    page.click("[data-action=deliver]")
    chair, _table, lamp = order.lines.order_by("position")
    page.fill(f"#id_line-{chair.pk}", "3")
    page.fill(f"#id_line-{lamp.pk}", "0")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Bon de livraison")
    page.click(f"#document-chain a[href='/sales/orders/{order.pk}/']")
    expect(page.locator("#delivery-status")).to_contain_text("Partiellement")
    expect(page.locator("td[data-remaining=deliver]").nth(0)).to_have_text("1")
    expect(page.locator("td[data-remaining=deliver]").nth(2)).to_have_text("2")
    screenshot("order")

    # Invoiced (what was delivered), issued after confirming, then paid.
    page.click("[data-action=invoice]")
    expect(page.locator("#document-status")).to_have_text("Brouillon")
    invoice = Invoice.objects.get()
    # 3 × 45 + 320 = 455.00 excl. VAT → 546.00 incl. VAT.
    assert invoice.total_gross == Decimal("546.00")
    page.click("[data-action=issue]")
    page.click("[data-confirm=issue]")
    expect(page.locator("#document-status")).to_have_text("Émise")
    invoice.refresh_from_db()
    assert invoice.number.startswith("FA-")
    expect(page.locator("h1")).to_contain_text(invoice.number)
    expect(page.locator("#payment-status")).to_have_text("Non payée")
    page.click("[data-action=pay]")
    expect(page.locator("#id_amount")).to_have_value("546,00")
    page.click("main button[type=submit]")
    expect(page.locator("#payment-status")).to_have_text("Payée")
    expect(page.locator("#outstanding")).to_contain_text("0,00")
    assert Payment.objects.get().amount == Decimal("546.00")

    page.click(f"#document-chain a[href='/sales/orders/{order.pk}/']")
    expect(page.locator("#billing-status")).to_contain_text("Partiellement")
    page.click("text=Rapports")
    expect(page.locator("[data-indicator=this_month]")).to_contain_text("455,00")
    screenshot("dashboard")


def test_crediting_an_invoice_asks_first_and_settles_it(page, clerk, items):
    from comptoir.billing import services as billing
    from comptoir.pricing.engine import LineSpec
    from tests.factories import CustomerFactory

    customer = CustomerFactory(name="Hôtel du Parc")
    invoice = billing.issue_invoice(
        billing.create_invoice(customer, [LineSpec(items[0], Decimal(2)), LineSpec(items[1], 1)])
    )
    log_in(page)
    page.goto(invoice.get_absolute_url())
    page.click("[data-action=credit]")
    chair, table = invoice.lines.order_by("position")
    page.fill(f"input[name=line-{chair.pk}]", "1")
    page.fill(f"input[name=line-{table.pk}]", "0")
    page.click("[data-action=credit]")
    expect(page.locator("dialog[open]")).to_be_visible()
    page.click("dialog[open] button:not([data-confirm])")  # back: nothing happens
    assert not Invoice.objects.filter(kind="credit_note").exists()
    page.click("[data-action=credit]")
    page.click("[data-confirm=credit]")
    expect(page.locator("h1")).to_contain_text("Avoir")
    page.click("[data-action=issue]")
    page.click("[data-confirm=issue]")
    expect(page.locator("#document-status")).to_have_text("Émis")
    page.click(f"#document-chain a[href='{invoice.get_absolute_url()}']")
    # 2 × 45 + 320 = 410 excl. VAT, 492 incl.; one chair credited: 54 incl. VAT.
    expect(page.locator("#outstanding")).to_contain_text("438,00")
    # a credit note received no money: the invoice is not partly paid
    expect(page.locator("#payment-status")).to_have_text("Non payée")

    # The language selector switches the interface to English.
    page.select_option("select[name=language]", "en")
    expect(page.locator("#payment-status")).to_have_text("Unpaid")
    expect(page.locator("#outstanding")).to_contain_text("€438.00")
