"""A draft invoice as its pages name it (no number until issued), and the credit page's
quantities, each refused beside its line."""

import re
from decimal import Decimal

import pytest

from comptoir.billing import services
from comptoir.billing.models import Invoice
from comptoir.pricing.engine import LineSpec
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


@pytest.fixture
def logged(client, user):
    client.force_login(user)
    return client


def test_a_draft_invoice_is_named_a_draft_never_by_its_id(logged, company):
    CustomerFactory(code="DUR")
    ItemFactory(code="A", sale_price=Decimal("10"))
    form = {"customer": "DUR", "date": "2026-11-24", "lines-0-item": "A", "lines-0-quantity": "1"}
    saved = logged.post("/invoices/new/", form, follow=True)
    invoice = Invoice.objects.get()
    page = saved.content.decode()
    assert "Facture brouillon enregistrée." in page
    assert re.search(r"<h1>\s*Facture \(brouillon\)", page)
    assert f"#{invoice.pk}" not in page
    edit = logged.get(f"/invoices/{invoice.pk}/edit/").content.decode()
    assert "Facture (brouillon)" in edit and f"#{invoice.pk}" not in edit
    services.issue_invoice(invoice)
    invoice.refresh_from_db()
    credit = logged.post(f"/invoices/{invoice.pk}/credit/", {"everything": "1"}, follow=True)
    note = Invoice.objects.get(kind=Invoice.Kind.CREDIT_NOTE)
    page = credit.content.decode()
    assert "Avoir créé en brouillon" in page and re.search(r"<h1>\s*Avoir \(brouillon\)", page)
    assert f"#{note.pk}" not in page
    deleted = logged.post(f"/actions/invoice/{note.pk}/delete/", follow=True).content.decode()
    assert "Brouillon supprimé." in deleted and f"#{note.pk}" not in deleted


def test_each_quantity_of_the_credit_page_is_refused_beside_its_line(logged, company):
    one, two = ItemFactory(code="A"), ItemFactory(code="B")
    invoice = services.issue_invoice(
        services.create_invoice(
            CustomerFactory(), [LineSpec(one, Decimal("2")), LineSpec(two, Decimal("3"))]
        )
    )
    first, second = invoice.lines.order_by("position")
    url = f"/invoices/{invoice.pk}/credit/"
    response = logged.post(url, {f"line-{first.pk}": "5", f"line-{second.pk}": "abc"})
    assert response.status_code == 400
    page = response.content.decode()
    rows = re.findall(r"<tr><td>[AB]</td>.*?</tr>", page, flags=re.S)
    assert "5 dépasse les 2 restant à créditer sur cette ligne." in rows[0]
    assert f"«{NBSP}abc{NBSP}» n’est pas un nombre." in rows[1]
    assert 'value="abc"' in rows[1] and 'value="5"' in rows[0]  # kept as typed
    response = logged.post(url, {f"line-{first.pk}": "1", f"line-{second.pk}": "abc"})
    assert response.status_code == 400 and "n’est pas un nombre" in response.content.decode()
    assert not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()
