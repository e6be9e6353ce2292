"""The stock's valuation (weighted average cost) and the cost of what is sold: on the delivery
lines when they ship, on the invoice lines when they are issued, back on credit notes."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from comptoir.billing import services as billing
from comptoir.billing.models import InvoiceLine
from comptoir.core.services import update_company
from comptoir.pricing.engine import LineSpec
from comptoir.sales import services as sales
from comptoir.stock import services as stock
from comptoir.stock.models import StockLevel, StockMove
from comptoir.stock.valuation import average_cost
from tests.factories import CustomerFactory, ItemFactory

D = Decimal


def _average(item, warehouse=None) -> Decimal:
    return average_cost([item.pk], warehouse).get(item.pk)


def _order(item, quantity, *more):
    specs = [LineSpec(item, D(quantity))] + [LineSpec(i, D(q)) for i, q in more]
    return sales.confirm_order(sales.create_order(CustomerFactory(), specs))


@pytest.fixture
def stocked(company):
    update_company(stock_management=True)
    return ItemFactory(code="CHAISE", cost_price=D("4.00"))


@pytest.mark.django_db
class TestTheAverage:
    def test_receipts_move_the_average(self, stocked):
        stock.receive(stocked, "10", unit_cost=D("5"))
        assert _average(stocked) == D("5.0000")
        stock.receive(stocked, "10", unit_cost=D("7"))
        assert _average(stocked) == D("6.0000")

    def test_a_delivery_costs_the_average_and_keeps_it(self, stocked):
        stock.receive(stocked, "10", unit_cost=D("5"))
        stock.receive(stocked, "10", unit_cost=D("7"))
        delivery = stock.create_delivery(_order(stocked, "5"))
        (line,) = delivery.lines.all()
        assert line.cost_amount == D("30.00")
        assert line.moves.get().unit_cost == D("6.0000")
        assert _average(stocked) == D("6.0000")

    def test_a_return_comes_back_at_the_cost_it_left_with(self, stocked):
        stock.receive(stocked, "10", unit_cost=D("5"))
        stock.receive(stocked, "10", unit_cost=D("7"))
        delivery = stock.create_delivery(_order(stocked, "5"))
        stock.receive(stocked, "5", unit_cost=D("9"))  # 15 × 6 + 5 × 9 = 135 for 20
        assert _average(stocked) == D("6.7500")
        (line,) = delivery.lines.all()
        back = stock.receive_return(delivery, {line.pk: "2"})
        move = StockMove.objects.get(return_line__customer_return=back)
        assert move.unit_cost == D("6.0000")  # not today's 6.75
        assert _average(stocked) == D("6.6818")  # (135 + 12) / 22

    def test_an_inventory_surplus_comes_in_at_the_average(self, stocked):
        warehouse = stock.default_warehouse()
        stock.receive(stocked, "10", unit_cost=D("5"))
        stock.count_inventory([(stocked, D("12"))], warehouse)
        assert _average(stocked) == D("5.0000")
        assert StockMove.objects.get(kind=StockMove.Kind.ADJUSTMENT).unit_cost == D("5.0000")

    def test_a_transfer_arrives_at_the_average_it_left(self, stocked):
        source = stock.default_warehouse()
        target = stock.save_warehouse(code="LYON", name="Lyon")
        stock.receive(stocked, "10", unit_cost=D("5"))
        stock.receive(stocked, "10", warehouse=target, unit_cost=D("8"))
        stock.transfer(stocked, "10", source, target)
        assert _average(stocked, target) == D("6.5000")
        assert _average(stocked, source) == D("5.0000")  # none left: the last known
        assert _average(stocked) == D("6.5000")  # weighted by what each holds

    def test_out_of_stock_the_last_average_else_the_cost_price(self, stocked):
        update_company(allow_negative_stock=True)
        stock.receive(stocked, "2", unit_cost=D("5"))
        delivery = stock.create_delivery(_order(stocked, "3"))
        assert delivery.lines.get().cost_amount == D("15.00")  # 3 at the last average
        never = ItemFactory(code="NEUF", cost_price=D("4.5"))
        delivery = stock.create_delivery(_order(never, "2"))
        assert delivery.lines.get().cost_amount == D("9.00")  # at its cost price
        stock.receive(never, "5", unit_cost=D("3"))  # 2 sold short: the stock is the 3 left
        assert _average(never) == D("3.0000")

    def test_without_stock_management_goods_cost_their_cost_price(self, company):
        item = ItemFactory(cost_price=D("2.5"))
        delivery = stock.create_delivery(_order(item, "4"))
        assert delivery.lines.get().cost_amount == D("10.00")
        assert not StockLevel.objects.filter(item=item).exists()

    def test_averages_of_many_items_are_one_query(self, stocked, django_assert_num_queries):
        items = [ItemFactory() for _n in range(5)]
        for index, item in enumerate(items):
            stock.receive(item, "1", unit_cost=D(index + 1))
        with django_assert_num_queries(1):
            averages = average_cost([item.pk for item in items])
        assert [averages[item.pk] for item in items] == [D(n) for n in range(1, 6)]


@pytest.mark.django_db
class TestTheCostOfInvoices:
    def test_an_invoice_takes_the_cost_its_goods_shipped_at(self, stocked):
        fitting = ItemFactory(code="POSE", kind="service", cost_price=D("20"))
        stock.receive(stocked, "10", unit_cost=D("5"))
        stock.receive(stocked, "10", unit_cost=D("7"))
        order = _order(stocked, "5", (fitting, "2"))
        stock.create_delivery(order)
        stock.receive(stocked, "10", unit_cost=D("12"))  # after the goods left: no matter
        invoice = billing.issue_invoice(billing.invoice_order(order))
        costs = {line.item_code: line.cost_amount for line in invoice.lines.all()}
        assert costs == {"CHAISE": D("30.00"), "POSE": D("40.00")}

    def test_a_credit_note_of_half_a_line_carries_half_its_cost(self, stocked):
        stock.receive(stocked, "10", unit_cost=D("5"))
        stock.receive(stocked, "10", unit_cost=D("7"))
        order = _order(stocked, "5")
        stock.create_delivery(order)
        invoice = billing.issue_invoice(billing.invoice_order(order))
        (line,) = invoice.lines.all()
        first = billing.issue_invoice(billing.credit_invoice(invoice, {line.pk: "2.5"}))
        assert first.lines.get().cost_amount == D("15.00")
        second = billing.issue_invoice(billing.credit_invoice(invoice, {line.pk: "1.2"}))
        assert second.lines.get().cost_amount == D("7.20")
        last = billing.issue_invoice(billing.credit_invoice(invoice))
        assert last.lines.get().cost_amount == D("7.80")  # what is left: never a cent more

    def test_a_direct_invoice_costs_the_average_of_the_day(self, stocked):
        stock.receive(stocked, "3", unit_cost=D("5"))
        stock.receive(stocked, "1", unit_cost=D("9"))
        invoice = billing.create_invoice(CustomerFactory(), [LineSpec(stocked, D("3"))])
        assert invoice.lines.get().cost_amount == 0  # a draft has no cost yet
        invoice = billing.issue_invoice(invoice)
        assert invoice.lines.get().cost_amount == D("18.00")

    def test_invoices_issued_as_they_are_created_carry_their_cost(self, stocked):
        from comptoir.pricing.documents import DocumentRequest

        stock.receive(stocked, "4", unit_cost=D("2.5"))
        customer = CustomerFactory()
        invoices = billing.create_issued_invoices(
            [DocumentRequest(customer, [LineSpec(stocked, D(n))]) for n in (1, 2)]
        )
        costs = InvoiceLine.objects.filter(invoice__in=invoices).order_by("invoice_id")
        assert [line.cost_amount for line in costs] == [D("2.50"), D("5.00")]

    def test_issuing_many_invoices_costs_no_query_per_line(
        self, stocked, django_assert_max_num_queries
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        items = [ItemFactory() for _n in range(3)]
        for item in items:
            stock.receive(item, "100", unit_cost=D("3"))
        customer = CustomerFactory()

        def drafts(n):
            return [
                billing.create_invoice(customer, [LineSpec(item, D("1")) for item in items])
                for _n in range(n)
            ]

        with CaptureQueriesContext(connection) as few:
            billing.issue_invoices(drafts(2))
        many = drafts(12)
        with django_assert_max_num_queries(len(few.captured_queries)):
            billing.issue_invoices(many)
        assert {line.cost_amount for line in InvoiceLine.objects.filter(invoice__in=many)} == {
            D("3.00")
        }


# The property: the valuation kept move by move equals the one replayed from the ledger. ------

receipt = st.tuples(
    st.just("receipt"),
    st.integers(0, 1),
    st.decimals(min_value=D("0.001"), max_value=D("50"), places=3),
    st.decimals(min_value=D("0"), max_value=D("100"), places=4),
)
out = st.tuples(
    st.sampled_from(["delivery", "return", "transfer"]),
    st.integers(0, 1),
    st.decimals(min_value=D("0.01"), max_value=D("1"), places=2),  # a share of the stock
    st.just(None),
)


def _replay(moves) -> tuple[dict, list]:
    """The averages from the ledger alone, with the rule written plainly; and every move whose
    unit cost differs from it."""
    state: dict[int, tuple[Decimal, Decimal | None]] = {}
    wrong = []
    for move in moves:
        on_hand, average = state.get(move.warehouse_id, (D("0"), None))
        if move.quantity < 0:
            expected = average if average is not None else move.item.cost_price
            if move.unit_cost != expected:
                wrong.append(move)
        elif average is None or on_hand <= 0:
            average = move.unit_cost
        else:
            total = on_hand * average + move.quantity * move.unit_cost
            average = (total / (on_hand + move.quantity)).quantize(D("0.0001"), ROUND_HALF_UP)
        state[move.warehouse_id] = (on_hand + move.quantity, average)
    return state, wrong


class ValuationReplayTest(TestCase):
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.one_of(receipt, out), min_size=1, max_size=12))
    def test_the_valuation_equals_its_replay_from_the_ledger(self, steps):
        update_company(legal_name="Test", stock_management=True)
        item = ItemFactory(cost_price=D("4"))
        warehouses = [stock.default_warehouse(), stock.save_warehouse(code="W2", name="Deux")]
        left_at: list[tuple[int, Decimal, Decimal]] = []  # (warehouse, quantity, unit cost)
        for kind, where, amount, cost in steps:
            warehouse = warehouses[where]
            level = StockLevel.objects.filter(item=item, warehouse=warehouse).first()
            on_hand = level.on_hand if level else D("0")
            if kind == "receipt":
                stock.receive(item, amount, warehouse=warehouse, unit_cost=cost)
                continue
            quantity = (on_hand * amount).quantize(D("0.001"))
            if kind == "return":
                if not left_at:
                    continue
                place, quantity, cost = left_at.pop()
                stock.post_moves(
                    [stock.Move(item, warehouses[place], quantity, "return", unit_cost=cost)]
                )
            elif quantity <= 0:
                continue
            elif kind == "delivery":
                (move,) = stock.post_moves([stock.Move(item, warehouse, -quantity, "delivery")])
                left_at.append((where, quantity, move.unit_cost))
            else:
                stock.transfer(item, quantity, warehouse, warehouses[1 - where])
        moves = StockMove.objects.filter(item=item).select_related("item").order_by("pk")
        replayed, wrong = _replay(moves)
        assert wrong == []
        kept = {
            level.warehouse_id: (level.on_hand, level.average_cost)
            for level in StockLevel.objects.filter(item=item)
        }
        assert kept == replayed


class _Editor:
    """What the migrations' functions use of a schema editor: its connection, ``execute``."""

    def __init__(self, connection):
        self.connection = connection

    def execute(self, sql, params=()):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)


@pytest.mark.django_db
def test_the_migrations_value_the_stock_and_the_lines_of_before(stocked):
    from contextlib import nullcontext
    from importlib import import_module

    from django.apps import apps
    from django.db import connection

    from comptoir.core.bulk import update_rows
    from comptoir.core.triggers import lifted
    from comptoir.stock.models import DeliveryNoteLine

    stock.receive(stocked, "3", unit_cost=D("5"))
    order = _order(stocked, "2")
    stock.create_delivery(order)
    invoice = billing.issue_invoice(billing.invoice_order(order))
    (line,) = invoice.lines.all()
    with lifted(connection):  # as they were before: nothing valued, nothing costed
        StockLevel.objects.update(average_cost=None)
        DeliveryNoteLine.objects.update(cost_amount=0)
        update_rows(InvoiceLine, ["cost_amount"], [(line.pk, D("0"))])
    # SQLite's guards are set aside by ``migrate`` itself; PostgreSQL's by the migration.
    guards_down = lifted(connection) if connection.vendor == "sqlite" else nullcontext()
    with guards_down:
        import_module("comptoir.stock.migrations.0008_value_existing_stock").value_existing_stock(
            apps, _Editor(connection)
        )
        import_module("comptoir.billing.migrations.0023_cost_of_issued_lines").cost_issued_lines(
            apps, _Editor(connection)
        )
    assert _average(stocked) == D("4.0000")  # the cost price
    assert DeliveryNoteLine.objects.get().cost_amount == D("8.00")
    assert InvoiceLine.objects.get(pk=line.pk).cost_amount == D("8.00")
    with pytest.raises(Exception, match="issued"):  # the guard is back
        update_rows(InvoiceLine, ["cost_amount"], [(line.pk, D("1"))])
