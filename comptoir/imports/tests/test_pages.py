"""The import pages: upload, preview, rows, correction, processing, export, purge."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from comptoir.billing.models import Invoice
from comptoir.imports.models import ImportBatch, ImportRow

from .conftest import csv_file

pytestmark = pytest.mark.django_db

GOOD = "A1;15/03/2026;C1;Dupont;a@dupont.fr;1 rue A;69001;Lyon;CAFE;Café;2;18,50;5,5;;;"
BAD = "A2;16/03/2026;C2;Martin;m@martin.fr;1 rue B;69002;Lyon;THE;Thé;deux;9,00;5,5;;;"
FORMULA = 'A3;16/03/2026;C3;"=HYPERLINK(""http://x"")";z@z.fr;1 rue C;69002;Lyon;THE;Thé;1;9;5,5;;;'


@pytest.fixture
def browser(client, user):
    client.force_login(user)
    return client


def upload(browser, partner, content):
    return browser.post(
        "/imports/new/",
        {
            "partner": partner.pk,
            "file": SimpleUploadedFile("ventes.csv", content),
            "has_header": "on",
        },
    )


def test_pages_answer(browser, partner):
    for url in ("/imports/", "/imports/partners/", "/imports/new/", "/imports/partners/new/"):
        assert browser.get(url).status_code == 200, url
    assert browser.get("/imports/template.csv").content.startswith(b"\xef\xbb\xbfreference")


def test_upload_preview_correct_and_process(browser, partner):
    response = upload(browser, partner, csv_file(GOOD, BAD))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{batch.pk}/"
    page = browser.get(f"/imports/{batch.pk}/").content.decode()
    assert 'data-preview="ready">1<' in page and 'data-preview="blocked">1<' in page
    assert "is not a number" in page or "n’est pas un nombre" in page

    row = ImportRow.objects.get(state=ImportRow.State.INVALID)
    edit_url = f"/imports/{batch.pk}/rows/{row.pk}/"
    response = browser.post(edit_url, {**row.texts, "quantite": "deux"})
    assert response.status_code == 302  # saved, still with its anomaly
    row.refresh_from_db()
    assert row.state == ImportRow.State.INVALID
    browser.post(edit_url, {**row.texts, "quantite": "3"})
    row.refresh_from_db()
    assert row.state == ImportRow.State.READY

    response = browser.post(f"/imports/{batch.pk}/process/")
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PROCESSED
    assert Invoice.objects.count() == 2
    page = browser.get(f"/imports/{batch.pk}/?state=created").content.decode()
    for number in Invoice.objects.values_list("number", flat=True):
        assert number in page


def test_the_rows_export_neutralises_formulas_and_purge_keeps_processed_rows(browser, partner):
    upload(browser, partner, csv_file(GOOD, BAD, FORMULA))
    batch = ImportBatch.objects.get()
    browser.post(f"/imports/{batch.pk}/process/")
    export = b"".join(browser.get(f"/imports/{batch.pk}/rows.csv").streaming_content).decode()
    assert "'=HYPERLINK" in export
    assert ";=HYPERLINK" not in export
    browser.post(f"/imports/{batch.pk}/purge/")
    assert list(ImportRow.objects.values_list("state", flat=True)) == ["created", "created"]


def test_a_refused_file_and_a_bad_partner_show_their_message(browser, partner):
    upload(browser, partner, b"colonne;autre\n1;2\n")
    batch = ImportBatch.objects.get()
    page = browser.get(f"/imports/{batch.pk}/").content.decode()
    assert "reference_partenaire" in page
    options = {
        "name": "Shop",
        "creates": "orders",
        "then": "validate",
        "strictness": "valid",
        "price_source": "file",
        "unknown_customer": "create",
        "unknown_item": "create",
        "unknown_tax": "refuse",
        "unknown_unit": "ignore",
        "unknown_payment_method": "ignore",
        "active": "on",
    }
    response = browser.post("/imports/partners/new/", options)
    assert response.status_code == 400
    assert "stock" in response.content.decode()
    response = browser.post("/imports/partners/new/", {**options, "creates": "invoices"})
    assert response.status_code == 302


def test_the_created_invoices_print_in_one_pdf(browser, partner):
    from io import BytesIO

    from pypdf import PdfReader

    upload(browser, partner, csv_file(GOOD, BAD.replace("deux", "2")))
    batch = ImportBatch.objects.get()
    browser.post(f"/imports/{batch.pk}/process/")
    page = browser.get(f"/imports/{batch.pk}/").content.decode()
    assert f"/imports/{batch.pk}/documents.pdf" in page
    response = browser.get(f"/imports/{batch.pk}/documents.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages)
    for number in Invoice.objects.values_list("number", flat=True):
        assert number in text
    assert len(PdfReader(BytesIO(response.content)).pages) == 2


def test_a_partner_s_documents_print_in_its_layout(browser, partner):
    """The partner's print layout goes with each document it creates, and the grouped PDF
    uses it; a document without its own layout prints in the company's."""
    import copy

    from comptoir.billing.pdf import render_html
    from comptoir.imports.services import save_partner

    save_partner(partner, print_layout="compact")
    upload(browser, partner, csv_file(GOOD))
    batch = ImportBatch.objects.get()
    browser.post(f"/imports/{batch.pk}/process/")
    invoice = Invoice.objects.get()
    assert invoice.print_layout == "compact"
    assert '<body class="compact">' in render_html(invoice)
    assert browser.get(f"/imports/{batch.pk}/documents.pdf").content.startswith(b"%PDF")
    unset = copy.copy(invoice)
    unset.print_layout = ""
    assert '<body class="standard">' in render_html(unset)  # the company's layout
