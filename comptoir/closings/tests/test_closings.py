"""Closings anchor the journal outside the database: signed with the company's key, kept as
files. A chain re-hashed by someone who can write the database, but has not the key, no longer
matches them; nor does a closing edited in the database."""

import json
import os
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from comptoir.billing import services as billing
from comptoir.billing.sealing import current_contents
from comptoir.closings import services, signing
from comptoir.closings.models import Closing
from comptoir.core.journal import GENESIS, canonical, content_hash, entry_hash, verify_chain
from comptoir.core.models import JournalEntry
from comptoir.pricing.engine import LineSpec
from tests.factories import CustomerFactory, ItemFactory
from tests.tampering import tamper

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = timezone.localdate()
BEFORE, YESTERDAY = TODAY - timedelta(days=2), TODAY - timedelta(days=1)


@pytest.fixture
def key(settings, tmp_path):
    settings.COMPTOIR_SIGNING_KEY = tmp_path / "keys" / "signing-key.pem"
    run("keygen")
    return settings.COMPTOIR_SIGNING_KEY


@pytest.fixture
def issued(company):
    """Two invoices the day before yesterday; an invoice and a credit note yesterday."""
    customer, item = CustomerFactory(), ItemFactory()

    def draft(quantity):
        return billing.create_invoice(customer, [LineSpec(item, Decimal(quantity))])

    first = billing.issue_invoices([draft(1), draft(2)], day=BEFORE)
    last = billing.issue_invoices([draft(3)], day=YESTERDAY)
    credit = billing.issue_invoices([billing.credit_invoice(first[0])], day=YESTERDAY)
    return [*first, *last, *credit]


@pytest.fixture
def closed(key, issued):
    french = YESTERDAY.strftime("%d/%m/%Y")  # the date as a French user types it
    return [run("close", "--period", "day", "--date", day) for day in (str(BEFORE), french)]


def run(*args) -> str:
    out = StringIO()
    call_command("journal", *args, stdout=out)
    return out.getvalue()


def fails(*args, code=1) -> str:
    with pytest.raises(CommandError) as error:
        run(*args)
    assert error.value.returncode == code
    return str(error.value)


def test_the_key_is_a_file_only_its_owner_reads_made_once(key):
    assert key.stat().st_mode & 0o777 == 0o600
    before = key.read_bytes()
    assert "already exists" in fails("keygen", code=2)
    assert key.read_bytes() == before


def test_a_closed_day_records_its_totals_the_running_totals_and_the_head(closed, issued):
    first, second = Closing.objects.order_by("start")
    gross = [i.total_gross for i in issued]
    assert (first.count, first.total_gross) == (2, gross[0] + gross[1])
    assert second.count == 2
    assert second.total_gross == gross[2] - gross[3]  # the credit note counts negative
    assert second.grand_count == 4
    assert second.grand_gross == gross[0] + gross[1] + gross[2] - gross[3]
    assert second.total_net + second.total_vat == second.total_gross
    assert second.position == 4
    assert second.head_sha256 == JournalEntry.objects.get(position=4).sha256
    assert second.previous_sha256 != GENESIS and first.previous_sha256 == GENESIS
    assert "Journal intact: 4 entries, each document as it was sealed; 2 closings" in run("verify")


def test_a_month_and_a_year_are_closed_once_over(key, issued):
    last_month = TODAY.replace(day=1) - timedelta(days=1)
    closing = services.close_period("month", last_month)
    assert (closing.start, closing.end) == (last_month.replace(day=1), last_month)
    assert "The period from " in fails("close", "--period", "month", code=2)
    services.close_period("day", last_month)
    assert f"The day {last_month:%m/%d/%Y} is already closed." in fails(
        "close", "--date", str(last_month), code=2
    )
    assert "can be closed from the next day" in fails(
        "close", "--period", "year", "--date", str(TODAY), code=2
    )
    closing = services.close_period("year", TODAY.replace(year=TODAY.year - 2))
    assert closing.count == 0 and closing.grand_count == 0


def test_closing_without_the_key_is_refused(settings, tmp_path, issued):
    settings.COMPTOIR_SIGNING_KEY = tmp_path / "none.pem"
    assert "comptoir journal keygen" in fails("close", code=2)
    (tmp_path / "none.pem").write_text("not a key")
    assert "is not a signing key" in fails("close", code=2)


def test_bad_input_exits_with_2(key, tmp_path):
    with pytest.raises(CommandError):
        run("close", "--date", "2026-02-30")
    assert "is not closed" in fails("export", "--period", "year", code=2)
    assert "No such file" in fails("verify", "--closing", str(tmp_path / "missing.json"), code=2)
    (tmp_path / "bad.json").write_text('{"closing": 1}')
    assert "not a closing" in fails("verify", "--closing", str(tmp_path / "bad.json"), code=2)


def test_an_export_into_a_missing_folder_is_refused(closed, tmp_path):
    missing = tmp_path / "absent"
    assert "absent" in fails("export", "--date", str(YESTERDAY), "--output", f"{missing}/", code=2)
    assert "absent" in fails(
        "export", "--date", str(YESTERDAY), "--output", str(missing / "file.json"), code=2
    )
    assert not missing.exists()


def test_an_exported_closing_matches_the_journal(closed, tmp_path):
    run("export", "--date", str(YESTERDAY), "--output", str(tmp_path))
    path = tmp_path / f"cloture-day-{YESTERDAY.isoformat()}.json"
    exported = json.loads(path.read_text())
    assert exported["closing"]["journal"]["position"] == 4
    assert exported["closing"]["totals"]["count"] == 2
    assert "matches the journal (4 entries)" in run("verify", "--closing", str(path))


def rehash_from(position: int) -> None:
    """What a forger with write access but without the key does after changing documents:
    seal them again and re-hash the chain from there, so the chain verifies on its own."""
    entries = list(JournalEntry.objects.filter(position__gte=position).order_by("position"))
    previous = (
        JournalEntry.objects.filter(position=position - 1).values_list("sha256", flat=True).first()
        or GENESIS
    )
    for entry in entries:
        content = current_contents(entry.kind, [entry.document_id])[entry.document_id]
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


def test_a_chain_re_hashed_without_the_key_no_longer_matches_its_closings(closed, tmp_path):
    run("export", "--date", str(BEFORE), "--output", str(tmp_path))
    invoice = JournalEntry.objects.get(position=2)
    tamper(
        ("UPDATE billing_invoice SET notes = 'payé comptant' WHERE id = %s", [invoice.document_id])
    )
    rehash_from(2)
    assert verify_chain(current_contents) is None  # the chain alone is fooled
    message = fails("verify")
    assert f"closing day {BEFORE.isoformat()}: the journal's entry 4 is no longer the one it " in (
        message
    )
    file = tmp_path / f"cloture-day-{BEFORE.isoformat()}.json"
    assert "no longer the one it signed" in fails("verify", "--closing", str(file))


def test_closings_forged_with_another_key_are_told_from_the_company_s(closed, tmp_path):
    run("export", "--date", str(YESTERDAY), "--output", str(tmp_path))
    tamper(
        "UPDATE billing_invoice SET notes = 'changed' WHERE id = "
        "(SELECT document_id FROM core_journalentry WHERE position = 3)"
    )
    rehash_from(3)
    # The forger signs new closings with a key of their own.
    forged = signing.Ed25519PrivateKey.generate()
    tamper("DELETE FROM closings_closing")
    for day in (BEFORE, YESTERDAY):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(signing, "load_key", lambda: forged)
            services.close_period("day", day)
    message = fails("verify")
    assert "not with the company's key" in message
    file = tmp_path / f"cloture-day-{YESTERDAY.isoformat()}.json"
    message = fails("verify", "--closing", str(file))
    assert "the closing in the database differs from the file" in message
    assert "no longer the one it signed" in message


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE closings_closing SET total_gross = total_gross + 100",
        "UPDATE closings_closing SET head_sha256 = '" + "1" * 64 + "'",
        "UPDATE closings_closing SET position = 3",
    ],
)
def test_a_closing_edited_is_found(closed, change, tmp_path):
    run("export", "--date", str(YESTERDAY), "--output", str(tmp_path))
    tamper(change + f" WHERE start = '{YESTERDAY.isoformat()}'")
    assert f"closing day {YESTERDAY.isoformat()}: its signature does not match" in fails("verify")
    file = tmp_path / f"cloture-day-{YESTERDAY.isoformat()}.json"
    assert "the closing in the database differs from the file" in fails(
        "verify", "--closing", str(file)
    )


def test_a_closing_removed_is_missed_by_the_next(closed):
    tamper(f"DELETE FROM closings_closing WHERE start = '{BEFORE.isoformat()}'")
    assert "the closing before it is missing or was changed" in fails("verify")


def test_the_last_invoice_removed_with_every_counter_lowered_is_found_by_the_closing(
    closed, issued, tmp_path
):
    """A forger who removes the last document, its entry, and lowers the journal's head and
    the numbering: the chain and its counters agree again, the closing does not."""
    run("export", "--date", str(YESTERDAY), "--output", str(tmp_path))
    credit = issued[3]
    tamper(
        ("DELETE FROM billing_invoiceline WHERE invoice_id = %s", [credit.pk]),
        ("DELETE FROM billing_invoice WHERE id = %s", [credit.pk]),
        ("DELETE FROM core_journalentry WHERE document_id = %s", [credit.pk]),
        "UPDATE core_sequence SET last_number = last_number - 1 "
        "WHERE series IN ('journal', 'credit_note')",
    )
    assert verify_chain(current_contents) is None
    assert "saw 4 entries; the journal holds 3" in fails("verify")
    file = tmp_path / f"cloture-day-{YESTERDAY.isoformat()}.json"
    assert "the journal holds 3 of the 4 entries it closed" in fails(
        "verify", "--closing", str(file)
    )


def test_the_schedule_closes_what_is_over_and_mails_it(
    settings, key, issued, django_capture_on_commit_callbacks
):
    from comptoir.closings import tasks
    from comptoir.scheduling.registry import JOBS

    assert JOBS["closings"].every() == timedelta(hours=1)
    settings.COMPTOIR_CLOSING_EMAIL = "archives@example.fr"
    with django_capture_on_commit_callbacks(execute=True):
        made = tasks.scheduled_closings()
    assert len(made) == 3  # yesterday, last month, last year
    assert tasks.scheduled_closings() == []
    assert len(mail.outbox) == 3
    _name, content, kind = mail.outbox[0].attachments[0]
    assert json.loads(content)["closing"]["period"] == "day" and kind == "application/json"
    os.remove(key)
    assert JOBS["closings"].every() is None


def test_closings_of_a_replaced_key_are_vouched_for_by_the_next(settings, closed, tmp_path):
    """A lost key is replaced: the earlier closings stay verified through the link that the
    first closing signed with the new key makes to them."""
    settings.COMPTOIR_SIGNING_KEY = tmp_path / "new-key.pem"
    run("keygen")
    assert "not with the company's key" in fails("verify")  # nothing vouches for them yet
    services.close_period("month", TODAY.replace(day=1) - timedelta(days=1))
    assert "3 closings, signed with key" in run("verify")


def test_the_database_refuses_to_change_or_delete_a_closing(closed):
    from django.db import DatabaseError, connection, transaction

    for sql in (
        "UPDATE closings_closing SET total_gross = 0",
        "DELETE FROM closings_closing",
    ):
        with (
            pytest.raises(DatabaseError, match="a closing cannot be changed"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert Closing.objects.count() == 2
