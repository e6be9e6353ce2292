"""Batch services issue a number of queries that does not grow with the number of documents."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.billing import services as billing
from comptoir.core.services import update_company
from comptoir.payments.services import PaymentRequest, register_payments
from comptoir.pricing.documents import DocumentRequest
from comptoir.pricing.engine import LineSpec
from comptoir.sales import services as sales
from comptoir.stock import services as stock
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db


def cycle(n: int, customers, items) -> dict[str, int]:
    counts = {}
    by_id = {c.pk: c for c in customers}

    def measure(name, fn):
        with CaptureQueriesContext(connection) as ctx:
            result = fn()
        counts[name] = len(ctx.captured_queries)
        return result

    requests = [
        DocumentRequest(
            customers[i % len(customers)],
            [LineSpec(items[(i + k) % len(items)], Decimal(k + 1)) for k in range(5)],
        )
        for i in range(n)
    ]
    orders = measure("create", lambda: sales.create_orders(requests))
    measure("confirm", lambda: sales.confirm_orders(orders))
    measure("deliver", lambda: stock.create_deliveries([(o, None) for o in orders]))
    invoices = measure("invoice", lambda: billing.invoice_orders(orders))
    invoices = measure("issue", lambda: billing.issue_invoices(invoices))
    measure(
        "pay",
        lambda: register_payments(
            [
                PaymentRequest(
                    by_id[inv.customer_id], inv.total_gross, allocations=[(inv, inv.total_gross)]
                )
                for inv in invoices
            ]
        ),
    )
    return counts


@pytest.mark.parametrize("stocked", [False, True], ids=["no-stock", "stock-management"])
def test_the_order_to_cash_cycle_costs_a_constant_number_of_queries(company, stocked):
    customers = CustomerFactory.create_batch(4)
    items = ItemFactory.create_batch(7)
    if stocked:  # reservations at confirmation, moves and promised dates
        update_company(stock_management=True)
        warehouse = stock.default_warehouse()
        stock.post_moves(
            [stock.Move(item, warehouse, Decimal(10_000), "receipt") for item in items]
        )
    cycle(2, customers, items)  # first use creates the numbering series
    small = cycle(3, customers, items)
    large = cycle(30, customers, items)
    # Ten times the orders: the same queries, give or take a bulk insert split by the
    # database's parameter limit.
    for phase, queries in large.items():
        assert queries <= small[phase] + 3, (phase, small, large)
    # Stock management adds reservations and promised dates (confirm) and moves (deliver);
    # issuing asks once whether the approved platform is connected (+1), and paying once
    # whether the invoices paid went to the platform (+1, for their 212 Encaissée); pricing
    # the orders asks once whether the pricing rules changed (+1) and reads the promotions in
    # force (+1). Keeping the cost of what is sold: shipping writes the lines' cost (+1;
    # without stock management it also reads them, +1, which the moves read otherwise), issuing
    # reads what the goods shipped at and writes the lines' cost (+2; the lines it reads to
    # cost them are those it counted before, one query). Issuing adds to the sales summaries
    # (+20): the lines and the customers read once, whom each document sold to written once,
    # and per grain one read and one write.
    assert sum(large.values()) < (164 if stocked else 128), large


def test_the_invoice_list_does_not_grow_with_its_rows(api, django_assert_max_num_queries):
    customer = CustomerFactory()
    item = ItemFactory()
    for _ in range(15):
        billing.create_invoice(customer, [LineSpec(item, Decimal(1)), LineSpec(item, Decimal(2))])
    # The token and its last use, the user's role permissions, then the page.
    with django_assert_max_num_queries(7):
        response = api.get("/invoices?limit=50")
    assert response.status_code == 200
    assert response.json()["count"] == 15
