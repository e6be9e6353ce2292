"""In the browser: the invoice list filtered by payment status (and its export), and an order
confirmation e-mailed from its page to a real SMTP server on loopback."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from comptoir.billing import services as billing
from comptoir.billing.tests.test_email import smtp  # noqa: F401 (the fixture)
from comptoir.payments.services import register_payment
from comptoir.pricing.engine import LineSpec
from comptoir.sales import services as sales
from tests.browser.conftest import log_in
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


def test_the_invoice_list_filters_by_payment_status(page, clerk):
    customer, item = CustomerFactory(), ItemFactory(sale_price=D("100.00"))
    old = timezone.localdate() - dt.timedelta(days=90)
    late = billing.issue_invoices([billing.create_invoice(customer, [LineSpec(item, 1)])], day=old)
    paid = billing.issue_invoice(billing.create_invoice(customer, [LineSpec(item, 1)]))
    register_payment(customer, D("120.00"), allocations=[(paid, D("120.00"))])

    log_in(page)
    page.goto("/invoices/")
    page.select_option("select[name=payment]", label="En retard")
    page.click("form.filters button[type=submit]")
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(late[0].number)
    expect(page.locator("select[name=payment]")).to_have_value("overdue")
    with page.expect_download() as download:
        page.click("text=CSV")
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert late[0].number in text and paid.number not in text


def test_an_order_confirmation_is_emailed_from_its_page(page, clerk, smtp):  # noqa: F811
    customer = CustomerFactory(name="Brasserie du Port", email="achats@brasserie.fr")
    item = ItemFactory(name="Tablier de cuisine", sale_price=D("24.00"))
    order = sales.confirm_order(sales.create_order(customer, [LineSpec(item, D("10"))]))

    log_in(page)
    page.goto(order.get_absolute_url())
    page.click("[data-action=email]")
    expect(page.locator("#id_to")).to_have_value("achats@brasserie.fr")
    page.click("main button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("achats@brasserie.fr")
    expect(page.locator("#history")).to_contain_text("envoyé par e-mail")
    ((recipients, message),) = smtp.messages
    assert recipients == ["achats@brasserie.fr"] and order.number in message["Subject"]
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == f"{order.number}.pdf"
