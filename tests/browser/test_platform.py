"""The owner connects Comptoir to her approved platform (the simulator), tests the connection,
issues an invoice and follows its lifecycle on the invoice page."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from comptoir.billing.services import create_invoice, issue_invoice
from comptoir.einvoicing.client import forget_tokens
from comptoir.einvoicing.models import Submission
from comptoir.einvoicing.services import poll_lifecycle
from comptoir.einvoicing.tests.conftest import control, french_business
from comptoir.pasim.platform import CLIENT_ID, CLIENT_SECRET
from comptoir.pricing.engine import LineSpec
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_connecting_sending_and_following_an_invoice(page, clerk, pasim, screenshot):
    from examples.facturx import catalogue, seller

    seller()
    forget_tokens()
    log_in(page)
    page.goto("/")
    expect(page.locator("nav a[href='/settings/platform/']")).to_have_count(1)
    page.goto("/settings/platform/")
    expect(page.locator("h1")).to_have_text("Plateforme agréée")
    page.fill("#id_flow_url", f"{pasim}/flow-service")
    page.fill("#id_directory_url", f"{pasim}/directory-service")
    page.fill("#id_token_url", f"{pasim}/oauth/token")
    page.fill("#id_client_id", CLIENT_ID)
    page.check("#id_enabled")
    page.click("button.primary")
    expect(page.locator("form.stacked")).to_contain_text("indiquez le secret client")
    expect(page.locator("#id_client_id")).to_have_value(CLIENT_ID)  # typed work kept
    page.fill("#id_secret", CLIENT_SECRET)
    page.click("button.primary")
    expect(page.locator(".messages")).to_contain_text("Connexion à la plateforme enregistrée")
    expect(page.locator("#id_secret")).to_have_value("")
    page.fill("#id_token_url", f"{pasim}/nowhere")  # typed, not saved: that is what is tested
    page.click("button[name=check]")
    expect(page.locator("form.stacked .error")).to_contain_text("cette adresse n’existe pas")
    expect(page.locator("#id_token_url")).to_have_value(f"{pasim}/nowhere")
    page.fill("#id_token_url", f"{pasim}/oauth/token")  # back to what is saved
    page.click("button[name=check]")
    expect(page.locator(".messages")).to_contain_text("la connexion fonctionne")
    expect(page.locator(".messages")).not_to_contain_text("pas encore enregistrés")
    screenshot("platform-connection")

    invoice = issue_invoice(
        create_invoice(french_business(), [LineSpec(catalogue()["chair"], Decimal("2"))])
    )
    submission = Submission.objects.get(invoice=invoice)
    assert submission.state == Submission.State.SENT, submission.message
    for _ in range(4):
        control(pasim, "advance", flowId=submission.flow_id)
    poll_lifecycle()
    page.goto(invoice.get_absolute_url())
    badge = page.locator("#platform-state .badge")
    expect(badge).to_have_text("Approuvée")  # the latest status, not the sending's « Envoyée »
    expect(page.locator("#platform-state")).to_contain_text("Factur-X (PDF)")
    timeline = page.locator("#lifecycle li")
    expect(timeline).to_have_count(5)
    expect(timeline.first).to_contain_text("Déposée")
    expect(timeline.first).not_to_contain_text("200")
    expect(timeline.last).to_contain_text("Approuvée")
    # The block has room: its timeline and messages are not squeezed into a third of the page.
    screenshot("invoice-lifecycle")
    assert page.locator("#platform-state").bounding_box()["width"] > 500

    page.select_option("select[name=language]", "en")
    expect(badge).to_have_text("Approved")
    expect(timeline.first).to_contain_text("Submitted")
    platform = page.locator("#platform-state").inner_text() + timeline.first.inner_text()
    assert "Factur-X (PDF)" in platform and "E-invoice" in platform
    today = timezone.localdate()
    for french in ("Déposée", "Facture électronique", "envoyé", today.strftime("%d/%m/%Y")):
        assert french not in platform or today.day == today.month, french
    assert today.strftime("%m/%d/%Y") in platform  # the English order of a date
    expect(page.locator("main")).to_contain_text("VAT 20% on €90.00")
    screenshot("invoice-lifecycle-en")
