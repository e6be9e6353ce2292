"""Promised dates, special orders and drop shipments (SQLite and PostgreSQL)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from comptoir.core.errors import BusinessError
from comptoir.core.services import update_company
from comptoir.pricing.engine import LineSpec
from comptoir.purchasing import services as purchasing
from comptoir.purchasing.models import PurchaseOrder
from comptoir.sales import services as sales
from comptoir.stock import services as stock
from comptoir.stock.models import StockMove
from comptoir.stock.queries import ledger_differences, stock_figures
from tests.factories import CustomerFactory, ItemFactory

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def supplier(company):
    update_company(stock_management=True)
    return purchasing.create_supplier(code="BOISCO", name="Bois & Co", lead_time_days=10)


def _confirm(customer, *lines, **header):
    specs = [LineSpec(item, D(quantity)) for item, quantity in lines]
    return sales.confirm_order(sales.create_order(customer, specs, **header))


def _on_hand(item):
    figures = stock_figures(item_ids=[item.pk])
    return figures[0].on_hand if figures else D("0")


def test_promised_dates_from_stock_receipts_and_lead_time(supplier):
    today = timezone.localdate()
    chair = ItemFactory(code="CHAISE", lead_time_days=21)
    stock.receive(chair, "5")
    soon = purchasing.create_purchase_order(
        supplier, [purchasing.PurchaseLine(chair, D("4"))], expected_date=today + timedelta(days=3)
    )
    purchasing.confirm_purchase_order(soon)
    later = purchasing.create_purchase_order(
        supplier, [purchasing.PurchaseLine(chair, D("10"))], expected_date=today + timedelta(days=8)
    )
    purchasing.confirm_purchase_order(later)
    purchasing.create_purchase_order(supplier, [purchasing.PurchaseLine(chair, D("50"))])  # draft

    customer = CustomerFactory()
    first = _confirm(customer, (chair, "3"))  # from stock
    second = _confirm(customer, (chair, "4"))  # 2 left in stock + 2 of the first receipt
    third = _confirm(customer, (chair, "3"))  # the first receipt's other 2 are taken: the second
    fourth = _confirm(customer, (chair, "20"))  # beyond every receipt: the lead time
    asked = _confirm(customer, (chair, "1"), requested_delivery_date=today + timedelta(days=30))
    promised = [o.lines.get().promised_date for o in (first, second, third, fourth, asked)]
    assert promised == [
        today,
        today + timedelta(days=3),
        today + timedelta(days=8),
        today + timedelta(days=21),
        today + timedelta(days=30),
    ]


def test_a_special_order_is_bought_received_reserved_then_delivered(supplier):
    desk = ItemFactory(code="BUREAU-SUR-MESURE")
    order = _confirm(CustomerFactory(), (desk, "2"))
    assert order.lines.get().promised_date is not None
    purchase = purchasing.order_for_sales_lines(list(order.lines.all()), supplier)
    assert (purchase.status, purchase.number[:2]) == (PurchaseOrder.Status.CONFIRMED, "CF")
    with pytest.raises(BusinessError):
        stock.create_delivery(order)  # nothing in stock yet
    line = purchase.lines.get()
    purchasing.receive_purchase(purchase, {line.pk: "1"})
    figures = stock_figures(item_ids=[desk.pk])[0]
    assert (figures.on_hand, figures.reserved) == (D("1"), D("1"))
    purchasing.receive_purchase(purchase)
    purchase.refresh_from_db()
    assert purchase.status == PurchaseOrder.Status.RECEIVED
    figures = stock_figures(item_ids=[desk.pk])[0]
    assert (figures.on_hand, figures.reserved) == (D("2"), D("2"))
    stock.create_delivery(order)
    figures = stock_figures(item_ids=[desk.pk])[0]
    assert (figures.on_hand, figures.reserved) == (D("0"), D("0"))
    with pytest.raises(BusinessError) as error:
        purchasing.receive_purchase(purchase, {line.pk: "1"})
    assert error.value.code == "purchase.not_confirmed"
    assert ledger_differences() == []


def test_a_drop_shipment_delivers_without_touching_our_stock(supplier):
    sofa = ItemFactory(code="CANAPE")
    stock.receive(sofa, "3", unit_cost=D("4"))  # our own sofas are valued at 4.00
    order = _confirm(CustomerFactory(), (sofa, "2"))
    assert stock_figures(item_ids=[sofa.pk])[0].reserved == D("2")
    purchase = purchasing.order_for_sales_lines(list(order.lines.all()), supplier, drop_ship=True)
    assert purchase.drop_ship and purchase.warehouse is None
    assert purchase.ship_to == order.shipping_address
    assert stock_figures(item_ids=[sofa.pk])[0].reserved == D("0")  # not from our stock
    with pytest.raises(BusinessError):
        purchasing.receive_purchase(purchase)  # never into our warehouse
    delivery = purchasing.confirm_drop_shipment(purchase)
    assert delivery.drop_ship and delivery.status == "shipped"
    # the goods cost what the supplier charges (the cost price, 6.00), not our stock's 4.00
    assert delivery.lines.get().cost_amount == 2 * purchase.lines.get().unit_cost == D("12.00")
    order.refresh_from_db()
    assert order.delivery_status == "fully"
    assert _on_hand(sofa) == D("3")
    assert not StockMove.objects.filter(kind=StockMove.Kind.DELIVERY).exists()
    assert ledger_differences() == []


def test_expected_receipts_count_in_the_projected_stock(supplier):
    item = ItemFactory()
    stock.receive(item, "2")
    _confirm(CustomerFactory(), (item, "5"))
    purchase = purchasing.create_purchase_order(supplier, [purchasing.PurchaseLine(item, D("6"))])
    figures = stock_figures(item_ids=[item.pk])[0]
    assert (figures.incoming, figures.projected) == (D("0"), D("-3"))  # a draft is not expected
    purchasing.confirm_purchase_order(purchase)
    figures = stock_figures(item_ids=[item.pk])[0]
    assert (figures.on_hand, figures.reserved, figures.demand) == (D("2"), D("2"), D("5"))
    assert (figures.incoming, figures.projected) == (D("6"), D("3"))
    purchasing.receive_purchase(purchase, {purchase.lines.get().pk: "4"})
    figures = stock_figures(item_ids=[item.pk])[0]
    assert (figures.on_hand, figures.incoming, figures.projected) == (D("6"), D("2"), D("3"))


def test_confirming_services_only_locks_no_balance(supplier):
    """An order of services has nothing to reserve: no balance is read nor locked."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    stock.receive(ItemFactory(), "1")
    order = sales.create_order(CustomerFactory(), [LineSpec(ItemFactory(kind="service"), D("1"))])
    with CaptureQueriesContext(connection) as queries:
        sales.confirm_order(order)
    assert not [q["sql"] for q in queries if "stock_stocklevel" in q["sql"]]
