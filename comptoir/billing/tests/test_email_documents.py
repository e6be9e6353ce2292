"""Quotations and order confirmations e-mailed with their PDF, like invoices, received by a
real SMTP server on loopback; the document's history says to whom."""

from decimal import Decimal

import pytest
from django.test import Client

from comptoir.billing.models import SentEmail
from comptoir.billing.tests.test_email import smtp  # noqa: F401 (the fixture)
from comptoir.core.audit import history
from comptoir.core.roles import SALES, WAREHOUSE
from comptoir.core.services import create_token
from comptoir.pricing.engine import LineSpec
from comptoir.sales import services as sales
from comptoir.sales.models import Quotation
from conftest import ApiClient, make_user
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(company):
    return CustomerFactory(name="Brasserie du Port", email="achats@brasserie.fr")


@pytest.fixture
def lines():
    return [LineSpec(ItemFactory(sale_price=Decimal("24.00")), Decimal("10"))]


def _received(smtp, document):  # noqa: F811 (the fixture, passed on)
    ((recipients, message),) = smtp.messages
    assert recipients == ["achats@brasserie.fr"]
    assert document.number in message["Subject"]
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == f"{document.number}.pdf"
    assert attachment.get_content().startswith(b"%PDF")
    return message.get_body(("plain",)).get_content()


def test_a_quotation_is_emailed_through_the_api(smtp, customer, lines, api):  # noqa: F811
    quotation = sales.create_quotation(customer, lines)
    response = api.post(f"/quotations/{quotation.pk}/email", {})
    assert response.status_code == 200, response.json()
    assert response.json()["to"] == "achats@brasserie.fr"
    body = _received(smtp, quotation)
    assert "devis" in body and "288,00" in body  # 10 × 24 + 20 % VAT, in the company's French
    quotation.refresh_from_db()
    assert quotation.status == Quotation.Status.SENT  # sent to the customer, so marked sent
    assert SentEmail.objects.get().quotation_id == quotation.pk
    (entry,) = [e for e in history(quotation) if e.action == "emailed"]
    assert entry.changes == {"recipients": [None, "achats@brasserie.fr"]}


def test_an_order_confirmation_is_emailed_from_its_page(smtp, customer, lines, user):  # noqa: F811
    order = sales.create_order(customer, lines)
    client = Client()
    client.force_login(user)
    url = f"/orders/{order.pk}/send/"
    response = client.post(url, {"to": "achats@brasserie.fr", "subject": "Commande", "body": "…"})
    assert response.status_code == 400  # a draft order is not confirmed to anyone yet
    assert "ne peut pas être envoyé dans son état actuel (Brouillon)" in response.content.decode()
    assert smtp.messages == []

    sales.confirm_order(order)
    page = client.get(order.get_absolute_url()).content.decode()
    assert f'href="{url}"' in page
    form = client.get(url).content.decode()
    assert "achats@brasserie.fr" in form and order.number in form
    response = client.post(
        url,
        {"to": "achats@brasserie.fr", "subject": f"Commande {order.number}", "body": "Ci-joint."},
    )
    assert response.status_code == 302
    _received(smtp, order)
    assert next(e.action for e in history(order)) == "emailed"
    assert "envoyé par e-mail" in client.get(order.get_absolute_url()).content.decode()


def test_only_roles_that_may_send_see_the_button(customer, lines):
    order = sales.confirm_order(sales.create_order(customer, lines))
    url = f"/orders/{order.pk}/send/"
    for role, allowed in ((SALES, True), (WAREHOUSE, False)):
        user = make_user(f"u-{role}", role)
        client = Client()
        client.force_login(user)
        page = client.get(order.get_absolute_url()).content.decode()
        assert (f'href="{url}"' in page) is allowed, role
        assert (client.get(url).status_code == 200) is allowed, role
        _token, key = create_token(user, "tests")
        response = ApiClient(key).post(f"/orders/{order.pk}/email", {"to": ["x@y.fr"]})
        assert (response.status_code != 403) is allowed, role
