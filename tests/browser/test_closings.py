"""The owner closes yesterday in the browser, after a confirmation, and keeps its file: the file
checks against the journal."""

import json
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from comptoir.billing import services as billing
from comptoir.pricing.engine import LineSpec
from tests.browser.conftest import log_in
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_closing_yesterday_and_keeping_its_file(page, clerk, settings, tmp_path):
    settings.COMPTOIR_SIGNING_KEY = tmp_path / "signing-key.pem"
    call_command("journal", "keygen", stdout=StringIO())
    yesterday = timezone.localdate() - timedelta(days=1)
    customer, item = CustomerFactory(), ItemFactory()
    drafts = [billing.create_invoice(customer, [LineSpec(item, Decimal(n))]) for n in (1, 2)]
    billing.issue_invoices(drafts, day=yesterday)

    log_in(page)
    page.goto("/")
    expect(page.locator("nav a[href='/journal/closings/']")).to_have_count(1)
    page.goto("/journal/closings/")
    expect(page.locator("h1")).to_have_text("Clôtures du journal")
    expect(page.locator("main")).to_contain_text("Aucune clôture pour l’instant.")
    page.select_option("#id_period", "day")
    page.click("[data-action=close]")
    expect(page.locator("dialog[open]")).to_contain_text("ne pourra pas être annulée")
    page.click("[data-confirm=close]")
    expect(page.locator(".messages")).to_contain_text("Période clôturée")
    row = page.locator("main table tbody tr").first
    expect(row).to_contain_text("Jour")
    expect(row.locator("td").nth(2)).to_have_text("2")

    with page.expect_download() as download:
        row.get_by_role("link", name="Télécharger").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == f"cloture-day-{yesterday.isoformat()}.json"
    assert json.loads(path.read_text())["closing"]["totals"]["count"] == 2
    out = StringIO()
    call_command("journal", "verify", "--closing", str(path), stdout=out)
    assert "matches the journal (2 entries)" in out.getvalue()
