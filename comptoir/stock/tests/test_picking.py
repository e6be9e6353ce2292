"""Picking: one list for several deliveries, per warehouse and item; picked, then shipped;
one delivery for several orders of one customer."""

from decimal import Decimal

import pytest
from django.test import Client
from pypdf import PdfReader

from comptoir.core.errors import BusinessError
from comptoir.core.services import update_company
from comptoir.pricing.engine import LineSpec
from comptoir.sales import services as sales
from comptoir.sales.models import SalesOrder
from comptoir.stock import services as stock
from comptoir.stock.models import DeliveryNote
from comptoir.stock.queries import picking_list
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def setup(company, user):
    update_company(stock_management=True)
    chair, table, fitting = (
        ItemFactory(code="CHAISE"),
        ItemFactory(code="TABLE"),
        ItemFactory(code="POSE", kind="service"),
    )
    for item in (chair, table):
        stock.receive(item, "50")
    return chair, table, fitting


def _order(customer, *lines):
    return sales.confirm_order(
        sales.create_order(customer, [LineSpec(item, D(q)) for item, q in lines])
    )


def test_picking_list_groups_deliveries_by_warehouse_and_item(setup, user):
    chair, table, fitting = setup
    first = stock.create_delivery(
        _order(CustomerFactory(), (chair, "4"), (fitting, "1")), ship=False
    )
    second = stock.create_delivery(
        _order(CustomerFactory(), (chair, "2"), (table, "1")), ship=False
    )
    (group,) = picking_list([first.pk, second.pk])
    assert group.warehouse.startswith("PRINC")
    lines = {line.item_code: line for line in group.lines}
    assert set(lines) == {"CHAISE", "TABLE"}  # the service is not picked
    assert lines["CHAISE"].quantity == D("6")
    assert lines["CHAISE"].deliveries == [(first.number, D("4")), (second.number, D("2"))]

    client = Client()
    client.force_login(user)
    page = client.get(f"/stock/picking/?delivery={first.pk}&delivery={second.pk}")
    assert page.status_code == 200 and "CHAISE" in page.content.decode()
    pdf = client.get(f"/picking/pdf/?delivery={first.pk}&delivery={second.pk}")
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(_bytes(pdf)).pages)
    assert "CHAISE" in text and first.number in text
    assert client.get("/picking/pdf/?delivery=999999").status_code == 404

    response = client.post("/stock/picking/", {"delivery": [first.pk, second.pk]})
    assert response.status_code == 302
    assert set(DeliveryNote.objects.values_list("status", flat=True)) == {"ready"}
    stock.ship_delivery(first)
    assert DeliveryNote.objects.get(pk=first.pk).status == "shipped"
    with pytest.raises(BusinessError):
        stock.mark_picked([first])  # shipped: no way back


def test_one_delivery_for_several_orders_of_one_customer(setup):
    chair, table, _fitting = setup
    customer = CustomerFactory()
    one, two = _order(customer, (chair, "3")), _order(customer, (table, "2"), (chair, "1"))
    delivery = stock.create_deliveries([([one, two], None)])[0]
    assert sorted(line.quantity for line in delivery.lines.all()) == [D("1"), D("2"), D("3")]
    for order in (one, two):
        order.refresh_from_db()
        assert (order.delivery_status, order.status) == ("fully", SalesOrder.Status.CONFIRMED)
    other = _order(CustomerFactory(), (chair, "1"))
    third = _order(customer, (chair, "1"))
    with pytest.raises(BusinessError) as error:
        stock.create_deliveries([([third, other], None)])
    assert error.value.code == "delivery.several_customers"


def _bytes(response):
    import io

    return io.BytesIO(response.content)
