"""The audit trail: each change of a document with who made it and the values before and
after, shown on the document's page; entries that nothing changes or deletes."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from comptoir.billing.models import Invoice
from comptoir.core import audit
from comptoir.core.models import AuditEntry
from comptoir.core.roles import ACCOUNTING, SALES
from comptoir.core.services import create_token
from comptoir.parties.models import Customer
from conftest import ApiClient, make_user
from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


def client_of(user) -> ApiClient:
    _token, key = create_token(user, "tests")
    return ApiClient(key)


def entries(obj) -> list[tuple]:
    return [(e.actor, e.action, e.changes) for e in audit.history(obj).order_by("at", "pk")]


def test_each_change_of_an_invoice_is_recorded_with_its_user_and_values(company):
    ItemFactory(code="CHAIR", sale_price="99.99")
    sales = client_of(make_user("sophie", SALES))
    customer = sales.post("/customers", {"name": "Menuiserie Dubois"}).json()
    sales.patch(f"/customers/{customer['id']}", {"name": "Menuiserie Dubois & Fils"})
    assert entries(Customer.objects.get()) == [
        ("sophie", "created", {}),
        ("sophie", "changed", {"name": ["Menuiserie Dubois", "Menuiserie Dubois & Fils"]}),
    ]

    accounting = client_of(make_user("paul", ACCOUNTING))
    invoice = accounting.post(
        "/invoices",
        {"customer": customer["code"], "lines": [{"item": "CHAIR", "quantity": "2"}]},
    ).json()
    response = accounting.patch(f"/invoices/{invoice['id']}", {"customer_reference": "BC-17"})
    assert response.status_code == 200, response.json()
    assert accounting.post(f"/invoices/{invoice['id']}/issue").status_code == 200
    response = accounting.post(f"/invoices/{invoice['id']}/credit-notes", {"reason": "Erreur"})
    assert response.status_code == 201, response.json()

    issued = Invoice.objects.get(pk=invoice["id"])
    trail = entries(issued)
    assert [(actor, action) for actor, action, _c in trail] == [
        ("paul", "created"),
        ("paul", "changed"),
        ("paul", "issued"),
    ]
    assert trail[1][2] == {"customer_reference": ["", "BC-17"]}
    assert trail[2][2]["status"] == ["draft", "issued"]
    assert trail[2][2]["number"] == ["", issued.number]
    credit_note = Invoice.objects.get(credited_invoice=issued)
    assert ("paul", "created") in [(a, b) for a, b, _c in entries(credit_note)]

    page = Client()
    page.force_login(make_user("admin", "Administrator"))
    html = page.get(issued.get_absolute_url()).content.decode()
    assert 'id="history"' in html and "paul" in html and "BC-17" in html


def draft_invoice(api) -> dict:
    ItemFactory(code="PAPER", sale_price="12.50")
    customer = api.post("/customers", {"name": "Client"}).json()
    lines = [{"item": "PAPER", "quantity": "1"}]
    return api.post("/invoices", {"customer": customer["code"], "lines": lines}).json()


def test_a_refused_change_leaves_no_entry(company, user):
    api = client_of(user)
    invoice = draft_invoice(api)
    before = AuditEntry.objects.count()
    response = api.post(f"/invoices/{invoice['id']}/cancel", {"reason": "Erreur"})
    assert response.status_code == 400, response.json()  # a draft is deleted, not cancelled
    assert AuditEntry.objects.count() == before


def test_entries_are_never_changed_or_deleted(company, user):
    customer = Customer.objects.create(code="C1", name="Client")
    entry = audit.history(customer).get()
    with pytest.raises(TypeError):
        AuditEntry.objects.update(action="forged")
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()
    entry.action = "forged"
    with pytest.raises(TypeError):
        entry.save()


def test_deleting_and_exporting_are_recorded(company, user):
    api = client_of(user)
    invoice = draft_invoice(api)
    assert api.delete(f"/invoices/{invoice['id']}").status_code == 204
    kind = ContentType.objects.get_for_model(Invoice)
    deleted = AuditEntry.objects.get(content_type=kind, object_id=invoice["id"], action="deleted")
    assert deleted.actor == "alice" and deleted.user == user

    year = dt.date.today().year
    assert api.get(f"/accounting/fec?year={year}").status_code == 200
    exported = AuditEntry.objects.get(action="exported")
    assert exported.actor == "alice" and exported.label.startswith("FEC")

    page = Client()
    page.force_login(user)
    assert page.get("/customers/?export=csv").status_code == 200
    assert AuditEntry.objects.filter(action="exported", actor="alice").count() == 2


def test_roles_given_to_a_user_are_recorded(company, user):
    page = Client()
    page.force_login(user)
    someone = make_user("bob", SALES)
    response = page.post(
        f"/settings/users/{someone.pk}/", {"roles": [ACCOUNTING], "is_active": "on"}
    )
    assert response.status_code == 302
    entry = audit.history(someone).first()
    assert (entry.actor, entry.action, entry.changes) == (
        "alice",
        "roles",
        {"roles": [[SALES], [ACCOUNTING]]},
    )
