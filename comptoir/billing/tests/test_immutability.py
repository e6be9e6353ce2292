"""An issued invoice is never changed nor deleted: not by the services, the model, bulk
queries, the API or the admin (CGI art. 289: an invoice is corrected by a credit note)."""

from decimal import Decimal

import pytest

from comptoir.billing import services
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.core.errors import BusinessError, ImmutableDocument
from comptoir.pricing.engine import LineSpec
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(company):
    invoice = services.create_invoice(CustomerFactory(), [LineSpec(ItemFactory(), Decimal("2"))])
    return services.issue_invoice(invoice)


def _unchanged(invoice):
    stored = Invoice.objects.get(pk=invoice.pk)
    assert stored.status == "issued"
    assert stored.total_gross == Decimal("24.00")
    assert stored.lines.get().quantity == Decimal("2")


def test_services_refuse(issued):
    with pytest.raises(BusinessError) as error:
        services.update_invoice(issued, notes="changed")
    assert error.value.code == "invoice.not_draft"
    with pytest.raises(BusinessError):
        services.delete_invoice(issued)
    with pytest.raises(BusinessError) as error:
        services.issue_invoice(issued)
    assert error.value.code == "invoice.invalid_transition"
    _unchanged(issued)


def test_the_model_refuses(issued):
    invoice = Invoice.objects.get(pk=issued.pk)
    invoice.notes = "changed"
    with pytest.raises(ImmutableDocument):
        invoice.save()
    with pytest.raises(ImmutableDocument):
        invoice.delete()
    line = invoice.lines.get()
    line.quantity = Decimal("3")
    with pytest.raises(ImmutableDocument):
        line.save()
    with pytest.raises(ImmutableDocument):
        line.delete()
    with pytest.raises(ImmutableDocument):
        Invoice.objects.filter(pk=issued.pk).update(total_gross=0)
    with pytest.raises(ImmutableDocument):
        Invoice.objects.filter(pk=issued.pk).delete()
    with pytest.raises(ImmutableDocument):
        InvoiceLine.objects.filter(invoice=issued).update(quantity=5)
    with pytest.raises(ImmutableDocument):
        InvoiceLine.objects.filter(invoice=issued).delete()
    _unchanged(issued)


def test_the_api_refuses(api, issued):
    response = api.patch(f"/invoices/{issued.pk}", {"notes": "changed"})
    assert response.status_code == 400
    assert response.json()["code"] == "invoice.not_draft"
    response = api.delete(f"/invoices/{issued.pk}")
    assert response.status_code == 400
    response = api.post(f"/invoices/{issued.pk}/issue")
    assert response.status_code == 409
    assert response.json()["code"] == "invoice.invalid_transition"
    _unchanged(issued)


def test_the_admin_refuses(client, django_user_model, issued):
    admin = django_user_model.objects.create_superuser("root", "root@example.fr", "pw")
    client.force_login(admin)
    url = f"/admin/billing/invoice/{issued.pk}/change/"
    assert client.get(url).status_code == 200  # readable
    response = client.post(url, {"notes": "changed"})
    assert response.status_code == 403
    response = client.post(f"/admin/billing/invoice/{issued.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    _unchanged(issued)


def test_a_draft_can_be_deleted(company):
    invoice = services.create_invoice(CustomerFactory(), [LineSpec(ItemFactory(), Decimal("1"))])
    services.delete_invoice(invoice)
    assert not Invoice.objects.filter(pk=invoice.pk).exists()
    assert not InvoiceLine.objects.filter(invoice_id=invoice.pk).exists()


@pytest.mark.postgresql
def test_postgresql_refuses_too_behind_the_applications_back(issued):
    from django.db import DatabaseError, connection, transaction

    line = issued.lines.get()
    attempts = [
        ("UPDATE billing_invoice SET notes = 'changed' WHERE id = %s", [issued.pk]),
        ("UPDATE billing_invoice SET total_gross = 1 WHERE id = %s", [issued.pk]),
        ("DELETE FROM billing_invoice WHERE id = %s", [issued.pk]),
        ("UPDATE billing_invoiceline SET quantity = 3 WHERE id = %s", [line.pk]),
        ("DELETE FROM billing_invoiceline WHERE id = %s", [line.pk]),
        (
            # A copy of its line, added to the issued invoice.
            "INSERT INTO billing_invoiceline SELECT * FROM jsonb_populate_record("
            "NULL::billing_invoiceline, (SELECT to_jsonb(l) || jsonb_build_object('id', l.id + 1)"
            " FROM billing_invoiceline l WHERE l.id = %s))",
            [line.pk],
        ),
    ]
    for sql, params in attempts:
        with (
            pytest.raises(DatabaseError, match="cannot be"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, params)
    # What follows payments and credit notes may change.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE billing_invoice SET amount_due = 0 WHERE id = %s", [issued.pk])
    _unchanged(issued)
