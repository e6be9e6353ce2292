from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from comptoir.billing import services as billing
from comptoir.billing.queries import payment_status, settlements
from comptoir.core.errors import BusinessError
from comptoir.core.services import update_company
from comptoir.payments.services import register_payment
from comptoir.pricing.engine import LineSpec
from comptoir.pricing.services import create_terms_template
from comptoir.sales import services as sales
from comptoir.sales.models import Progress, SalesOrder
from comptoir.stock import services as stock
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db
D = Decimal


def test_the_credit_limit_refuses_an_order_that_goes_past_it(company):
    customer = CustomerFactory(credit_limit=D("500.00"))
    item = ItemFactory(sale_price=D("100.00"))  # 120.00 with VAT
    first = sales.create_order(customer, [LineSpec(item, D("3"))])  # 360.00
    sales.confirm_order(first)
    second = sales.create_order(customer, [LineSpec(item, D("2"))])  # 240.00: 600 > 500
    with pytest.raises(BusinessError) as error:
        sales.confirm_order(second)
    assert error.value.code == "order.credit_limit_exceeded"
    assert SalesOrder.objects.get(pk=second.pk).status == SalesOrder.Status.DRAFT

    # Once the first order is invoiced and paid, the customer is within the limit again.
    stock.create_delivery(first)
    invoice = billing.issue_invoice(billing.invoice_order(first))
    register_payment(customer, invoice.total_gross)
    sales.confirm_order(second)
    assert SalesOrder.objects.get(pk=second.pk).status == SalesOrder.Status.CONFIRMED


def test_the_credit_limit_message_writes_amounts_as_the_user_does(company):
    from django.utils import translation

    customer = CustomerFactory(credit_limit=D("8000.00"))
    item = ItemFactory(sale_price=D("7358.23"))  # 8 829,88 with VAT
    order = sales.create_order(customer, [LineSpec(item, D("1"))])
    for language, words in (
        ("fr", "l’encours du client à 8 829,88 €, au-delà de l’encours autorisé de 8 000,00 €."),
        ("en", "takes the customer to €8,829.88, past the credit limit of €8,000.00."),
    ):
        with translation.override(language), pytest.raises(BusinessError) as error:
            sales.confirm_order(order)
        assert words in error.value.message.replace("\u00a0", " "), error.value.message


def test_customers_without_a_limit_are_not_limited(company):
    customer = CustomerFactory()
    order = sales.create_order(customer, [LineSpec(ItemFactory(), D("100000"))])
    assert sales.confirm_order(order).status == SalesOrder.Status.CONFIRMED


def test_new_documents_get_the_default_terms(company):
    create_terms_template(
        name="CGV", body="Conditions générales de vente…", default_for_quotations=True
    )
    create_terms_template(name="Facture", body="Pénalités…", default_for_invoices=True)
    customer, item = CustomerFactory(), ItemFactory()
    assert sales.create_quotation(customer, [LineSpec(item, 1)]).terms.startswith("Conditions")
    assert billing.create_invoice(customer, [LineSpec(item, 1)]).terms == "Pénalités…"
    own = sales.create_quotation(customer, [LineSpec(item, 1)], terms="Spécial")
    assert own.terms == "Spécial"


def test_invoicing_on_ordered_quantities(company):
    update_company(invoice_basis="ordered")
    order = sales.confirm_order(
        sales.create_order(CustomerFactory(), [LineSpec(ItemFactory(), D("5"))])
    )
    invoice = billing.invoice_order(order)  # nothing delivered yet
    assert invoice.lines.get().quantity == D("5")
    order.refresh_from_db()
    assert (order.billing_status, order.delivery_status) == (Progress.FULLY, Progress.NOT)
    assert order.status == SalesOrder.Status.CONFIRMED  # done only once delivered too
    stock.create_delivery(order)
    order.refresh_from_db()
    assert order.status == SalesOrder.Status.DONE


def test_on_delivered_quantities_nothing_delivered_means_nothing_to_invoice(company):
    order = sales.confirm_order(
        sales.create_order(CustomerFactory(), [LineSpec(ItemFactory(), D("5"))])
    )
    with pytest.raises(BusinessError) as error:
        billing.invoice_order(order)
    assert error.value.code == "invoice.nothing_to_invoice"


def test_an_unpaid_invoice_past_its_due_date_is_overdue(company):
    invoice = billing.create_invoice(CustomerFactory(), [LineSpec(ItemFactory(), D("1"))])
    invoice = billing.issue_invoice(invoice)
    settlement = settlements([invoice.pk])[invoice.pk]
    assert payment_status(invoice, settlement) == "unpaid"
    later = invoice.due_date + timedelta(days=1)
    assert payment_status(invoice, settlement, today=later) == "overdue"
    assert invoice.due_date == timezone.localdate() + timedelta(days=30)


def test_a_cancelled_order_cannot_be_cancelled_once_delivered(company):
    order = sales.confirm_order(
        sales.create_order(CustomerFactory(), [LineSpec(ItemFactory(), D("2"))])
    )
    stock.create_delivery(order, {order.lines.get().pk: D("1")})
    with pytest.raises(BusinessError) as error:
        sales.cancel_order(order)
    assert error.value.code == "order.has_deliveries_or_invoices"
    draft = sales.create_order(CustomerFactory(), [LineSpec(ItemFactory(), D("2"))])
    assert sales.cancel_order(draft).status == SalesOrder.Status.CANCELLED
