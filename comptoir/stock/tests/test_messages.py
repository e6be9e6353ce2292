"""Quantities in the messages of deliveries, returns and stock, as the user's language writes
them: `25 dépasse les 20 restant à livrer`, never `25.000` (twenty-five thousand in French)."""

from decimal import Decimal

import pytest
from django.utils import translation

from comptoir.core.errors import BusinessError
from comptoir.core.services import update_company
from comptoir.pricing.engine import LineSpec
from comptoir.sales import services as sales
from comptoir.stock import services as stock
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db
D = Decimal


def _refused(call, language: str) -> str:
    with translation.override(language), pytest.raises(BusinessError) as error:
        call()
    return error.value.message.replace("\u00a0", " ")


@pytest.fixture
def order(company):
    item = ItemFactory(name="Chaise hêtre")
    return sales.confirm_order(
        sales.create_order(CustomerFactory(), [LineSpec(item, D("1250")), LineSpec(item, D("20"))])
    )


def test_delivering_more_than_is_left_says_how_much_in_the_users_language(order):
    big, small = order.lines.order_by("position")
    too_much = {small.pk: "25"}
    assert _refused(lambda: stock.create_delivery(order, too_much), "fr") == (
        "25 dépasse les 20 restant à livrer de Chaise hêtre."
    )
    assert _refused(lambda: stock.create_delivery(order, too_much), "en") == (
        "25 is more than the 20 left to deliver of Chaise hêtre."
    )
    half_more = {big.pk: "1250.5"}
    assert _refused(lambda: stock.create_delivery(order, half_more), "fr").startswith(
        "1 250,5 dépasse les 1 250 restant"
    )
    assert _refused(lambda: stock.create_delivery(order, half_more), "en").startswith(
        "1,250.5 is more than the 1,250 left"
    )


def test_returning_more_than_was_delivered_says_how_much(order):
    _big, small = order.lines.order_by("position")
    delivery = stock.create_delivery(order, {small.pk: "12.5"})
    line = delivery.lines.get()
    back = {line.pk: "13"}
    assert _refused(lambda: stock.receive_return(delivery, back), "fr").startswith(
        "13 dépasse les 12,5 de Chaise hêtre"
    )
    assert _refused(lambda: stock.receive_return(delivery, back), "en").startswith(
        "13 is more than the 12.5 of Chaise hêtre"
    )


def test_not_enough_stock_says_how_much_there_is(company):
    update_company(stock_management=True)
    item = ItemFactory(code="CHAISE")
    stock.receive(item, "1234.5")
    order = sales.confirm_order(sales.create_order(CustomerFactory(), [LineSpec(item, D("2000"))]))
    message = _refused(lambda: stock.create_delivery(order), "fr")
    assert "1 234,5 en stock" in message and "2 000" in message, message
    message = _refused(lambda: stock.create_delivery(order), "en")
    assert "1,234.5 on hand" in message and "2,000 needed" in message, message


def test_taking_out_more_than_there_is_says_how_much_there_is(company):
    """A move out of the warehouse (no reservation in play) that stock cannot cover."""
    from comptoir.stock.models import StockMove

    update_company(stock_management=True)
    item = ItemFactory(code="CHAISE")
    stock.receive(item, "2.5")
    out = stock.Move(item, stock.default_warehouse(), D("-1500"), StockMove.Kind.ADJUSTMENT)
    message = _refused(lambda: stock.post_moves([out]), "fr")
    assert message.endswith(": 2,5 en stock, 1 500 nécessaires."), message
    message = _refused(lambda: stock.post_moves([out]), "en")
    assert message.endswith(": 2.5 on hand, 1,500 needed."), message


def test_a_delivery_with_nothing_typed_or_a_negative_quantity_says_what_to_do(order):
    big, small = order.lines.order_by("position")
    nothing = {big.pk: "0", small.pk: "0"}
    assert _refused(lambda: stock.create_delivery(order, nothing), "fr") == (
        "Saisissez au moins une quantité à livrer."
    )
    assert _refused(lambda: stock.create_delivery(order, {small.pk: "-3"}), "fr").startswith(
        "Une quantité à livrer ne peut pas être négative"
    )
    stock.create_delivery(order, None)  # everything left
    assert _refused(lambda: stock.create_delivery(order, nothing), "fr").startswith(
        "Il ne reste rien à livrer"
    )
