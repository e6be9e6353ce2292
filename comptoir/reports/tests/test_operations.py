"""The operational reports line by line: the backlog, what is left to invoice, the quotations
pipeline and a month's sales; each total is the dashboard's figure."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from comptoir.billing import services as billing
from comptoir.core.roles import SALES, WAREHOUSE
from comptoir.pricing.engine import LineSpec
from comptoir.reports import operations
from comptoir.sales import services as sales
from comptoir.stock import services as stock
from comptoir.web.dashboard import indicators
from conftest import make_user
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = dt.date.today()


@pytest.fixture
def items(company):
    return (
        ItemFactory(code="TABLIER", name="Tablier de cuisine", sale_price=D("24.00")),
        ItemFactory(code="TORCHON", name="Torchon", sale_price=D("3.35")),
    )


def _order(customer, lines, **header):
    return sales.confirm_order(sales.create_order(customer, lines, **header))


@pytest.fixture
def orders(items):
    """Two customers' confirmed orders, one late and partly delivered; a draft, which is not
    in the backlog."""
    apron, cloth = items
    late = _order(
        CustomerFactory(name="Bistrot Lumière"),
        [LineSpec(apron, D("10")), LineSpec(cloth, D("3"))],
        requested_delivery_date=TODAY - dt.timedelta(days=3),
    )
    line = late.lines.get(item=apron)
    first = stock.create_delivery(late, {line.pk: D("4")})
    later = _order(
        CustomerFactory(name="Auberge du Lac"),
        [LineSpec(cloth, D("7"))],
        requested_delivery_date=TODAY + dt.timedelta(days=10),
    )
    sales.create_order(CustomerFactory(), [LineSpec(apron, D("1"))])
    return late, later, first


def test_the_backlog_lists_what_is_left_to_deliver_late_first(orders):
    late, later, _first = orders
    report = operations.backlog()
    rows = [(r.order_id, r.item_code, r.quantity_left, r.amount_left, r.late) for r in report.rows]
    assert rows == [
        (late.pk, "TABLIER", D("6"), D("144.00"), True),
        (late.pk, "TORCHON", D("3"), D("10.05"), True),
        (later.pk, "TORCHON", D("7"), D("23.45"), False),
    ]
    assert (report.total, report.count) == (D("177.50"), 2)
    assert report.groups[0][0] == "Bistrot Lumière" and report.groups[0][2] == D("154.05")
    assert indicators()["open_orders"] == {"count": 2, "amount": D("177.50")}


def test_the_backlog_filters(orders):
    late, later, _first = orders
    assert [r.order_id for r in operations.backlog(late_only=True).rows] == [late.pk] * 2
    assert {r.order_id for r in operations.backlog(customer="auberge").rows} == {later.pk}
    assert operations.backlog(item="TABLIER").total == D("144.00")
    assert operations.backlog(due_before=TODAY).total == D("154.05")


def test_a_partial_share_of_a_line_is_rounded_once_to_the_cent(items):
    _apron, cloth = items
    # 3 × 3,35 € = 10,05 €; one left: 3,35 €, not 10,05 / 3 in floating point.
    order = _order(CustomerFactory(), [LineSpec(cloth, D("3"))])
    stock.create_delivery(order, {order.lines.get().pk: D("2")})
    (row,) = operations.backlog().rows
    assert (row.quantity_left, row.amount_left) == (D("1"), D("3.35"))


def test_to_invoice_sits_on_the_latest_deliveries(orders):
    late, _later, first = orders
    line = late.lines.get(item__code="TABLIER")
    assert [(r.delivery_id, r.amount) for r in operations.to_invoice().rows] == [
        (first.pk, D("96.00"))
    ]
    (invoice,) = billing.invoice_deliveries(up_to=TODAY)
    billing.issue_invoice(invoice)
    second = stock.create_delivery(late, {line.pk: D("5")})
    report = operations.to_invoice()
    rows = [(r.delivery_id, r.lines, r.amount) for r in report.rows]
    assert rows == [(second.pk, 1, D("120.00"))]
    # One apron of the first delivery credited, to invoice again: it is back on the first.
    credit = billing.credit_invoice(invoice, {invoice.lines.get().pk: D("1")}, invoice_again=True)
    billing.issue_invoice(credit)
    report = operations.to_invoice()
    assert [(r.delivery_id, r.amount) for r in report.rows] == [
        (first.pk, D("24.00")),
        (second.pk, D("120.00")),
    ]
    assert indicators()["not_invoiced"] == {"count": 1, "amount": D("144.00")}


def test_goods_returned_are_not_to_invoice(orders):
    _late, _later, first = orders
    stock.receive_return(first, {first.lines.get().pk: "1"}, reason="Défaut")
    (row,) = operations.to_invoice().rows
    assert (row.delivery_id, row.amount) == (first.pk, D("72.00"))


def test_nothing_to_invoice_once_invoiced(orders):
    billing.invoice_deliveries(up_to=TODAY)
    assert operations.to_invoice().rows == []
    assert indicators()["not_invoiced"] == {"count": 0, "amount": D("0.00")}


def quotation_in(customer, item, quantity, *, status="draft", valid=30, day=TODAY):
    """A quotation brought to ``status`` through the services (ordered: turned into an order)."""
    quotation = sales.create_quotation(
        customer,
        [LineSpec(item, D(quantity))],
        valid_until=day + dt.timedelta(days=valid),
        date=day,
    )
    if status in {"sent", "accepted", "refused", "ordered"}:
        sales.send_quotation(quotation)
    if status in {"accepted", "ordered"}:
        sales.accept_quotation(quotation)
    if status == "refused":
        sales.refuse_quotation(quotation)
    if status == "ordered":
        sales.convert_quotation_to_order(quotation)
    return quotation


def test_the_quotations_pipeline_and_conversion_rate(items, django_user_model):
    apron, _cloth = items
    bob = django_user_model.objects.create(username="bob", first_name="Bob", last_name="Marchand")
    own = CustomerFactory(salesperson=bob)
    other = CustomerFactory()
    quotation_in(own, apron, "1")
    soon = quotation_in(own, apron, "2", status="sent", valid=5)
    quotation_in(other, apron, "3", status="sent")
    quotation_in(own, apron, "4", status="ordered")
    quotation_in(own, apron, "5", status="refused")
    quotation_in(other, apron, "6", status="accepted")
    pipeline = operations.quotations()
    assert [(s, c.count, c.amount) for s, _label, c in pipeline.statuses] == [
        ("draft", 1, D("24.00")),
        ("sent", 2, D("120.00")),
    ]
    assert (pipeline.total.count, pipeline.total.amount) == (3, D("144.00"))
    assert [q.pk for q in pipeline.expiring] == [soon.pk]
    assert (pipeline.conversion.decided, pipeline.conversion.converted) == (3, 1)
    assert pipeline.conversion.rate == D("33.3")
    people = {c.label: (c.decided, c.converted) for c in pipeline.by_salesperson}
    assert people == {"Bob Marchand": (2, 1), "": (1, 0)}


def test_a_quotation_past_its_last_day_and_still_open_is_said_expired(items):
    apron, _cloth = items
    customer = CustomerFactory()
    late = quotation_in(
        customer, apron, "1", status="sent", valid=2, day=TODAY - dt.timedelta(days=5)
    )
    soon = quotation_in(customer, apron, "2", status="sent", valid=3)
    expiring = operations.quotations().expiring
    assert [(q.pk, q.expired) for q in expiring] == [(late.pk, True), (soon.pk, False)]


def test_a_months_sales_deduct_its_credit_notes(items):
    apron, _cloth = items
    customer = CustomerFactory()
    invoice = billing.issue_invoice(billing.create_invoice(customer, [LineSpec(apron, D("3"))]))
    billing.issue_invoice(billing.credit_invoice(invoice, {invoice.lines.get().pk: D("1")}))
    report = operations.month_sales(month=TODAY)
    assert [r.net for r in report.rows] == [D("72.00"), D("-24.00")]
    assert report.total == D("48.00") == indicators()["this_month"]
    assert operations.month_sales(month=operations.month_start(TODAY, 1)).rows == []


def test_cents_add_up_exactly_where_floats_would_not(company):
    """Sums over integer cents: 0,10 € added 30 times is 3,00 €, also on SQLite."""
    customer = CustomerFactory()
    cheap = ItemFactory(sale_price=D("0.10"))
    billing.issue_invoices(
        [billing.create_invoice(customer, [LineSpec(cheap, D("1"))]) for _ in range(30)]
    )
    sums = operations.monthly_sales(first=TODAY, last=TODAY)
    assert sums[operations.month_start(TODAY)] == D("3.00")
    assert str(sums[operations.month_start(TODAY)]) == "3.00"


# Pages ----------------------------------------------------------------------------------------


@pytest.fixture
def client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_backlog_page_links_each_row_to_its_order(client, orders):
    late, later, _first = orders
    page = client.get("/reports/backlog/").content.decode()
    assert "Carnet de commandes" in page
    assert f'href="/sales/orders/{late.pk}/"' in page
    assert f'href="/sales/orders/{later.pk}/"' in page
    assert "177,50\u00a0€" in page and "En retard" in page
    filtered = client.get("/reports/backlog/?late=on").content.decode()
    assert f'href="/sales/orders/{later.pk}/"' not in filtered


def test_a_wrong_filter_is_said_on_the_form(client, orders):
    response = client.get("/reports/backlog/?due_before=31/02/2026")
    assert response.status_code == 200
    assert "177,50\u00a0€" in response.content.decode()  # the other filters still apply
    assert 'class="invalid"' in response.content.decode()


def test_each_report_page_opens_and_exports(client, orders):
    for url in ("/reports/backlog/", "/reports/to-invoice/", "/reports/quotations/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/reports/month-sales/?month=2026-13").status_code == 200
    response = client.get("/reports/backlog/?export=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "Demandée pour" and len(rows) == 4
    assert sum(D(r[-1].replace(",", ".")) for r in rows[1:]) == D("177.50")
    response = client.get("/reports/to-invoice/?export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert sum(D(str(v[-1])) for v in values[1:]) == D("96.00")


def test_the_dashboard_links_each_figure_to_its_report(client, orders):
    page = client.get("/").content.decode()
    for url in ("/reports/backlog/", "/reports/to-invoice/", "/reports/month-sales/?month="):
        assert url in page
    assert "/sales/receivables/?payment=overdue" in page or "receivables/?payment=overdue" in page


def test_a_user_who_may_not_see_prices_has_no_report(orders, company):
    clerk = make_user("clerk", WAREHOUSE)
    client = Client()
    client.force_login(clerk)
    assert client.get("/reports/backlog/").status_code == 403


def test_a_salesperson_kept_to_their_customers_sees_their_backlog(orders, company):
    from comptoir.core.services import update_company

    late, _later, _first = orders
    seller = make_user("seller", SALES)
    late.customer.salesperson = seller
    late.customer.save()
    update_company(own_customers_only=True)
    assert {r.order_id for r in operations.backlog(seller).rows} == {late.pk}
    assert indicators(user=seller)["open_orders"]["amount"] == D("154.05")
    client = Client()
    client.force_login(seller)
    page = client.get("/reports/backlog/").content.decode()
    assert "154,05\u00a0€" in page and "Auberge du Lac" not in page


# Queries: a few per report, whatever the number of rows ---------------------------------------


def test_reports_read_in_a_few_queries_whatever_their_rows(
    items, django_assert_max_num_queries, client
):
    apron, cloth = items
    for n in range(12):
        order = _order(CustomerFactory(), [LineSpec(apron, D("4")), LineSpec(cloth, D("5"))])
        stock.create_delivery(order, {order.lines.first().pk: D("1")})
        stock.create_delivery(order, {order.lines.first().pk: D("1")})
        quotation_in(order.customer, apron, "2", status="sent" if n % 2 else "refused")
    with django_assert_max_num_queries(1):
        assert len(operations.backlog().rows) == 24
    with django_assert_max_num_queries(2):
        assert len(operations.to_invoice().rows) == 24
    with django_assert_max_num_queries(2):
        assert operations.quotations().total.count == 6
    with django_assert_max_num_queries(1):
        operations.month_sales(month=TODAY)
    with django_assert_max_num_queries(14):
        assert client.get("/reports/backlog/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/reports/to-invoice/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/reports/quotations/").status_code == 200


def test_a_long_report_shows_its_first_rows_and_totals_them_all(client, orders, monkeypatch):
    from comptoir.reports import views_operations

    monkeypatch.setattr(views_operations, "SHOWN", 2)
    page = client.get("/reports/backlog/").content.decode()
    assert len(re.findall(r'href="/sales/orders/\d+/"', page)) == 2
    assert "1 ligne de plus est dans le total et dans l’export." in page
    assert "177,50\u00a0€" in page
    response = client.get("/reports/backlog/?export=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 4


def test_the_reports_speak_english_too(user, orders):
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    client.cookies["django_language"] = "en"
    page = client.get("/reports/backlog/").content.decode()
    assert "Order backlog" in page and "Late" in page and "€177.50" in page
    assert "To invoice" in client.get("/reports/to-invoice/").content.decode()
    assert "Conversion rate" in client.get("/reports/quotations/").content.decode()
