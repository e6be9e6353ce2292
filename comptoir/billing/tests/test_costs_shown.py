"""The cost of what is sold, and the margin, are shown (pages, API) only to who may see them."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from comptoir.billing import services as billing
from comptoir.core.roles import SALES
from comptoir.core.services import create_token, update_company
from comptoir.pricing.engine import LineSpec
from comptoir.sales import services as sales
from comptoir.stock import services as stock
from conftest import make_user
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def sold(company):
    """An issued invoice of 5 chairs (sold 10.00, shipped at an average of 6.00) and a
    fitting (a service costing 20.00)."""
    update_company(stock_management=True)
    chair = ItemFactory(code="CHAISE", sale_price=D("10"))
    fitting = ItemFactory(code="POSE", kind="service", sale_price=D("50"), cost_price=D("20"))
    stock.receive(chair, "10", unit_cost=D("5"))
    stock.receive(chair, "10", unit_cost=D("7"))
    order = sales.confirm_order(
        sales.create_order(CustomerFactory(), [LineSpec(chair, D("5")), LineSpec(fitting, D("1"))])
    )
    stock.create_delivery(order)
    return billing.issue_invoice(billing.invoice_order(order)), chair


def _seller(*, costs: bool):
    seller = make_user(f"vendeur{int(costs)}", SALES)
    if costs:
        seller.user_permissions.add(Permission.objects.get(codename="see_costs"))
    return seller


def _page(user, url) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_invoice_page_shows_cost_and_margin_to_who_may_see_them(sold, user):
    invoice, _chair = sold
    page = _page(user, invoice.get_absolute_url())
    assert 'id="cost-total">50,00' in page and 'id="margin-total">50,00' in page
    assert '30,00\xa0€</td><td class="money">20,00\xa0€' in page  # the chairs: cost, margin
    assert "<dt>Coût de revient</dt>" in page and '<th class="money">Marge</th>' in page
    assert "cost-total" not in _page(_seller(costs=False), invoice.get_absolute_url())
    assert "cost-total" in _page(_seller(costs=True), invoice.get_absolute_url())


def test_a_draft_shows_no_cost_yet(company, user):
    draft = billing.create_invoice(CustomerFactory(), [LineSpec(ItemFactory(), D("1"))])
    assert "cost-total" not in _page(user, draft.get_absolute_url())


def test_the_api_answers_the_cost_only_to_who_may_see_costs(sold, user):
    invoice, _chair = sold

    def costs(who) -> list:
        _token, key = create_token(who, "costs")
        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        body = client.get(f"/api/invoices/{invoice.pk}").json()
        delivery = client.get(f"/api/deliveries/{invoice.order.deliveries.get().pk}").json()
        figures = client.get("/api/stock?item=CHAISE").json()["items"]
        return (
            [line["cost_amount"] for line in body["lines"]]
            + [line["cost_amount"] for line in delivery["lines"]]
            + [(row["average_cost"], row["value"]) for row in figures]
        )

    shown = costs(user)
    assert [D(str(value)) for value in shown[:3]] == [D("30.00"), D("20.00"), D("30.00")]
    assert [(D(str(a)), D(str(v))) for a, v in shown[3:]] == [(D("6.0000"), D("90.00"))]
    assert costs(_seller(costs=False)) == [None, None, None, (None, None)]
    assert costs(_seller(costs=True)) == shown


def test_the_item_page_shows_the_stock_value_per_warehouse(sold, user):
    _invoice, chair = sold
    lyon = stock.save_warehouse(code="LYON", name="Dépôt de Lyon")
    stock.receive(chair, "2", warehouse=lyon, unit_cost=D("8"))
    url = reverse("catalog:item", args=[chair.pk])
    page = _page(user, url)
    assert 'id="stock-value"' in page and "Dépôt de Lyon" in page and "Valeur du stock" in page
    assert "90,00" in page and "16,00" in page and "106,00" in page  # 15 × 6, 2 × 8, in all
    assert "stock-value" not in _page(_seller(costs=False), url)
