"""Stock scenarios: the ledger's quantities asserted at each step (SQLite and PostgreSQL)."""

import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection

from comptoir.core.errors import BusinessError, CoreError
from comptoir.core.services import update_company
from comptoir.pricing.engine import LineSpec
from comptoir.sales import services as sales
from comptoir.stock import services as stock
from comptoir.stock.models import StockMove, StockReservation, Warehouse
from comptoir.stock.queries import ledger_differences, stock_figures
from tests.factories import CustomerFactory, ItemFactory

D = Decimal


@pytest.fixture
def stocked(company):
    return update_company(stock_management=True)


def _figures(item, warehouse=None):
    warehouse = warehouse or stock.default_warehouse()
    (figures,) = stock_figures(item_ids=[item.pk], warehouse_ids=[warehouse.pk])
    return figures


def _confirmed_order(item, quantity, *extra):
    lines = [LineSpec(item, D(quantity)), *(LineSpec(i, D(q)) for i, q in extra)]
    return sales.confirm_order(sales.create_order(CustomerFactory(), lines))


@pytest.mark.django_db
def test_receive_deliver_in_parts_transfer_and_count(stocked):
    chair, table = ItemFactory(code="CHAISE"), ItemFactory(code="TABLE")
    main = stock.default_warehouse()
    annex = Warehouse.objects.create(code="ANNEXE", name="Annexe")

    stock.receive(chair, "10", unit_cost=D("12.50"), reason="Fournisseur Bois & Co")
    stock.receive(table, "2")
    assert (_figures(chair).on_hand, _figures(table).on_hand) == (D("10"), D("2"))

    order = _confirmed_order(chair, "4", (table, "1"))
    figures = _figures(chair)
    assert (figures.on_hand, figures.demand, figures.projected) == (D("10"), D("4"), D("6"))

    # A partial delivery: 3 chairs now; the 4th and the table stay to deliver (backorder).
    chair_line, _table_line = order.lines.order_by("position")
    first = stock.create_delivery(order, {chair_line.pk: "3"})
    assert first.warehouse == main
    figures = _figures(chair)
    assert (figures.on_hand, figures.demand, figures.projected) == (D("7"), D("1"), D("6"))
    assert _figures(table).on_hand == D("2")
    stock.create_delivery(order)  # the rest
    assert (_figures(chair).on_hand, _figures(table).on_hand) == (D("6"), D("1"))
    assert _figures(chair).demand == D("0")
    moves = StockMove.objects.filter(item=chair, kind=StockMove.Kind.DELIVERY)
    assert sorted(m.quantity for m in moves) == [D("-3"), D("-1")]
    assert all(m.delivery_line.delivery.order_id == order.pk for m in moves)

    stock.transfer(chair, "2", main, annex)
    assert (_figures(chair).on_hand, _figures(chair, annex).on_hand) == (D("4"), D("2"))

    # The count finds 3 chairs in the main warehouse: one adjustment of −1.
    (adjustment,) = stock.count_inventory([(chair, "3"), (table, "1")], main)
    assert (adjustment.kind, adjustment.quantity) == (StockMove.Kind.ADJUSTMENT, D("-1"))
    assert _figures(chair).on_hand == D("3")
    assert ledger_differences() == []


@pytest.mark.django_db
def test_no_negative_stock_unless_allowed(stocked):
    item = ItemFactory()
    stock.receive(item, "2")
    order = _confirmed_order(item, "5")
    with pytest.raises(BusinessError) as error:
        stock.create_delivery(order)
    assert error.value.code == "stock.not_enough"
    assert _figures(item).on_hand == D("2")
    assert not order.deliveries.exists()  # the delivery went with its transaction

    update_company(allow_negative_stock=True)
    stock.create_delivery(order)
    assert _figures(item).on_hand == D("-3")
    assert ledger_differences() == []


@pytest.mark.django_db
def test_services_are_never_in_stock(stocked):
    service = ItemFactory(kind="service")
    goods = ItemFactory()
    stock.receive(goods, "1")
    with pytest.raises(BusinessError) as error:
        stock.receive(service, "1")
    assert error.value.code == "stock.service_not_stocked"
    order = _confirmed_order(goods, "1", (service, "2"))
    delivery = stock.create_delivery(order)
    assert [line.item_id for line in delivery.lines.all()] == [goods.pk]
    assert not StockMove.objects.filter(item=service).exists()


@pytest.mark.django_db
def test_without_stock_management_deliveries_move_nothing(company):
    item = ItemFactory()
    stock.create_delivery(_confirmed_order(item, "3"))
    assert not StockMove.objects.exists()


@pytest.mark.django_db
def test_bad_moves_are_refused(stocked):
    item = ItemFactory()
    main = stock.default_warehouse()
    for call, code in [
        (lambda: stock.receive(item, "0"), "stock.zero_quantity"),
        (lambda: stock.receive(item, "abc"), CoreError.INVALID_NUMBER),
        (lambda: stock.transfer(item, "1", main, main), "stock.same_warehouse"),
        (lambda: stock.count_inventory([(item, "-1")], main), "stock.negative_count"),
    ]:
        with pytest.raises(BusinessError) as error:
            call()
        assert error.value.code == code
    assert not StockMove.objects.exists()


@pytest.fixture
def reference_rows(transactional_db):
    """Taxes, units and payment terms: an earlier transactional test may have flushed them."""
    from django.apps import apps

    from comptoir.pricing import reference_data

    reference_data.load(apps)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_deliveries_of_the_last_five_units(reference_rows, stocked):
    """Two clerks ship the last 5 units at once: one delivery goes, the other is refused."""
    item = ItemFactory()
    stock.receive(item, "5")
    # Prepared apart, shipped at the same moment.
    deliveries = [
        stock.create_delivery(_confirmed_order(item, "5"), ship=False) for _order in range(2)
    ]
    barrier = threading.Barrier(2)
    outcomes = []

    def ship(delivery):
        try:
            barrier.wait()
            stock.ship_delivery(delivery)
            outcomes.append("shipped")
        except BusinessError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=ship, args=(delivery,)) for delivery in deliveries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()
    assert sorted(outcomes) == ["shipped", "stock.not_enough"]
    assert _figures(item).on_hand == D("0")
    assert ledger_differences() == []


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_confirming_reserves_and_cancelling_releases(stocked):
    item = ItemFactory()
    stock.receive(item, "10")
    first = _confirmed_order(item, "8")
    figures = _figures(item)
    assert (figures.on_hand, figures.reserved, figures.available) == (D("10"), D("8"), D("2"))
    # Never more than what is available: the second order gets the last 2.
    second = _confirmed_order(item, "5")
    assert (_figures(item).reserved, second.lines.get().reservation.quantity) == (D("10"), D("2"))
    assert _figures(item).projected == D("-3")

    # The second order cannot ship goods set aside for the first.
    with pytest.raises(BusinessError) as error:
        stock.create_delivery(second)
    assert error.value.code == "stock.not_enough"
    assert "10 on hand of which 8 are reserved for other orders, 5 needed" in error.value.message
    # Its own 2 can go; the first's 8 are still there for it.
    stock.create_delivery(second, {second.lines.get().pk: "2"})
    figures = _figures(item)
    assert (figures.on_hand, figures.reserved, figures.available) == (D("8"), D("8"), D("0"))

    sales.cancel_order(
        sales.confirm_order(sales.create_order(CustomerFactory(), [LineSpec(item, D("1"))]))
    )
    assert _figures(item).reserved == D("8")  # nothing was free to reserve, nothing to give back
    stock.create_delivery(first, {first.lines.get().pk: "3"})
    assert (_figures(item).on_hand, _figures(item).reserved) == (D("5"), D("5"))
    # Cancelling an order without deliveries gives its goods back.
    third = _confirmed_order(item, "0.5")
    assert _figures(item).reserved == D("5")  # nothing free
    stock.receive(item, "4")
    fourth = _confirmed_order(item, "4")
    assert _figures(item).reserved == D("9")
    sales.cancel_order(fourth)
    assert (_figures(item).reserved, _figures(item).available) == (D("5"), D("4"))
    assert not StockReservation.objects.filter(order_line__order=third).exists()
    assert ledger_differences() == []


@pytest.mark.django_db
def test_reservation_is_an_option(stocked):
    update_company(reserve_on_confirm=False)
    item = ItemFactory()
    stock.receive(item, "3")
    _confirmed_order(item, "2")
    figures = _figures(item)
    assert (figures.reserved, figures.demand, figures.projected) == (D("0"), D("2"), D("1"))


@pytest.mark.django_db
def test_a_customer_return_comes_back_into_stock_and_is_credited(stocked):
    from comptoir.billing import services as billing

    chair = ItemFactory(sale_price=D("40.00"))
    stock.receive(chair, "10")
    order = _confirmed_order(chair, "5")
    delivery = stock.create_delivery(order)
    invoice = billing.issue_invoice(billing.invoice_order(order))
    assert _figures(chair).on_hand == D("5")

    (line,) = delivery.lines.all()
    back = stock.receive_return(delivery, {line.pk: "2"}, reason="Rayures")
    assert (back.number[:2], _figures(chair).on_hand) == ("RT", D("7"))
    order_line = order.lines.get()
    assert (order_line.quantity_delivered, order_line.quantity_to_deliver) == (D("3"), D("2"))
    assert stock.returnable(delivery) == {line.pk: D("3")}
    with pytest.raises(BusinessError) as error:
        stock.receive_return(delivery, {line.pk: "4"})
    assert error.value.code == "return.quantity_exceeds_delivered"

    (credit_note,) = billing.credit_for_return(back)
    assert credit_note.credited_invoice_id == invoice.pk
    assert credit_note.lines.get().quantity == D("2")
    assert credit_note.total_gross == D("96.00")  # 2 × 40 + 20 % VAT
    billing.issue_invoice(credit_note)
    order_line.refresh_from_db()
    assert order_line.quantity_invoiced == D("3")
    # Credited once: a second proposal for the same return finds nothing left.
    with pytest.raises(BusinessError):
        billing.credit_for_return(back)
    moves = StockMove.objects.filter(kind=StockMove.Kind.RETURN)
    assert [(m.quantity, m.return_line.customer_return_id) for m in moves] == [(D("2"), back.pk)]
    assert ledger_differences() == []


@pytest.mark.django_db
def test_goods_back_before_invoicing_are_not_invoiced(stocked):
    from comptoir.billing import services as billing

    item = ItemFactory(sale_price=D("10.00"))
    stock.receive(item, "4")
    order = _confirmed_order(item, "4")
    delivery = stock.create_delivery(order)
    stock.receive_return(delivery, {delivery.lines.get().pk: "1"})
    invoice = billing.invoice_order(order)
    assert invoice.lines.get().quantity == D("3")
    assert _figures(item).on_hand == D("1")


@pytest.mark.django_db
def test_delivering_a_bundle_moves_its_components(stocked):
    from comptoir.catalog.services import set_bundle_components
    from comptoir.stock.queries import picking_list

    desk, chair = ItemFactory(code="BUREAU"), ItemFactory(code="CHAISE")
    office = ItemFactory(code="KIT-BUREAU", kind="bundle", sale_price=D("300"))
    set_bundle_components(office, [(desk, "1"), (chair, "2")])
    with pytest.raises(BusinessError):
        set_bundle_components(office, [(office, "1")])
    with pytest.raises(BusinessError):
        stock.receive(office, "1")  # a bundle has no stock of its own
    stock.receive(desk, "5")
    stock.receive(chair, "8")

    order = _confirmed_order(office, "3")
    delivery = stock.create_delivery(order, ship=False)
    (group,) = picking_list([delivery.pk])
    assert {line.item_code: line.quantity for line in group.lines} == {
        "BUREAU": D("3"),
        "CHAISE": D("6"),
    }
    stock.ship_delivery(delivery)
    assert (_figures(desk).on_hand, _figures(chair).on_hand) == (D("2"), D("2"))
    order.refresh_from_db()
    assert order.delivery_status == "fully"

    stock.receive_return(delivery, {delivery.lines.get().pk: "1"})
    assert (_figures(desk).on_hand, _figures(chair).on_hand) == (D("3"), D("4"))
    # Two more kits would need 4 chairs more than there are: refused whole.
    with pytest.raises(BusinessError) as error:
        stock.create_delivery(_confirmed_order(office, "3"))
    assert "CHAISE" in error.value.message
    assert (_figures(desk).on_hand, _figures(chair).on_hand) == (D("3"), D("4"))
    assert ledger_differences() == []


@pytest.mark.django_db
def test_shipped_deliveries_invoiced_together_up_to_a_date(stocked):
    from datetime import timedelta

    from django.utils import timezone

    from comptoir.billing import services as billing
    from comptoir.billing.models import Invoice

    today = timezone.localdate()
    item = ItemFactory(sale_price=D("10.00"))
    stock.receive(item, "100")
    grouped, apart = CustomerFactory(), CustomerFactory(invoice_per_order=True)

    def order_for(customer, quantity):
        lines = [LineSpec(item, D(quantity))]
        return sales.confirm_order(sales.create_order(customer, lines))

    one, two, three = order_for(grouped, "2"), order_for(grouped, "3"), order_for(grouped, "4")
    four, five = order_for(apart, "1"), order_for(apart, "1")
    last_week = today - timedelta(days=7)
    stock.create_deliveries([(one, None), (two, None), (four, None), (five, None)], day=last_week)
    stock.create_deliveries([(three, None)], day=today)  # after the date: not yet
    stock.create_delivery(order_for(grouped, "6"), ship=False)  # not shipped: not invoiced

    invoices = billing.invoice_deliveries(up_to=today - timedelta(days=1))
    by_customer = {}
    for invoice in invoices:
        by_customer.setdefault(invoice.customer_id, []).append(invoice)
    (combined,) = by_customer[grouped.pk]
    assert combined.order_id is None
    assert sorted(line.quantity for line in combined.lines.all()) == [D("2"), D("3")]
    assert combined.total_net == D("50.00")
    assert sorted(i.order_id for i in by_customer[apart.pk]) == [four.pk, five.pk]
    for order in (one, two):
        order.refresh_from_db()
        assert order.billing_status == "fully"

    # Run again: nothing twice; the later delivery is invoiced once its date is reached.
    assert billing.invoice_deliveries(up_to=today - timedelta(days=1)) == []
    (later,) = billing.invoice_deliveries(up_to=today, customer=grouped)
    assert later.lines.get().quantity == D("4")
    assert Invoice.objects.filter(customer=grouped).count() == 2
