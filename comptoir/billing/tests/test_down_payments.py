"""Down-payment invoices (type 386) on an order, deducted with their VAT on its final invoice."""

from decimal import Decimal

import pytest

from comptoir.billing import services
from comptoir.billing.models import Invoice
from comptoir.billing.services.drafts import _pending_down_payment_lines
from comptoir.core.errors import BusinessError
from comptoir.payments.services import register_payment
from comptoir.pricing.engine import LineSpec
from comptoir.pricing.models import Tax
from comptoir.sales import services as sales
from comptoir.stock.services import create_delivery
from tests.factories import CustomerFactory, ItemFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def order(company):
    chair = ItemFactory(sale_price=Decimal("45.00"))
    book = ItemFactory(sale_price=Decimal("21.10"), tax=Tax.objects.get(code="TVA55"))
    return sales.confirm_order(
        sales.create_order(
            CustomerFactory(), [LineSpec(chair, Decimal("6")), LineSpec(book, Decimal("4"))]
        )
    )


def test_a_down_payment_takes_a_share_of_each_vat_group(order):
    down = services.create_down_payment(order, percent=Decimal("30"))
    assert down.kind == Invoice.Kind.DOWN_PAYMENT and down.status == Invoice.Status.DRAFT
    nets = sorted((line.vat_rate, line.net_amount) for line in down.lines.all())
    assert nets == [(Decimal("5.50"), Decimal("25.32")), (Decimal("20.00"), Decimal("81.00"))]
    down = services.issue_invoice(down)
    assert down.number.startswith("FA-")  # the invoice series
    assert [line.quantity_invoiced for line in order.lines.all()] == [0, 0]  # not lineage


def test_the_final_invoice_deducts_it_with_its_vat(order):
    down = services.issue_invoice(services.create_down_payment(order, percent=Decimal("30")))
    register_payment(order.customer, down.total_gross, allocations=[(down, down.total_gross)])
    create_delivery(order)
    final = services.issue_invoice(services.invoice_order(order))
    deductions = [line for line in final.lines.all() if line.deducted_line_id]
    assert len(deductions) == 2 and all(line.quantity == -1 for line in deductions)
    order.refresh_from_db()
    assert final.total_gross + down.total_gross == order.total_gross
    assert final.total_vat + down.total_vat == order.total_vat
    final.refresh_from_db()
    assert final.amount_due == final.total_gross
    # Deducted once: another invoice of the order would not deduct it again.
    assert _pending_down_payment_lines([order.pk]) == []


def test_down_payments_cannot_exceed_the_order(order):
    services.create_down_payment(order, percent=Decimal("80"))
    with pytest.raises(BusinessError, match="cannot exceed"):
        services.create_down_payment(order, percent=Decimal("30"))
    with pytest.raises(BusinessError, match="percentage or an amount"):
        services.create_down_payment(order)
    draft_order = sales.create_order(order.customer, [LineSpec(ItemFactory(), Decimal("1"))])
    with pytest.raises(BusinessError, match="not confirmed"):
        services.create_down_payment(draft_order, percent=Decimal("10"))


def test_an_amount_including_vat_and_the_api(order, api):
    down = services.create_down_payment(order, amount=Decimal("100.00"))
    assert abs(down.total_gross - Decimal("100.00")) <= Decimal("0.02")  # rounded per VAT group
    response = api.post(f"/orders/{order.pk}/down-payments", {"percent": "10"})
    assert response.status_code == 201 and response.json()["kind"] == "down_payment"
    assert api.post(f"/orders/{order.pk}/down-payments", {"percent": "150"}).status_code == 422
