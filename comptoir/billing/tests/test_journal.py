"""Every issued invoice and credit note is sealed in a hash chain; `comptoir journal verify`
names the first entry that no longer holds."""

import json
from decimal import Decimal
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from comptoir.billing import services
from comptoir.billing.models import Invoice
from comptoir.core.errors import BusinessError
from comptoir.core.models import JournalEntry
from comptoir.core.triggers import lifted
from comptoir.pricing.engine import LineSpec
from tests.factories import CustomerFactory, ItemFactory
from tests.tampering import tamper

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(company):
    customer, item = CustomerFactory(), ItemFactory()
    invoices = [services.create_invoice(customer, [LineSpec(item, Decimal(n))]) for n in (1, 2, 3)]
    invoices = services.issue_invoices(invoices)
    credit = services.issue_invoice(services.credit_invoice(invoices[0]))
    return [*invoices, credit]


def verify() -> str:
    out = StringIO()
    call_command("journal", "verify", stdout=out)
    return out.getvalue()


def broken() -> str:
    with pytest.raises(CommandError) as error:
        verify()
    assert error.value.returncode == 1
    return str(error.value)


def test_each_issued_document_is_sealed_in_order(issued):
    entries = list(JournalEntry.objects.all())
    assert [e.number for e in entries] == [d.number for d in issued]
    assert [e.position for e in entries] == [1, 2, 3, 4]
    assert entries[0].previous_sha256 == "0" * 64
    assert all(b.previous_sha256 == a.sha256 for a, b in pairwise(entries))
    assert entries[3].kind == "credit_note"
    assert entries[3].sealed["credited_invoice"] == issued[0].number
    assert "Journal intact: 4 entries" in verify()


def test_a_changed_entry_breaks_the_chain_there(issued):
    entry = JournalEntry.objects.get(position=2)
    content = dict(entry.sealed, totals={**entry.sealed["totals"], "gross": "0.01"})
    with lifted(connection), connection.cursor() as cursor:  # the database's owner
        cursor.execute(
            "UPDATE core_journalentry SET content = %s WHERE id = %s",
            [json.dumps(content), entry.pk],
        )
    assert f"entry 2 ({issued[1].number}): its sealed content was changed" in broken()


def test_a_removed_entry_is_missed(issued):
    with lifted(connection), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_journalentry WHERE position = 3")
    assert "entry 3 is missing" in broken()


def test_a_re_sealed_entry_does_not_follow_the_chain(issued):
    from comptoir.core.journal import canonical, content_hash, entry_hash

    entry = JournalEntry.objects.get(position=2)
    content = dict(entry.sealed, payment_terms="forged")
    sealed = content_hash(content)
    digest = entry_hash(2, entry.kind, entry.number, sealed, entry.previous_sha256)
    with lifted(connection):
        JournalEntry.objects.filter(pk=entry.pk).update(
            content=canonical(content).decode(), content_sha256=sealed, sha256=digest
        )
    # Entry 2 is consistent in itself, but its document says otherwise and entry 3 no longer
    # follows it.
    assert "entry 2" in broken()


def test_a_document_changed_behind_the_applications_back_is_found(issued):
    with lifted(connection), connection.cursor() as cursor:  # the database's owner
        cursor.execute("UPDATE billing_invoice SET total_gross = 1 WHERE id = %s", [issued[2].pk])
    message = broken()
    assert f"entry 3 ({issued[2].number}): its document no longer says what was sealed" in message


# The journal cannot be shortened: its head counts the entries written, and every number issued
# has its entry.


def test_the_last_entry_removed_is_missed(issued):
    tamper("DELETE FROM core_journalentry WHERE position = 4")
    assert "entry 5 is missing" not in (message := broken())
    assert "Journal broken at entry 4: entry 4 is missing: 4 were written." in message


def test_the_last_entry_removed_with_the_head_lowered_is_missed_by_the_numbering(issued):
    tamper(
        "DELETE FROM core_journalentry WHERE position = 4",
        "UPDATE core_sequence SET last_number = 3 WHERE series = 'journal'",
    )
    message = broken()
    assert f"({issued[3].number}): this number was issued but is not in the journal" in message


def test_an_invoice_removed_with_its_entry_is_missed(issued):
    credit = issued[3]
    tamper(
        ("DELETE FROM billing_invoiceline WHERE invoice_id = %s", [credit.pk]),
        ("DELETE FROM billing_invoice WHERE id = %s", [credit.pk]),
        ("DELETE FROM core_journalentry WHERE document_id = %s", [credit.pk]),
    )
    assert "entry 4 is missing" in broken()
    tamper("UPDATE core_sequence SET last_number = 3 WHERE series = 'journal'")
    assert f"({credit.number}): this number was issued but is not in the journal" in broken()


def test_an_entry_added_beyond_the_numbering_is_found(issued):
    tamper("UPDATE core_sequence SET last_number = 0 WHERE series = 'credit_note'")
    assert f"({issued[3].number}): this number is in the journal but was never issued" in broken()


# What is printed is sealed: the status, the notes, every field of the PDF and the XML.


def test_an_invoice_set_back_to_draft_is_found_and_refused(issued, api):
    invoice = issued[2]
    tamper(("UPDATE billing_invoice SET status = 'draft' WHERE id = %s", [invoice.pk]))
    message = broken()
    assert f"entry 3 ({invoice.number}): its document no longer says what was sealed (status)" in (
        message
    )
    draft = Invoice.objects.get(pk=invoice.pk)
    for attempt in (
        lambda: services.update_invoice(draft, notes="changed"),
        lambda: services.issue_invoice(draft),
        lambda: services.delete_invoice(draft),
    ):
        with pytest.raises(BusinessError) as error:
            attempt()
        assert error.value.code == "invoice.sealed"
    for response in (
        api.patch(f"/invoices/{invoice.pk}", {"notes": "changed"}),
        api.post(f"/invoices/{invoice.pk}/issue"),
        api.delete(f"/invoices/{invoice.pk}"),
    ):
        assert response.status_code in (400, 409)
        assert response.json()["code"] == "invoice.sealed"
    assert Invoice.objects.get(pk=invoice.pk).number == invoice.number


def test_a_draft_carrying_a_number_without_its_entry_is_refused_too(issued):
    invoice = issued[2]
    tamper(
        ("UPDATE billing_invoice SET status = 'draft' WHERE id = %s", [invoice.pk]),
        ("DELETE FROM core_journalentry WHERE document_id = %s", [invoice.pk]),
    )
    with pytest.raises(BusinessError) as error:
        services.issue_invoice(Invoice.objects.get(pk=invoice.pk))
    assert error.value.code == "invoice.sealed"


@pytest.mark.parametrize(
    ("column", "value", "key"),
    [
        ("notes", "Remise exceptionnelle accordée", "notes"),
        ("terms", "Aucune pénalité", "terms"),
        ("customer_reference", "BC-999", "customer"),
        ("supply_end_date", "2099-12-31", "supply_end_date"),
    ],
)
def test_a_printed_field_changed_is_found(issued, column, value, key):
    tamper((f"UPDATE billing_invoice SET {column} = %s WHERE id = %s", [value, issued[1].pk]))
    message = broken()
    assert f"entry 2 ({issued[1].number}): its document no longer says what was sealed ({key})" in (
        message
    )


def test_a_line_s_exemption_reason_changed_is_found(issued):
    tamper(
        (
            "UPDATE billing_invoiceline SET vat_exemption_reason = 'Exonération' "
            "WHERE invoice_id = %s",
            [issued[0].pk],
        )
    )
    assert f"entry 1 ({issued[0].number}): its document no longer says what was sealed (lines)" in (
        broken()
    )


def test_entries_sealed_before_the_status_and_notes_are_checked_on_what_they_sealed(issued):
    """A journal written by an earlier version still verifies, and still tells a change."""
    from comptoir.core.journal import GENESIS, canonical, content_hash, entry_hash

    new_keys = {"seal", "status", "notes", "terms"}
    previous = GENESIS
    for entry in JournalEntry.objects.order_by("position"):
        content = {k: v for k, v in entry.sealed.items() if k not in new_keys}
        for key in ("is_business", "reference"):
            del content["customer"][key]
        for line in content["lines"]:
            del line["is_service"], line["vat_exemption_reason"]
        sealed = content_hash(content)
        digest = entry_hash(entry.position, entry.kind, entry.number, sealed, previous)
        tamper(
            (
                "UPDATE core_journalentry SET content = %s, content_sha256 = %s, "
                "previous_sha256 = %s, sha256 = %s WHERE id = %s",
                [canonical(content).decode(), sealed, previous, digest, entry.pk],
            )
        )
        previous = digest
    assert "Journal intact: 4 entries" in verify()
    tamper(("UPDATE billing_invoice SET customer_name = 'X' WHERE id = %s", [issued[1].pk]))
    assert "entry 2" in broken()


def test_a_field_added_to_the_seal_later_is_not_held_against_earlier_entries(issued, monkeypatch):
    from comptoir.billing import sealing

    original = sealing.invoice_content

    def with_a_new_field(invoice, *args):
        return {**original(invoice, *args), sealing.SEAL_VERSION: 3, "new_field": "x"}

    monkeypatch.setattr(sealing, "invoice_content", with_a_new_field)
    assert "Journal intact: 4 entries" in verify()
    tamper(("UPDATE billing_invoice SET notes = 'changed' WHERE id = %s", [issued[0].pk]))
    assert f"entry 1 ({issued[0].number}): its document no longer says what was sealed" in broken()
