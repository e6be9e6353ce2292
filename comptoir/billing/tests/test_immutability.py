"""An issued invoice is never changed nor deleted: not by the services, the model, bulk
queries, the API or the admin (CGI art. 289: an invoice is corrected by a credit note)."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import IntegrityError, connection, models, transaction

from comptoir.billing import services
from comptoir.billing.files import store_files
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.core.errors import BusinessError, ImmutableDocument
from comptoir.core.models import JournalEntry
from comptoir.payments.services import register_payment
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


def _refused(sql, params=()):
    with (
        pytest.raises(IntegrityError, match="cannot be"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def test_the_database_refuses_too_behind_the_applications_back(issued):
    line = issued.lines.get()
    with connection.cursor() as cursor:
        columns = [
            connection.ops.quote_name(c.name)
            for c in connection.introspection.get_table_description(cursor, "billing_invoiceline")
            if c.name != "id"
        ]
    copy = ", ".join(columns)
    for sql, params in [
        ("UPDATE billing_invoice SET notes = 'changed' WHERE id = %s", [issued.pk]),
        ("UPDATE billing_invoice SET total_gross = 1 WHERE id = %s", [issued.pk]),
        ("UPDATE billing_invoice SET status = 'draft' WHERE id = %s", [issued.pk]),
        ("DELETE FROM billing_invoice WHERE id = %s", [issued.pk]),
        ("UPDATE billing_invoiceline SET quantity = 3 WHERE id = %s", [line.pk]),
        ("DELETE FROM billing_invoiceline WHERE id = %s", [line.pk]),
        # A copy of its line, added to the issued invoice.
        (
            f"INSERT INTO billing_invoiceline ({copy}) "
            f"SELECT {copy} FROM billing_invoiceline WHERE id = %s",
            [line.pk],
        ),
    ]:
        _refused(sql, params)
    files = store_files(issued)  # its PDF and XML, kept as they were made
    _refused("UPDATE billing_issuedfile SET pdf_sha256 = 'forged' WHERE id = %s", [files.pk])
    _refused("DELETE FROM billing_issuedfile WHERE id = %s", [files.pk])
    # What follows payments and credit notes may change.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE billing_invoice SET amount_due = 0 WHERE id = %s", [issued.pk])
    assert Invoice.objects.get(pk=issued.pk).amount_due == 0
    _unchanged(issued)


def test_the_journal_and_numbering_can_be_neither_changed_nor_shortened(issued):
    entry = JournalEntry.objects.get(document_id=issued.pk)
    _refused("UPDATE core_journalentry SET number = 'FA-X' WHERE id = %s", [entry.pk])
    _refused("UPDATE core_journalentry SET content = '{}' WHERE id = %s", [entry.pk])
    _refused("DELETE FROM core_journalentry WHERE id = %s", [entry.pk])
    _refused("DELETE FROM core_journalentry")
    # Nor the numbering it is checked against, which only moves forward.
    series = "UPDATE core_sequence SET {} WHERE series = 'invoice'"
    _refused(series.format("last_number = last_number - 1"))
    _refused(series.format("last_date = NULL"))
    _refused(series.format("year = year + 1"))
    _refused("DELETE FROM core_sequence WHERE series = 'invoice'")
    with connection.cursor() as cursor:
        cursor.execute(series.format("last_number = last_number + 0"))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # a table with pending checks is not truncated
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in (
            "core_journalentry",
            "core_sequence",
            "billing_issuedfile",
            "billing_invoiceline",
            "billing_invoice",
        ):
            _refused(f"TRUNCATE {table} CASCADE")
    with pytest.raises(IntegrityError), transaction.atomic():
        JournalEntry.objects.filter(pk=entry.pk).update(number="FA-X")
    assert JournalEntry.objects.get(pk=entry.pk).number == issued.number


def test_no_manager_writes_past_the_guard(issued):
    for manager in (Invoice.objects, Invoice._base_manager, Invoice._default_manager):
        with pytest.raises(ImmutableDocument):
            manager.filter(pk=issued.pk).update(status="draft")
        with pytest.raises(ImmutableDocument):
            manager.all().update(notes="changed")
        with pytest.raises(ImmutableDocument):
            manager.filter(pk=issued.pk).delete()
    for manager in (InvoiceLine.objects, InvoiceLine._base_manager):
        with pytest.raises(ImmutableDocument):
            manager.filter(invoice=issued).update(quantity=5)
    invoice = Invoice.objects.get(pk=issued.pk)
    invoice.notes = "changed"
    with pytest.raises(ImmutableDocument), transaction.atomic():
        Invoice.objects.bulk_update([invoice], ["notes"])
    line = invoice.lines.get()
    line.quantity = Decimal("5")
    with pytest.raises(ImmutableDocument), transaction.atomic():
        InvoiceLine._base_manager.bulk_update([line], ["quantity"])
    # A save that skips the model's check (through the base manager): the database refuses.
    invoice.status = Invoice.Status.DRAFT
    with pytest.raises(IntegrityError, match="cannot be"), transaction.atomic():
        models.Model.save(invoice, update_fields=["status", "notes"])
    _unchanged(issued)


def test_the_settlement_still_follows_payments_and_credit_notes(issued):
    register_payment(issued.customer, Decimal("4.00"), allocations=[(issued, Decimal("4.00"))])
    services.issue_invoice(services.credit_invoice(issued, {issued.lines.get().pk: Decimal("1")}))
    invoice = Invoice.objects.get(pk=issued.pk)
    assert (invoice.amount_paid, invoice.amount_credited) == (Decimal("4.00"), Decimal("12.00"))
    assert invoice.amount_due == Decimal("8.00")
    Invoice._base_manager.filter(pk=issued.pk).update(amount_due=Decimal("8.00"))
    _unchanged(issued)


def _guards() -> set[str]:
    """The names of the triggers in force on the guarded tables."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'O'"
            )
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_emptying_the_database_sets_the_guards_aside_and_back(issued):
    before = _guards()
    assert {n for n in before if n.startswith(("billing_invoice", "core_journalentry"))}
    call_command("flush", interactive=False, verbosity=0)
    assert not Invoice.objects.exists() and not JournalEntry.objects.exists()
    assert _guards() == before


@pytest.mark.django_db(transaction=True)
def test_sqlite_guards_come_back_when_a_migration_rebuilds_their_tables(issued):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL alters a table in place, its triggers stay")
    before = _guards()
    # What ``migrate`` does around migrations that alter these tables: SQLite rebuilds them.
    emit_pre_migrate_signal(0, False, "default")
    with connection.schema_editor() as editor:
        editor._remake_table(Invoice)
        editor._remake_table(JournalEntry)
    emit_post_migrate_signal(0, False, "default")
    assert _guards() == before
    _refused("UPDATE billing_invoice SET notes = 'changed' WHERE id = %s", [issued.pk])
    _refused("DELETE FROM core_journalentry")
