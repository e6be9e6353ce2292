"""Cancelling or correcting an issued invoice by credit note; a paid one can only be credited."""

from decimal import Decimal

import pytest

from comptoir.billing import services
from comptoir.billing.models import Invoice
from comptoir.core.errors import BusinessError
from comptoir.core.models import JournalEntry
from comptoir.payments.services import register_payment
from comptoir.pricing.engine import LineSpec
from comptoir.sales import services as sales
from comptoir.stock.services import create_delivery
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def order_invoice(company):
    customer, chair, lamp = CustomerFactory(), ItemFactory(), ItemFactory(sale_price=Decimal("5"))
    order = sales.confirm_order(
        sales.create_order(customer, [LineSpec(chair, Decimal("4")), LineSpec(lamp, Decimal("2"))])
    )
    create_delivery(order)
    return services.issue_invoice(services.invoice_order(order))


def invoiced(order_id) -> list[Decimal]:
    from comptoir.sales.models import SalesOrderLine

    return list(
        SalesOrderLine.objects.filter(order_id=order_id)
        .order_by("position")
        .values_list("quantity_invoiced", flat=True)
    )


def test_cancel_issues_a_full_credit_note(order_invoice):
    credit = services.cancel_invoice(order_invoice)
    assert credit.kind == Invoice.Kind.CREDIT_NOTE and credit.status == Invoice.Status.ISSUED
    assert credit.credited_invoice_id == order_invoice.pk
    assert credit.total_gross == order_invoice.total_gross
    order_invoice.refresh_from_db()
    assert order_invoice.amount_due == Decimal("0.00")
    assert invoiced(order_invoice.order_id) == [Decimal("0"), Decimal("0")]
    assert JournalEntry.objects.filter(number=credit.number).exists()
    with pytest.raises(BusinessError):
        services.cancel_invoice(order_invoice)


def test_correct_cancels_and_opens_a_draft_copy(order_invoice):
    draft = services.correct_invoice(order_invoice)
    assert draft.status == Invoice.Status.DRAFT and draft.number == ""
    assert order_invoice.number in draft.notes
    assert draft.total_gross == order_invoice.total_gross
    assert [(line.item_code, line.quantity) for line in draft.lines.all()] == [
        (line.item_code, line.quantity) for line in order_invoice.lines.all()
    ]
    assert invoiced(order_invoice.order_id) == [Decimal("4"), Decimal("2")]  # the copy counts
    services.update_invoice(draft, notes="Adresse corrigée")
    issued = services.issue_invoice(draft)
    assert issued.number > order_invoice.number
    assert Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).count() == 1


def test_a_paid_invoice_can_only_be_credited(order_invoice):
    register_payment(
        order_invoice.customer, Decimal("10"), allocations=[(order_invoice, Decimal("10"))]
    )
    for refused in (services.cancel_invoice, services.correct_invoice):
        with pytest.raises(BusinessError) as error:
            refused(order_invoice)
        assert error.value.code == "invoice.paid_only_credit"
    credit = services.issue_invoice(services.credit_invoice(order_invoice))
    assert credit.total_gross == order_invoice.total_gross


def test_the_api_and_the_page_offer_them_while_unpaid(order_invoice, api, client, user):
    client.force_login(user)
    page = client.get(f"/invoices/{order_invoice.pk}/").content.decode()
    assert 'data-action="correct"' in page and 'data-action="cancel"' in page
    response = api.post(f"/invoices/{order_invoice.pk}/correct")
    assert response.status_code == 201 and response.json()["status"] == "draft"
    response = api.post(f"/invoices/{order_invoice.pk}/cancel")
    assert response.status_code == 400  # already cancelled by the correction
    page = client.get(f"/invoices/{order_invoice.pk}/").content.decode()
    assert 'data-action="cancel"' not in page
