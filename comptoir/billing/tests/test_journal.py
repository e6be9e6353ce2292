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
from comptoir.core.models import JournalEntry
from comptoir.core.triggers import lifted
from comptoir.pricing.engine import LineSpec
from tests.factories import CustomerFactory, ItemFactory

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
