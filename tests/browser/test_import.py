"""A partner's file in the browser: upload, preview, correct a row, process, see the invoices."""

import pytest
from playwright.sync_api import expect

from comptoir.billing.models import Invoice
from comptoir.imports.models import ImportRow
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

FILE = (
    "reference_partenaire;date_document;nom_client;email;code_article;designation;quantite;"
    "prix_unitaire;taux_tva\n"
    "W-1;02/03/2026;Épicerie Fine;contact@epicerie.fr;CAFE;Café 1 kg;2;18,50;5,5\n"
    "W-1;02/03/2026;Épicerie Fine;contact@epicerie.fr;THE;Thé vert;1;9,00;5,5\n"
    "W-2;03/03/2026;Bistrot du Port;bistrot@port.fr;CAFE;Café 1 kg;deux;18,50;5,5\n"
)


def test_a_partner_file_from_upload_to_invoices(page, clerk, tmp_path, screenshot, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "ventes-mars.csv"
    path.write_text(FILE, encoding="utf-8")
    log_in(page)

    page.click("text=Imports")
    page.goto("/imports/partners/")
    page.click("text=Nouveau partenaire")
    page.fill("#id_name", "Boutique en ligne")
    page.click("main button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Boutique en ligne")

    page.goto("/imports/")
    page.click("text=Importer un fichier")
    page.set_input_files("#id_file", str(path))
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("ventes-mars.csv")
    expect(page.locator("[data-preview=ready]")).to_have_text("1")
    expect(page.locator("[data-preview=blocked]")).to_have_text("1")
    expect(page.locator("tr[data-line='4'] .anomaly")).to_contain_text("deux")
    screenshot("import-preview")

    # Correct the line in error, then process.
    page.click("tr[data-line='4'] a")
    page.fill("#id_quantite", "2")
    page.click("main button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("corrigée")
    expect(page.locator("[data-preview=ready]")).to_have_text("2")
    page.click("button[data-action=process]")
    page.click("button[data-confirm=process]")
    expect(page.locator(".facts .badge").first).to_have_text("Traité")

    numbers = list(Invoice.objects.order_by("number").values_list("number", flat=True))
    assert len(numbers) == 2
    for number in numbers:
        expect(page.locator("table.rows")).to_contain_text(number)
    assert set(ImportRow.objects.values_list("state", flat=True)) == {"created"}
    screenshot("import-processed")
