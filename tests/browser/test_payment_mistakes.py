"""A new user's mistakes, in the browser: a mistyped payment is caught before it is saved and
can be undone afterwards; a credit note for defective goods kept does not re-open the order."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from comptoir.billing import services as billing
from comptoir.billing.models import Invoice
from comptoir.core.roles import SALES
from comptoir.payments.models import Payment
from comptoir.pricing.engine import LineSpec
from comptoir.sales import services as sales
from comptoir.stock import services as stock
from conftest import make_user
from tests.browser.conftest import log_in
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


def amount(text: str):
    """`99 999,00 €` whatever the spaces (normal, non-breaking, narrow)."""
    return re.compile(r"\s".join(re.escape(part) for part in text.split(" ")))


@pytest.fixture
def invoice(company):
    item = ItemFactory(code="FOUR", name="Four mixte", sale_price=D("4858.23"))
    customer = CustomerFactory(name="Brasserie du Port")
    return billing.issue_invoice(billing.create_invoice(customer, [LineSpec(item, 1)]))


def test_a_mistyped_payment_is_caught_then_undone(page, clerk, invoice, screenshot):
    log_in(page)
    page.goto(invoice.get_absolute_url())
    page.click("[data-action=pay]")
    page.fill("#id_amount", "99 999")
    page.click("main button[type=submit]")
    error = page.locator("label.invalid .error")
    expect(error).to_contain_text(amount("99 999,00 €"))
    expect(error).to_contain_text(amount("5 829,88 €"))
    expect(error).to_contain_text(amount("94 169,12 €"))
    screenshot("payment-above-due")
    assert not Payment.objects.exists()

    # She meant it (a prepayment): she confirms, the rest is the customer's credit.
    page.check("#id_confirm_overpayment")
    page.click("main button[type=submit]")
    expect(page.locator("#payment-status")).to_have_text("Payée")
    payment = Payment.objects.get()
    assert payment.amount == D("99999.00")

    # It was a typing mistake after all: the allocation taken back, then the payment cancelled.
    page.goto(payment.get_absolute_url())
    page.click("[data-action=unallocate]")
    page.click("[data-confirm=unallocate]")
    expect(page.locator(".messages")).to_contain_text("Lettrage annulé")
    expect(page.locator("main dl.facts")).to_contain_text(amount("99 999,00 €"))
    invoice.refresh_from_db()
    assert invoice.amount_due == D("5829.88")

    page.click("[data-action=cancel]")
    page.fill("input[data-reason]", "Montant mal saisi")
    page.click("[data-confirm=cancel]")
    expect(page.locator("h1")).to_contain_text("Annulé")
    expect(page.locator("main")).to_contain_text("Annulé\u00a0: Montant mal saisi")
    expect(page.locator("[data-action=cancel]")).to_have_count(0)
    history = page.locator("#history")
    expect(history).to_contain_text("lettrage annulé")
    expect(history).to_contain_text("Montant mal saisi")
    screenshot("payment-cancelled")
    payment.refresh_from_db()
    assert (payment.status, payment.number) == ("cancelled", Payment.objects.get().number)
    page.goto(invoice.get_absolute_url())
    expect(page.locator("#payment-status")).to_have_text("Non payée")
    expect(page.locator("#history")).to_contain_text("lettrage annulé")


def test_an_allocation_removed_by_mistake_is_put_back(page, clerk, invoice, screenshot):
    from comptoir.payments.services import register_payment

    payment = register_payment(
        invoice.customer, D("5829.88"), allocations=[(invoice, D("5829.88"))]
    )
    log_in(page)
    page.goto(payment.get_absolute_url())
    expect(page.locator("[data-action=allocate]")).to_have_count(0)  # nothing to allocate
    page.click("[data-action=unallocate]")
    page.click("[data-confirm=unallocate]")
    expect(page.locator(".messages")).to_contain_text("Lettrage annulé")

    # « Retirer » was a slip: the credit goes back on the invoice from the payment's page.
    page.click("[data-action=allocate]")
    expect(page.locator("#id_invoice option:checked")).to_contain_text(invoice.number)
    expect(page.locator("#id_invoice option:checked")).to_contain_text(amount("5 829,88 €"))
    expect(page.locator("#id_amount")).to_have_value("5829,88")
    page.fill("#id_amount", "6 000")  # more than the invoice owes: said on the form
    page.click("main button[type=submit]")
    expect(page.locator("label.invalid .error")).to_contain_text(amount("5 829,88 €"))
    page.fill("#id_amount", "5 829,88")
    page.click("main button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Lettrage de")
    expect(page.locator("#history")).to_contain_text("crédit lettré")
    screenshot("credit-allocated-again")
    invoice.refresh_from_db()
    assert invoice.amount_due == D("0.00")
    page.goto(invoice.get_absolute_url())
    expect(page.locator("#payment-status")).to_have_text("Payée")


def test_who_may_not_undo_a_payment_sees_no_button(page, company, invoice):
    from comptoir.payments.services import register_payment

    payment = register_payment(
        invoice.customer, D("5829.88"), allocations=[(invoice, D("5829.88"))]
    )
    make_user("sam", SALES, password="mot-de-passe-2")
    log_in(page, "sam", "mot-de-passe-2")
    page.goto(payment.get_absolute_url())
    expect(page.locator("h1")).to_contain_text(payment.number)
    expect(page.locator("[data-action=cancel]")).to_have_count(0)
    expect(page.locator("[data-action=unallocate]")).to_have_count(0)
    expect(page.locator("[data-action=allocate]")).to_have_count(0)


def credit_and_issue(page, reason: str) -> None:
    """On the credit form filled in: the reason, then the credit note created and issued."""
    page.fill("#credit-form textarea[name=reason]", reason)
    page.click("[data-action=credit]")
    page.click("[data-confirm=credit]")
    page.click("[data-action=issue]")
    page.click("[data-confirm=issue]")
    expect(page.locator("#document-status")).to_have_text("Émis")


def test_defective_aprons_credited_do_not_reopen_the_order(page, clerk):
    apron = ItemFactory(code="TABLIER", name="Tablier de cuisine", sale_price=D("24.00"))
    order = sales.confirm_order(sales.create_order(CustomerFactory(), [LineSpec(apron, D("10"))]))
    stock.create_delivery(order)
    invoice = billing.issue_invoice(billing.invoice_order(order))
    log_in(page)
    expect(page.locator("[data-indicator=not_invoiced]")).to_contain_text(amount("0,00 €"))

    # Two aprons are defective; the customer keeps them: a credit note for two.
    page.goto(invoice.get_absolute_url())
    page.click("[data-action=credit]")
    page.locator("#credit-form input[name^=line-]").fill("2")
    credit_and_issue(page, "Deux tabliers défectueux, gardés")
    credit_note = Invoice.objects.get(kind=Invoice.Kind.CREDIT_NOTE)
    assert credit_note.total_net == D("48.00")

    page.goto(order.get_absolute_url())
    expect(page.locator("#billing-status")).to_contain_text("Entièrement")
    expect(page.locator("[data-action=invoice]")).to_have_count(0)
    page.goto("/")
    expect(page.locator("[data-indicator=not_invoiced]")).to_contain_text(amount("0,00 €"))


def test_a_wrong_price_is_corrected_by_a_credit_note_then_invoiced_again(page, clerk):
    """A correction: the whole invoice credited, what it credited to invoice again on the
    order, then a corrected invoice made from the order."""
    apron = ItemFactory(code="TABLIER", name="Tablier de cuisine", sale_price=D("24.00"))
    order = sales.confirm_order(sales.create_order(CustomerFactory(), [LineSpec(apron, D("10"))]))
    stock.create_delivery(order)
    invoice = billing.issue_invoice(billing.invoice_order(order))
    log_in(page)
    page.goto(invoice.get_absolute_url())
    page.click("[data-action=credit]")
    expect(page.locator("#credit-purpose")).to_contain_text(order.number)
    expect(page.locator("#credit-purpose input[value='']")).to_be_checked()  # the default
    page.check("#id_everything")
    page.check("#credit-purpose input[value='1']")
    credit_and_issue(page, "Prix erroné")

    page.goto(order.get_absolute_url())
    expect(page.locator("[data-action=invoice]")).to_have_count(1)  # 10 aprons to invoice again
    order.refresh_from_db()
    assert order.lines.get().quantity_invoiced == 0
