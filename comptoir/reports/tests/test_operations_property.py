"""After any sequence of orders, deliveries, returns, invoices, credit notes, payments and
quotations, the dashboard's figures and the reports' totals equal what the documents' lines
say, recomputed here from the lineage (not from the quantities the orders cache)."""

import contextlib
import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from comptoir.billing import services as billing
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.core.errors import BusinessError
from comptoir.core.services import update_company
from comptoir.payments import services as payments
from comptoir.pricing.engine import LineSpec
from comptoir.reports import operations
from comptoir.reports.tests.test_operations import quotation_in
from comptoir.sales import services as sales
from comptoir.sales.models import Quotation, QuotationLine, SalesOrder, SalesOrderLine
from comptoir.stock import services as stock
from comptoir.stock.models import DeliveryNote, DeliveryNoteLine, ReturnLine
from comptoir.web.dashboard import indicators
from tests.factories import CustomerFactory, ItemFactory

D = Decimal
CENT = D("0.01")
QUANTITIES = st.sampled_from([D("1"), D("2"), D("3"), D("0.5"), D("7"), D("1.25")])
STEPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("order"),
            st.integers(0, 1),
            st.lists(st.tuples(st.integers(0, 2), QUANTITIES), min_size=1, max_size=3),
            st.integers(-5, 5),
        ),
        st.tuples(st.just("deliver"), st.integers(0, 20), st.sampled_from([D("0.5"), D("1")])),
        st.tuples(st.just("return"), st.integers(0, 20), st.sampled_from([D("0.5"), D("1")])),
        st.tuples(st.just("invoice")),
        st.tuples(st.just("sell"), st.integers(0, 1), st.integers(0, 2), QUANTITIES),
        st.tuples(st.just("issue")),
        st.tuples(st.just("credit"), st.integers(0, 20), st.booleans()),
        st.tuples(st.just("pay"), st.integers(0, 1), st.sampled_from(["10.00", "33.35", "0.10"])),
        st.tuples(
            st.just("quote"),
            st.integers(0, 1),
            QUANTITIES,
            st.sampled_from(["draft", "sent", "accepted", "refused", "ordered"]),
        ),
        st.tuples(st.just("cancel"), st.integers(0, 20)),
    ),
    min_size=3,
    max_size=10,
)


def _share(net, part, quantity) -> Decimal:
    return (net * part / quantity).quantize(CENT, rounding=ROUND_HALF_UP)


def _pick(rows, index):
    rows = list(rows)
    return rows[index % len(rows)] if rows else None


class ReportsAgreeWithTheLinesTest(TestCase):
    def setUp(self):
        update_company(legal_name="Atelier Test SARL")
        self.customers = [CustomerFactory(), CustomerFactory()]
        self.items = [
            ItemFactory(sale_price=D("24.00")),
            ItemFactory(sale_price=D("3.35")),
            ItemFactory(sale_price=D("0.10")),
        ]

    def run_step(self, step):
        kind, *args = step
        today = dt.date.today()
        if kind == "order":
            customer, lines, days = args
            specs = [LineSpec(self.items[i], q) for i, q in lines]
            order = sales.create_order(
                self.customers[customer], specs, requested_delivery_date=today + dt.timedelta(days)
            )
            sales.confirm_order(order)
        elif kind == "deliver":
            index, part = args
            line = _pick(
                SalesOrderLine.objects.filter(order__status="confirmed").order_by("pk"), index
            )
            if line is not None:
                left = line.quantity - line.quantity_delivered
                if left > 0:
                    stock.create_delivery(line.order, {line.pk: min(left, part)})
        elif kind == "return":
            index, part = args
            line = _pick(
                DeliveryNoteLine.objects.filter(delivery__status="shipped").order_by("pk"), index
            )
            if line is not None:
                stock.receive_return(line.delivery, {line.pk: str(part)}, reason="Retour")
        elif kind == "sell":  # the whole cycle at once: ordered, delivered, invoiced, issued
            customer, item, quantity = args
            order = sales.confirm_order(
                sales.create_order(self.customers[customer], [LineSpec(self.items[item], quantity)])
            )
            stock.create_delivery(order)
            billing.issue_invoice(billing.invoice_order(order))
        elif kind == "invoice":
            billing.invoice_deliveries(up_to=today)
        elif kind == "issue":
            drafts = list(Invoice.objects.filter(status=Invoice.Status.DRAFT).order_by("pk"))
            if drafts:
                billing.issue_invoices(drafts)
        elif kind == "credit":
            index, again = args
            invoice = _pick(
                Invoice.objects.filter(status="issued", kind="invoice").order_by("pk"), index
            )
            if invoice is not None:
                line = invoice.lines.order_by("pk").first()
                credit = billing.credit_invoice(
                    invoice, {line.pk: min(line.quantity, D("1"))}, invoice_again=again
                )
                billing.issue_invoice(credit)
        elif kind == "pay":
            customer, amount = args
            payments.register_payment(self.customers[customer], D(amount))
        elif kind == "quote":
            customer, quantity, status = args
            quotation_in(self.customers[customer], self.items[0], quantity, status=status)
        elif kind == "cancel":
            (index,) = args
            order = _pick(SalesOrder.objects.filter(status="confirmed").order_by("pk"), index)
            if order is not None:
                sales.cancel_order(order)

    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(STEPS)
    def test_the_figures_equal_a_recomputation_from_the_lines(self, steps):
        for step in steps:
            # A step the service refuses (nothing to invoice, over-credit…) changes nothing.
            with contextlib.suppress(BusinessError):
                self.run_step(step)
        self.check()

    def check(self):
        today = dt.date.today()
        shipped = defaultdict(D)
        for source, quantity in DeliveryNoteLine.objects.filter(
            delivery__status=DeliveryNote.Status.SHIPPED
        ).values_list("source_line_id", "quantity"):
            shipped[source] += quantity
        for source, quantity in ReturnLine.objects.values_list(
            "delivery_line__source_line_id", "quantity"
        ):
            shipped[source] -= quantity
        invoiced = defaultdict(D)
        for source, kind, status, again, quantity in InvoiceLine.objects.filter(
            source_line__isnull=False
        ).values_list(
            "source_line_id",
            "invoice__kind",
            "invoice__status",
            "invoice__invoice_again",
            "quantity",
        ):
            if kind == "invoice":
                invoiced[source] += quantity
            elif kind == "credit_note" and status == "issued" and again:
                invoiced[source] -= quantity

        backlog, backlog_orders = D("0.00"), set()
        to_invoice, to_invoice_orders = D("0.00"), set()
        for line in SalesOrderLine.objects.select_related("order"):
            delivered = shipped[line.pk]
            open_goods = line.order.status == "confirmed" and not line.is_service
            if open_goods and line.quantity > delivered:
                backlog += _share(line.net_amount, line.quantity - delivered, line.quantity)
                backlog_orders.add(line.order_id)
            if line.order.status in {"confirmed", "done"} and delivered > invoiced[line.pk]:
                left = delivered - invoiced[line.pk]
                to_invoice += _share(line.net_amount, left, line.quantity)
                to_invoice_orders.add(line.order_id)

        sales_net = D("0.00")
        for invoice in Invoice.objects.filter(status="issued", date__gte=today.replace(day=1)):
            net = sum((line.net_amount for line in invoice.lines.all()), D("0.00"))
            sales_net += -net if invoice.kind == "credit_note" else net

        owed = D("0.00")
        for invoice in Invoice.objects.filter(status="issued", kind="invoice"):
            paid = sum((a.amount for a in invoice.allocations.all()), D("0.00"))
            credited = sum(
                (
                    c.total_gross
                    for c in Invoice.objects.filter(credited_invoice=invoice, status="issued")
                ),
                D("0.00"),
            )
            owed += max(invoice.total_gross - paid - credited, D("0.00"))

        open_quotes = D("0.00")
        for line in QuotationLine.objects.filter(quotation__status__in=["draft", "sent"]):
            open_quotes += line.net_amount

        figures = indicators(today)
        assert figures["open_orders"] == {"count": len(backlog_orders), "amount": backlog}
        assert figures["not_invoiced"] == {"count": len(to_invoice_orders), "amount": to_invoice}
        assert figures["this_month"] == sales_net
        assert figures["receivables"]["amount"] == owed
        # Each report's total is the figure, and the sum of its rows.
        for report, amount, figure in (
            (operations.backlog(), "amount_left", backlog),
            (operations.to_invoice(), "amount", to_invoice),
            (operations.month_sales(month=today), "net", sales_net),
        ):
            assert report.total == figure
            assert sum((getattr(row, amount) for row in report.rows), D("0.00")) == figure
        pipeline = operations.quotations()
        assert pipeline.total.amount == open_quotes
        assert (
            pipeline.total.count == Quotation.objects.filter(status__in=["draft", "sent"]).count()
        )
