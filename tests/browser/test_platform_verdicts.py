"""The owner follows her invoices on the approved platform (the simulator): the timeline moves
as the platform and the customers answer; a rejected invoice is flagged « À corriger » and
corrected by credit note; a refused one gets its credit note from its page, once; a paid one
shows the « Encaissée » Comptoir sent."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from comptoir.billing.models import Invoice
from comptoir.billing.services import create_invoice, issue_invoice
from comptoir.einvoicing import services
from comptoir.einvoicing.client import forget_tokens
from comptoir.einvoicing.models import Submission
from comptoir.einvoicing.tests.conftest import control, french_business, settings_of
from comptoir.parties.services import create_customer
from comptoir.pasim.testing import REFUSING_BUYER
from comptoir.payments.services import register_payment
from comptoir.pricing.engine import LineSpec
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
NBSP = "\u00a0"


def sent(customer, chair, **header) -> Invoice:
    invoice = issue_invoice(create_invoice(customer, [LineSpec(chair, Decimal("2"))], **header))
    submission = Submission.objects.get(invoice=invoice)
    assert submission.state == Submission.State.SENT, submission.message
    return invoice


def test_the_timeline_moves_a_rejection_is_corrected_a_refusal_credited(
    page, clerk, pasim, screenshot
):
    from examples.facturx import PARIS, catalogue, seller

    seller()
    forget_tokens()
    services.save_connection(**settings_of(pasim))
    chair = catalogue()["chair"]
    approved = sent(french_business(), chair)
    rejected = sent(french_business(), chair, supply_date=date(1926, 12, 7))  # a typo: 2026
    refusing = create_customer(name="Sous Traitant", siren=REFUSING_BUYER, addresses=PARIS)
    refused = sent(refusing, chair)
    services.poll_lifecycle()
    log_in(page)

    # The timeline moves as the platform and the customer answer.
    page.goto(approved.get_absolute_url())
    timeline = page.locator("#lifecycle li")
    expect(timeline).to_have_count(1)
    expect(timeline.first).to_contain_text("Déposée")
    for _ in range(2):
        control(pasim, "advance")
    services.poll_lifecycle()
    page.reload()
    expect(timeline).to_have_count(3)
    expect(timeline.last).to_contain_text("Mise à disposition")
    for _ in range(2):
        control(pasim, "advance")
    services.poll_lifecycle()
    page.reload()
    expect(timeline).to_have_count(5)
    expect(timeline.last).to_contain_text("Approuvée")
    expect(page.locator("#platform-verdict")).to_have_count(0)  # nothing to do
    screenshot("platform-approved")
    # Paid in full: Comptoir tells the platform the money was received (212).
    register_payment(
        approved.customer, approved.total_gross, allocations=[(approved, approved.total_gross)]
    )
    page.reload()
    expect(timeline).to_have_count(6)
    expect(timeline.last).to_contain_text("Encaissée")
    expect(timeline.last).to_contain_text("envoyé par nous")

    # The list: a column of statuses in words, and the invoices to correct.
    page.goto("/invoices/")
    expect(page.locator("table.list thead")).to_contain_text("Statut plateforme")
    expect(page.locator("table.list tbody")).to_contain_text("Encaissée")
    page.select_option("#id_platform_status", label="À corriger (rejetée)")
    page.click("form.filters button[type=submit]")
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(rejected.number)
    expect(rows.first).to_contain_text("Rejetée")
    screenshot("platform-to-correct")

    # The rejected invoice: why, in French words, and its correction.
    rows.first.locator("a").first.click()
    verdict = page.locator("#platform-verdict")
    expect(page.locator(".facts")).to_contain_text("À corriger")
    expect(verdict).to_contain_text(
        f"La plateforme agréée a rejeté cette facture le {date.today():%d/%m/%Y}{NBSP}:"
    )
    expect(verdict).to_contain_text("doit contenir une année entre 2000 et 2099")
    for code in ("213", "REJ_SEMAN", "BR-FR", "udt:"):
        expect(verdict).not_to_contain_text(code)
    expect(page.locator("#lifecycle li").last).to_contain_text("Rejetée")
    screenshot("platform-rejected")
    verdict.locator("[data-action=correct-rejected]").click()
    page.locator("dialog[open] [data-confirm=correct-rejected]").click()
    expect(page.locator(".messages")).to_contain_text(
        f"Facture {rejected.number} annulée par un avoir"
    )
    expect(page.locator("#document-status")).to_contain_text("Brouillon")
    page.goto(rejected.get_absolute_url())
    cancelling = rejected.credit_notes.get()
    expect(page.locator("#verdict-credit-notes")).to_contain_text(cancelling.number)
    expect(page.locator("[data-action=correct-rejected]")).to_have_count(0)

    # The refused invoice: the customer's reason, and its credit note, made once.
    page.goto(refused.get_absolute_url())
    verdict = page.locator("#platform-verdict")
    expect(page.locator(".facts")).to_contain_text("Refusée par le client")
    expect(verdict).to_contain_text(f"Motif{NBSP}: Taux de TVA erroné")
    expect(verdict).not_to_contain_text("TX_TVA_ERR")
    screenshot("platform-refused")
    verdict.locator("[data-action=credit-refused]").dblclick()  # a double click makes one
    expect(page.locator(".messages")).to_contain_text("Avoir brouillon de toute la facture")
    assert refused.credit_notes.count() == 1
    credit_url = refused.credit_notes.get().get_absolute_url()
    assert page.url.endswith(credit_url)
    page.go_back()  # the page as it was, with its button: a second click makes none
    page.reload()
    expect(page.locator("[data-action=credit-refused]")).to_have_count(0)
    expect(page.locator(f"#verdict-credit-notes a[href='{credit_url}']")).to_have_count(1)
    assert refused.credit_notes.count() == 1
