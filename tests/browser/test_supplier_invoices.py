"""The buyer receives a supplier's invoice from the purchases menu, sees it match the order made
for it, approves it after a confirmation and downloads the file as it came; the platform job
sends the approval, and the same invoice arriving again from the platform in its other format
is held as a duplicate."""

import base64
from pathlib import Path

import pytest
from playwright.sync_api import expect

from comptoir.core.services import update_company
from comptoir.einvoicing.client import forget_tokens
from comptoir.einvoicing.services import run_platform_work, save_connection
from comptoir.einvoicing.tests.conftest import control, settings_of
from comptoir.purchasing.services import create_supplier
from comptoir.supplierinvoices.tests.conftest import BUYER
from comptoir.supplierinvoices.tests.test_reading import EXAMPLES
from comptoir.supplierinvoices.tests.test_services import order_for_use_case
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_receiving_matching_and_approving_a_supplier_invoice(page, clerk, pasim):
    update_company(**BUYER)  # the company the use case bills
    order_for_use_case(create_supplier(code="VENDEUR", name="Le Vendeur", siren="100000009"))
    file = EXAMPLES / "UC1_F202500003_00-INV_20250701_UBL.xml"

    log_in(page)
    page.goto("/")
    expect(page.locator("nav a[href='/supplier-invoices/']")).to_have_count(1)
    page.goto("/supplier-invoices/")
    expect(page.locator("h1")).to_have_text("Factures fournisseurs")
    page.click("text=Recevoir une facture")
    page.set_input_files("#id_file", str(file))
    page.click("main button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Facture F202500003 reçue")
    expect(page.locator("#invoice-status")).to_have_text("À décider")
    expect(page.locator("#invoice-match")).to_contain_text("Conforme à la commande")
    expect(page.locator("#invoice-lines")).to_contain_text("200 heures")
    expect(page.locator("#invoice-totals")).to_contain_text("12\u202f000,00\u00a0€")

    with page.expect_download() as download:
        page.click("[data-download=original]")
    assert Path(download.value.path()).read_bytes() == file.read_bytes()

    page.click("[data-action=approve]")
    expect(page.locator("dialog[open]")).to_contain_text("la décision est définitive")
    page.click("[data-confirm=approve]")
    expect(page.locator(".messages")).to_contain_text("Facture F202500003 approuvée")
    expect(page.locator("#invoice-status")).to_have_text("Approuvée")
    expect(page.locator("#invoice-decisions")).to_contain_text("à envoyer")
    expect(page.locator("[data-action=approve]")).to_have_count(0)

    # the platform job sends the approval, and reads the inbox: the same invoice as CII
    forget_tokens()
    save_connection(**settings_of(pasim))
    content = (EXAMPLES / "UC1_F202500003_00-INV_20250701_CII.xml").read_bytes()
    control(pasim, "incoming", flowSyntax="CII", content=base64.b64encode(content).decode())
    run_platform_work()
    page.reload()
    expect(page.locator("#invoice-decisions")).to_contain_text("envoyée le")
    page.goto("/supplier-invoices/?status=held")
    page.click("table.list tbody tr a")
    expect(page.locator("#invoice-status")).to_have_text("En attente")
    expect(page.locator("#held-because")).to_contain_text("pas une deuxième facture à payer")
    expect(page.locator("[data-action=approve]")).to_have_count(0)
