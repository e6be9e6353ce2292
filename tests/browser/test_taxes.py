"""A training body sets its VAT exemption in Settings and invoices with it: the form says what
is missing in French, the invoice states the exemption, and its XML carries the VATEX code."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from comptoir.billing.facturx import build_xml
from comptoir.billing.models import Invoice
from comptoir.pricing.models import Tax
from tests.browser.conftest import log_in
from tests.browser.test_document_form import type_in
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = "Exonération de TVA, art. 261-4-4° a du CGI"


def test_a_training_exemption_made_in_settings_is_used_on_an_invoice(page, clerk, screenshot):
    ItemFactory(code="STAGE", name="Stage de formation", sale_price=Decimal("900.00"))
    customer = CustomerFactory(name="Boulangerie Durand")
    log_in(page)

    # Settings, Taxes, New tax.
    page.hover("nav.areas >> text=Paramètres")
    page.click("nav.areas .menu >> text=Taxes")
    page.click("text=Nouvelle taxe")
    page.fill("#id_code", "FORMATION-PRO")
    page.fill("#id_name", "Formation professionnelle continue")
    page.select_option("#id_category", "E")
    page.fill("#id_rate", "0")
    page.click("main button[type=submit]")
    # The reason is missing: said next to its field, what was typed kept.
    expect(page.locator("main")).to_contain_text("Indiquez pourquoi aucune TVA n’est facturée")
    expect(page.locator("#id_name")).to_have_value("Formation professionnelle continue")
    page.fill("#id_exemption_reason", TEXT)
    page.select_option("#id_exemption_reason_code", "VATEX-FR-CGI261-4")
    screenshot("tax-form")
    page.click("main button[type=submit]")
    expect(page.locator("main")).to_contain_text(
        "Taxe « Formation professionnelle continue » enregistrée"
    )
    expect(page.locator("main")).to_contain_text("VATEX-FR-CGI261-4")
    screenshot("taxes")
    tax = Tax.objects.get(code="FORMATION-PRO")
    assert (tax.category, tax.rate, tax.exemption_reason) == ("E", Decimal("0"), TEXT)

    # A new invoice with it: no VAT, the exemption stated.
    page.goto(f"/invoices/new/?customer={customer.code}")
    type_in(page, "#lines-0-item", "STAGE")
    expect(page.locator("#lines-0-description")).not_to_have_value("")
    page.select_option("#lines-0-tax", "FORMATION-PRO")
    page.locator("#lines-0-tax").dispatch_event("change")
    expect(page.locator("[data-total=net]")).to_contain_text("900,00")
    page.click("button[name=save]")
    expect(page.locator("#document-status")).to_have_text("Brouillon")
    page.click("[data-action=issue]")
    page.click("[data-confirm=issue]")
    expect(page.locator("#document-status")).to_have_text("Émise")
    invoice = Invoice.objects.get()
    assert (invoice.total_vat, invoice.total_gross) == (Decimal("0.00"), Decimal("900.00"))
    xml = build_xml(invoice).decode()
    assert "<ram:ExemptionReasonCode>VATEX-FR-CGI261-4</ram:ExemptionReasonCode>" in xml
    assert f"<ram:ExemptionReason>{TEXT}</ram:ExemptionReason>" in xml
