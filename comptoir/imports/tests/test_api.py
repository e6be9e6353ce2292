"""The import through the API: template, partner, upload, preview, rows, process, purge."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from comptoir.billing.models import Invoice

from .conftest import csv_file

pytestmark = pytest.mark.django_db

GOOD = "A1;15/03/2026;C1;Dupont;a@dupont.fr;1 rue A;69001;Lyon;CAFE;Café;2;18,50;5,5;;;"
BAD = "A2;16/03/2026;C2;Martin;m@martin.fr;1 rue B;69002;Lyon;THE;Thé;deux;9,00;5,5;;;"


def upload(api, partner_id: int, content: bytes, name="ventes.csv"):
    return api.client.post(
        f"/api/import-partners/{partner_id}/files",
        {"file": SimpleUploadedFile(name, content)},
    )


def test_the_template_downloads_as_csv_and_xlsx(api):
    response = api.get("/imports/template")
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").startswith("reference_partenaire;date_document")
    response = api.get("/imports/template?format=xlsx")
    assert response.content[:2] == b"PK"


def test_partner_options_are_checked(api, settings):
    settings.LANGUAGE_CODE = "en"
    response = api.post("/import-partners", {"name": "Shop", "creates": "orders"})
    assert response.status_code == 400
    assert "stock management" in response.json()["message"]
    response = api.post("/import-partners", {"name": "Shop", "creates": "nonsense"})
    assert response.status_code == 422


def test_a_file_goes_from_upload_to_invoices(api):
    partner = api.post("/import-partners", {"name": "Shop"}).json()
    response = upload(api, partner["id"], csv_file(GOOD, BAD))
    assert response.status_code == 201, response.content
    batch = response.json()
    assert batch["status"] == "parsed" and batch["row_count"] == 2
    preview = api.get(f"/imports/{batch['id']}/preview").json()
    assert preview["ready_documents"] == 1 and preview["blocked_documents"] == 1
    assert preview["customers_to_create"] == 1 and preview["items_to_create"] == 1
    assert preview["new_customers"] == ["Dupont"] and preview["new_items"] == ["CAFE"]
    assert preview["anomalies"][0]["field"] == "quantite"
    assert not Invoice.objects.exists()  # a preview creates nothing

    rows = api.get(f"/imports/{batch['id']}/rows?state=invalid").json()["items"]
    assert [r["line"] for r in rows] == [3]
    report = api.post(f"/imports/{batch['id']}/process").json()
    assert report["documents_created"] == 1 and report["failed_rows"] == 1

    response = api.patch(
        f"/imports/{batch['id']}/rows/{rows[0]['id']}", {"data": {"quantite": "2"}}
    )
    assert response.status_code == 200 and response.json()["state"] == "ready"
    report = api.post(f"/imports/{batch['id']}/process").json()
    assert report["documents_created"] == 2 and report["failed_rows"] == 0
    created = api.get(f"/imports/{batch['id']}/rows?state=created").json()["items"]
    assert {r["document_number"] for r in created} == set(
        Invoice.objects.values_list("number", flat=True)
    )


def test_bad_files_get_clear_answers(api, settings):
    partner = api.post("/import-partners", {"name": "Shop"}).json()
    refused = upload(api, partner["id"], b"colonne;autre\n1;2\n").json()
    assert refused["status"] == "refused"
    assert "reference_partenaire" in refused["error"]
    response = upload(api, partner["id"], b"")
    assert response.status_code == 400 and response.json()["code"] == "import.empty"
    settings.COMPTOIR_IMPORT_MAX_BYTES = 100
    response = upload(api, partner["id"], csv_file(GOOD))
    assert response.status_code == 400 and response.json()["code"] == "import.too_large"
    assert api.post("/imports/999999/process").status_code == 404


def test_purge_deletes_the_rows_not_processed(api):
    partner = api.post("/import-partners", {"name": "Shop"}).json()
    batch = upload(api, partner["id"], csv_file(GOOD, BAD)).json()
    api.post(f"/imports/{batch['id']}/process")
    assert api.delete(f"/imports/{batch['id']}/rows").json() == {"deleted": 1}
    states = [r["state"] for r in api.get(f"/imports/{batch['id']}/rows").json()["items"]]
    assert states == ["created"]


def test_processing_in_the_background_answers_at_once(api):
    partner = api.post("/import-partners", {"name": "Shop"}).json()
    batch = upload(api, partner["id"], csv_file(GOOD)).json()
    response = api.post(f"/imports/{batch['id']}/process?background=true")
    assert response.status_code == 202
    # The tests' job backend runs the job at once; a worker would run it shortly after.
    done = api.get(f"/imports/{batch['id']}").json()
    assert done["status"] == "processed" and done["rows_done"] == 1
    assert Invoice.objects.count() == 1


def test_processing_a_file_with_nothing_left_to_do_reports_nothing(api):
    """A file processed already (or every row of it invalid) is processed again: nothing to
    create, a report that says so, never a server error."""
    partner = api.post("/import-partners", {"name": "Shop"}).json()
    batch = upload(api, partner["id"], csv_file(GOOD)).json()
    assert api.post(f"/imports/{batch['id']}/process").json()["documents_created"] == 1
    again = api.post(f"/imports/{batch['id']}/process")
    assert again.status_code == 200, again.content
    assert again.json()["documents_created"] == 1  # the file's report, as before
    assert Invoice.objects.count() == 1
