"""The invoice list filtered by payment status: the page, its CSV export and the API list,
paged by keyset, in a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from comptoir.billing import services as billing
from comptoir.billing.views import InvoiceListing
from comptoir.payments.services import register_payment
from comptoir.pricing.engine import LineSpec
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def invoices(company):
    """Numbers by payment status: two overdue, one unpaid (half credited), one partly paid,
    one paid."""
    customer, item = CustomerFactory(), ItemFactory(sale_price=D("100.00"))
    long_ago = timezone.localdate() - dt.timedelta(days=90)

    def issue(day=None):
        draft = billing.create_invoice(customer, [LineSpec(item, 1)])
        return billing.issue_invoices([draft], day=day)[0]

    overdue = [issue(long_ago), issue(long_ago)]  # due 30 days after
    unpaid, partly, paid = issue(), issue(), issue()
    register_payment(customer, D("50.00"), allocations=[(partly, D("50.00"))])
    register_payment(customer, D("120.00"), allocations=[(paid, D("120.00"))])
    billing.create_invoice(customer, [LineSpec(item, 1)])  # a draft: no payment status
    billing.issue_invoice(billing.credit_invoice(unpaid, {unpaid.lines.get().pk: "0.5"}))
    return {
        "overdue": {i.number for i in overdue},
        "unpaid": {unpaid.number},  # half credited, nothing received: not partly paid
        "partly_paid": {partly.number},
        "paid": {paid.number},
    }


@pytest.fixture
def browser(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_page_filters_by_payment_status(invoices, browser, django_assert_max_num_queries):
    for status, numbers in invoices.items():
        with django_assert_max_num_queries(12):
            page = browser.get("/invoices/", {"payment": status}).content.decode()
        shown = {n for group in invoices.values() for n in group if n in page}
        assert shown == numbers, status
    assert 'name="payment"' in page
    assert "En retard" in page


def test_the_export_is_what_is_filtered(invoices, browser):
    response = browser.get("/invoices/", {"payment": "overdue", "export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert {n for group in invoices.values() for n in group if n in text} == invoices["overdue"]


def test_keyset_paging_keeps_the_filter(invoices, user):
    listing = InvoiceListing({"payment": "overdue"}, user=user)
    listing.per_page = 1
    first = listing.page()
    assert first.count == 2 and first.next_cursor
    after = InvoiceListing({"payment": "overdue", "after": first.next_cursor}, user=user)
    after.per_page = 1
    second = after.page()
    seen = {first.rows[0].obj.number, second.rows[0].obj.number}
    assert seen == invoices["overdue"] and not second.next_cursor


def test_the_api_list_filters_by_payment_status(invoices, api):
    for status, numbers in invoices.items():
        rows = api.get(f"/invoices?payment_status={status}").json()["items"]
        assert {row["number"] for row in rows} == numbers, status
        assert all(row["payment_status"] == status for row in rows)
    response = api.get("/invoices?payment_status=later")
    assert response.status_code in (400, 422)
