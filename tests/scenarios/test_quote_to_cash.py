"""Quote to cash, as a salesperson and an accountant live it: quotation → order → two partial
deliveries → invoice → partial payment → credit note → final payment. Through the services."""

from datetime import timedelta
from decimal import Decimal

import pytest

from comptoir.billing import services as billing
from comptoir.billing.models import Invoice
from comptoir.billing.queries import payment_status, settlements
from comptoir.payments import services as payments
from comptoir.payments.queries import customer_balance
from comptoir.pricing.engine import LineSpec
from comptoir.pricing.models import Tax
from comptoir.sales import services as sales
from comptoir.sales.models import Progress, Quotation, SalesOrder
from comptoir.stock import services as stock
from tests.factories import CustomerFactory, ItemFactory

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(company):
    return {
        "paper": ItemFactory(code="PAPER", name="Ramette A4", sale_price=D("12.50")),
        "chair": ItemFactory(
            code="CHAIR",
            name="Chaise",
            sale_price=D("99.99"),
            tax=Tax.objects.get(code="TVA55"),
        ),
        "setup": ItemFactory(code="SETUP", name="Installation", kind="service", sale_price=65),
    }


def test_quote_to_cash_through_services(catalog, user):
    customer = CustomerFactory(name="Boulangerie Martin")

    # A quotation of three lines, one with a discount.
    quotation = sales.create_quotation(
        customer,
        [
            LineSpec(catalog["paper"], D("10"), discount_pct=D("10")),
            LineSpec(catalog["chair"], D("4")),
            LineSpec(catalog["setup"], D("2")),
        ],
        by=user,
    )
    assert quotation.status == Quotation.Status.DRAFT
    assert quotation.number.startswith("DV-")
    assert [line.net_amount for line in quotation.lines.all()] == [
        D("112.50"),
        D("399.96"),
        D("130.00"),
    ]
    assert quotation.total_net == D("642.46")
    assert quotation.total_vat == D("70.50")  # 20 %: 48.50 on 242.50; 5.5 %: 22.00 on 399.96
    assert quotation.total_gross == D("712.96")
    assert [(g["rate"], g["taxable_amount"], g["tax_amount"]) for g in quotation.vat_breakdown] == [
        ("20.00", "242.50", "48.50"),
        ("5.50", "399.96", "22.00"),
    ]

    sales.send_quotation(quotation, by=user)
    sales.accept_quotation(quotation, by=user)
    order = sales.convert_quotation_to_order(quotation, by=user)
    assert order.quotation_id == quotation.pk
    assert order.total_gross == quotation.total_gross
    with pytest.raises(sales.BusinessError) as converted_twice:
        sales.convert_quotation_to_order(quotation, by=user)
    assert converted_twice.value.code == "quotation.already_converted"

    sales.confirm_order(order, by=user)
    order.refresh_from_db()
    assert order.status == SalesOrder.Status.CONFIRMED
    assert (order.delivery_status, order.billing_status) == (Progress.NOT, Progress.NOT)
    paper, chair, setup = order.lines.order_by("position")

    # First delivery: part of the paper, all the chairs.
    first = stock.create_delivery(order, {paper.pk: D("4"), chair.pk: D("4")}, by=user)
    assert first.status == "shipped"
    order.refresh_from_db()
    paper.refresh_from_db()
    assert order.delivery_status == Progress.PARTLY
    assert paper.quantity_delivered == D("4")
    assert paper.quantity_to_deliver == D("6")
    with pytest.raises(sales.BusinessError) as too_much:
        stock.create_delivery(order, {paper.pk: D("7")}, by=user)
    assert too_much.value.code == "delivery.quantity_exceeds_remaining"

    # Second delivery: the rest.
    stock.create_delivery(order, None, by=user)
    order.refresh_from_db()
    assert order.delivery_status == Progress.FULLY
    assert order.deliveries.count() == 2

    # Invoice what was delivered (and the service, which is not delivered).
    invoice = billing.invoice_order(order, by=user)
    assert invoice.status == Invoice.Status.DRAFT and invoice.number == ""
    assert invoice.total_gross == D("712.96")
    assert sorted(line.source_line_id for line in invoice.lines.all()) == sorted(
        [paper.pk, chair.pk, setup.pk]
    )
    order.refresh_from_db()
    assert order.billing_status == Progress.FULLY
    assert order.status == SalesOrder.Status.DONE

    billing.issue_invoice(invoice, by=user)
    invoice.refresh_from_db()
    assert invoice.number.startswith("FA-") and invoice.number.endswith("-000001")
    assert invoice.due_date == invoice.date + timedelta(days=30)  # the company's default terms

    # Partial payment.
    payments.register_payment(customer, D("300.00"), allocations=[(invoice, D("300.00"))], by=user)
    settlement = settlements([invoice.pk])[invoice.pk]
    assert settlement.outstanding == D("412.96")
    assert payment_status(invoice, settlement) == "partly_paid"

    # Credit note for one chair.
    chair_line = invoice.lines.get(item_code="CHAIR")
    credit_note = billing.credit_invoice(invoice, {chair_line.pk: D("1")}, by=user, reason="Casse")
    assert credit_note.kind == Invoice.Kind.CREDIT_NOTE
    assert credit_note.total_net == D("99.99")
    assert credit_note.total_vat == D("5.50")
    assert credit_note.total_gross == D("105.49")
    billing.issue_invoice(credit_note, by=user)
    credit_note.refresh_from_db()
    assert credit_note.number.startswith("AV-") and credit_note.credited_invoice_id == invoice.pk
    order.refresh_from_db()
    chair.refresh_from_db()
    # A price reduction for a broken chair the customer keeps: the order stays invoiced.
    assert chair.quantity_invoiced == D("4")
    assert order.billing_status == Progress.FULLY
    assert order.status == SalesOrder.Status.DONE

    settlement = settlements([invoice.pk])[invoice.pk]
    assert settlement.outstanding == D("307.47")

    # The final payment settles the invoice, nothing more is owed.
    payments.register_payment(customer, D("307.47"), by=user)  # allocated automatically
    settlement = settlements([invoice.pk])[invoice.pk]
    assert settlement.outstanding == D("0.00")
    assert payment_status(invoice, settlement) == "paid"
    balance = customer_balance(customer)
    assert balance.invoiced == D("712.96")
    assert balance.credited == D("105.49")
    assert balance.paid == D("607.47")
    assert balance.balance == D("0.00")


def test_an_accepted_quotation_is_invoiced_without_an_order(catalog, user):
    customer = CustomerFactory()
    quotation = sales.create_quotation(
        customer, [LineSpec(catalog["setup"], D("3"), unit_price=D("60"))], by=user
    )
    with pytest.raises(sales.BusinessError) as not_accepted:
        billing.invoice_quotation(quotation, by=user)
    assert not_accepted.value.code == "quotation.not_accepted"
    sales.accept_quotation(quotation, by=user)
    invoice = billing.invoice_quotation(quotation, by=user)
    assert invoice.quotation_id == quotation.pk and invoice.order_id is None
    assert (invoice.total_net, invoice.total_vat, invoice.total_gross) == (
        D("180.00"),
        D("36.00"),
        D("216.00"),
    )
    with pytest.raises(sales.BusinessError) as twice:
        sales.convert_quotation_to_order(quotation, by=user)
    assert twice.value.code == "quotation.already_converted"
