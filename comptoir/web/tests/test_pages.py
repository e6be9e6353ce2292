"""Every page of the UI renders on demo data, in a bounded number of queries, in French."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.billing.models import Invoice
from comptoir.catalog.models import Item, PriceList
from comptoir.core.roles import ACCOUNTING
from comptoir.parties.models import Customer
from comptoir.payments.models import Payment
from comptoir.sales.models import Quotation, SalesOrder
from comptoir.stock.models import DeliveryNote, Warehouse
from conftest import make_user

LISTS = [
    "/", "/sales/quotations/", "/sales/orders/", "/customers/", "/items/", "/price-lists/",
    "/deliveries/", "/invoices/", "/credit-notes/", "/payments/", "/settings/taxes/",
    "/settings/payment-terms/", "/settings/company/", "/settings/users/", "/receivables/",
    "/stock/", "/stock/moves/", "/stock/warehouses/", "/stock/picking/", "/returns/",
    "/suppliers/", "/purchases/",
]  # fmt: skip
FORMS = [
    "/sales/quotations/new/", "/sales/orders/new/", "/invoices/new/", "/customers/new/",
    "/items/new/", "/payments/new/", "/price-lists/new/", "/settings/users/new/",
    "/stock/moves/new/", "/stock/count/", "/stock/warehouses/new/", "/imports/opening-stock/",
    "/invoices/from-deliveries/", "/suppliers/new/", "/purchases/new/",
]  # fmt: skip


def detail_urls() -> list[str]:
    urls = []
    for model in (
        Quotation, SalesOrder, DeliveryNote, Invoice, Payment, Customer, Item, PriceList, Warehouse,
    ):  # fmt: skip
        urls += [obj.get_absolute_url() for obj in model.objects.order_by("pk")[:4]]
    order = SalesOrder.objects.filter(status="confirmed").first()
    invoice = Invoice.objects.filter(status="issued", kind="invoice").first()
    customer = Customer.objects.first()
    return [
        *urls,
        f"/orders/{order.pk}/deliver/",
        f"/invoices/{invoice.pk}/credit/",
        f"/invoices/{invoice.pk}/pay/",
        f"/customers/{customer.pk}/edit/",
        f"/customers/{customer.pk}/addresses/new/",
        f"/customers/{customer.pk}/contacts/new/",
    ]


def test_every_page_renders(demo_client, django_assert_max_num_queries):
    for url in LISTS + FORMS + detail_urls():
        with django_assert_max_num_queries(25):
            response = demo_client.get(url)
        assert response.status_code == 200, url
        assert b"Traceback" not in response.content


def test_pages_are_french_by_default_and_english_on_choice(demo_client):
    page = demo_client.get("/sales/orders/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Commandes" in page and "Nouvelle commande" in page
    demo_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = demo_client.get("/sales/orders/").content.decode()
    assert "Sales orders" in page and "New order" in page


def test_money_follows_the_locale(demo_client):
    invoice = Invoice.objects.filter(total_gross__gte=1000).order_by("pk").first()
    french = demo_client.get(invoice.get_absolute_url()).content.decode()
    amount = f"{invoice.total_gross:,.2f}"
    assert amount.replace(",", "\u00a0").replace(".", ",") + "\u00a0€" in french
    demo_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = demo_client.get(invoice.get_absolute_url()).content.decode()
    assert f"€{amount}" in english


def test_lists_filter_sort_and_export_what_is_filtered(demo_client):
    customer = Customer.objects.filter(invoice__status="issued").first()
    params = {"customer": customer.code, "status": "issued", "sort": "-gross"}
    page = demo_client.get("/invoices/", params).content.decode()
    expected = Invoice.objects.filter(
        customer=customer, status="issued", kind__in=["invoice", "down_payment"]
    ).order_by("-total_gross", "-pk")
    numbers = re.findall(r">(FA-\d{4}-\d{6})<", page)
    assert numbers == [i.number for i in expected]
    csv = b"".join(demo_client.get("/invoices/", {**params, "export": "csv"}).streaming_content)
    lines = csv.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1 + expected.count()
    assert lines[1].startswith(expected[0].number + ";")


def test_a_bad_filter_is_a_message_on_the_form(demo_client):
    response = demo_client.get("/invoices/", {"date_from": "31/02/2026", "amount_min": "abc"})
    assert response.status_code == 200
    assert response.content.decode().count('class="error"') == 2


def test_an_action_that_is_not_allowed_is_refused_with_a_message(demo_client):
    invoice = Invoice.objects.filter(status="issued").first()
    response = demo_client.post(f"/actions/invoice/{invoice.pk}/issue/", follow=True)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert messages and "impossible" in messages[0]
    invoice.refresh_from_db()
    assert invoice.status == "issued"


def test_an_unknown_action_is_a_404(demo_client):
    order = SalesOrder.objects.first()
    assert demo_client.post(f"/actions/order/{order.pk}/explode/").status_code == 404
    assert demo_client.get(f"/actions/order/{order.pk}/confirm/").status_code == 405


def test_payment_form_refuses_more_than_is_due_on_the_invoice(demo_client):
    invoice = Invoice.objects.filter(status="issued", kind="invoice").order_by("pk").first()
    before = Payment.objects.count()
    response = demo_client.post(
        f"/invoices/{invoice.pk}/pay/",
        {"customer": invoice.customer.code, "amount": "abc", "date": "2026-11-24"},
    )
    assert response.status_code == 400
    assert Payment.objects.count() == before
    assert "« abc » n’est pas un nombre." in response.content.decode().replace("\u00a0", " ")


def test_list_queries_do_not_grow_with_rows(client, company, django_user_model):
    from comptoir.billing import services as billing
    from comptoir.pricing.engine import LineSpec
    from tests.factories import CustomerFactory, ItemFactory

    client.force_login(make_user("u", ACCOUNTING))
    item = ItemFactory()

    def queries_for_list(extra: int) -> int:
        for _ in range(extra):
            billing.issue_invoice(billing.create_invoice(CustomerFactory(), [LineSpec(item, 1)]))
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/invoices/").status_code == 200
        return len(queries)

    assert queries_for_list(3) == queries_for_list(57)
