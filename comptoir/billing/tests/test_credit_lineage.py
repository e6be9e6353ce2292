"""What a credit note gives back to its order: a price reduction (goods kept) nothing, a
return or a correction what will be invoiced again. Quantities are lineage sums."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from comptoir.billing import services as billing
from comptoir.pricing.engine import LineSpec
from comptoir.sales import services as sales
from comptoir.sales.models import Progress, SalesOrder
from comptoir.stock import services as stock
from comptoir.web.dashboard import indicators
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def aprons(company):
    """Ten aprons ordered, delivered and invoiced (issued): nothing left to invoice."""
    apron = ItemFactory(code="TABLIER", name="Tablier de cuisine", sale_price=D("24.00"))
    order = sales.confirm_order(sales.create_order(CustomerFactory(), [LineSpec(apron, D("10"))]))
    delivery = stock.create_delivery(order)
    invoice = billing.issue_invoice(billing.invoice_order(order))
    return order, delivery, invoice


def _state(order):
    order = SalesOrder.objects.get(pk=order.pk)
    line = order.lines.get()
    return line.quantity_invoiced, order.billing_status, order.status


def _order_page(user, order) -> str:
    client = Client()
    client.force_login(user)
    return client.get(order.get_absolute_url()).content.decode()


def test_a_price_reduction_leaves_the_order_invoiced(aprons, api, user):
    order, _delivery, invoice = aprons
    line = invoice.lines.get()
    # Two defective aprons, kept by the customer: a credit note through the API.
    response = api.post(
        f"/invoices/{invoice.pk}/credit-notes",
        {"lines": [{"line": line.pk, "quantity": "2"}], "reason": "Défaut", "issue": True},
    )
    assert response.status_code == 201, response.json()
    assert _state(order) == (D("10"), Progress.FULLY, SalesOrder.Status.DONE)
    assert api.get(f"/orders/{order.pk}").json()["billing_status"] == "fully"
    assert "Facturer la commande" not in _order_page(user, order)
    assert indicators()["not_invoiced"]["count"] == 0
    assert billing.invoice_deliveries(up_to=dt.date.today() + dt.timedelta(days=1)) == []


def test_a_correction_reopens_what_it_invoices_again(aprons, user):
    order, _delivery, invoice = aprons
    draft = billing.correct_invoice(invoice)
    # The corrected draft invoices the ten aprons again: nothing else to invoice.
    assert _state(order)[:2] == (D("10"), Progress.FULLY)
    billing.delete_invoice(draft)
    assert _state(order) == (D("0"), Progress.NOT, SalesOrder.Status.CONFIRMED)
    assert indicators()["not_invoiced"]["count"] == 1
    (again,) = billing.invoice_deliveries(up_to=dt.date.today() + dt.timedelta(days=1))
    assert again.lines.get().quantity == D("10")


def test_a_credit_marked_to_invoice_again_reopens_the_order(aprons, api):
    order, _delivery, invoice = aprons
    line = invoice.lines.get()
    response = api.post(
        f"/invoices/{invoice.pk}/credit-notes",
        {"lines": [{"line": line.pk, "quantity": "2"}], "issue": True, "invoice_again": True},
    )
    assert response.status_code == 201, response.json()
    assert _state(order) == (D("8"), Progress.PARTLY, SalesOrder.Status.CONFIRMED)


def test_a_return_credited_leaves_nothing_to_invoice(aprons, user):
    order, delivery, _invoice = aprons
    back = stock.receive_return(delivery, {delivery.lines.get().pk: "2"}, reason="Défaut")
    (credit_note,) = billing.credit_for_return(back)
    billing.issue_invoice(credit_note)
    order_line = SalesOrder.objects.get(pk=order.pk).lines.get()
    assert (order_line.quantity_delivered, order_line.quantity_invoiced) == (D("8"), D("8"))
    assert indicators()["not_invoiced"]["count"] == 0
    assert billing.invoice_deliveries(up_to=dt.date.today() + dt.timedelta(days=1)) == []
