"""Names chosen to attack: markup, quotes, formulas and very long text are shown as text in
pages, PDFs and exports, and refused with a clear error where they do not fit."""

import csv
import io
import threading
import time
import tracemalloc
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from openpyxl import load_workbook
from pypdf import PdfReader

from comptoir.billing.models import Invoice
from comptoir.billing.services import create_invoice
from comptoir.imports.models import ImportBatch
from comptoir.imports.services import process_batch, processing, save_partner
from comptoir.imports.tasks import read_import
from comptoir.parties.models import Customer
from comptoir.payments.models import Payment
from comptoir.pricing.engine import LineSpec
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db

MARKUP = '<script>alert("x")</script> & "Fils" l\'aîné'
FORMULA = "=1+1"


@pytest.fixture
def hostile(company, user, client):
    customer = CustomerFactory(name=MARKUP)
    CustomerFactory(name=FORMULA, code="FORMULE")
    item = ItemFactory(name='<img src=x onerror=alert(1)> "Chaise"', sale_price=Decimal("10"))
    invoice = create_invoice(customer, [LineSpec(item, Decimal("1"))])
    client.force_login(user)
    return customer, item, invoice


def test_markup_in_names_is_shown_as_text_in_pages(client, hostile):
    customer, _item, invoice = hostile
    for url in ("/customers/", customer.get_absolute_url(), "/items/", invoice.get_absolute_url()):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page, url
    page = client.get(customer.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;Fils&quot;" in page


def test_markup_in_names_is_printed_as_text_in_pdfs(client, hostile):
    _customer, _item, invoice = hostile
    response = client.get(f"/invoices/{invoice.pk}/pdf/")
    assert response.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert '<script>alert("x")</script>' in text  # printed, not parsed as markup
    assert "<img src=x onerror=alert(1)>" in text


def test_a_customer_named_like_a_formula_exports_as_text(client, hostile):
    response = client.get("/customers/", {"q": FORMULA, "export": "csv"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    names = [row[1] for row in rows[1:]]
    assert names == ["'" + FORMULA]
    response = client.get("/customers/", {"q": FORMULA, "export": "xlsx"})
    sheet = load_workbook(filename=io.BytesIO(response.content)).active
    cell = sheet.cell(row=2, column=2)
    assert cell.value == "'" + FORMULA and cell.data_type == "s"


def test_very_long_names_are_refused_with_a_clear_error(api, client, hostile):
    response = api.post("/customers", {"name": "x" * 5000})
    assert response.status_code in (400, 422)
    assert response.json()["code"] and response.json()["message"]
    response = client.post("/customers/new/", {"name": "x" * 5000, "kind": "company"})
    assert response.status_code == 400
    assert "200" in response.content.decode()  # the form says how long a name may be


# Requests as an attacker sends them ------------------------------------------------------------

NUL = "Dupont\x00SARL"


def test_a_10_mb_body_is_refused_with_413_and_a_json_code(api, hostile):
    before = Customer.objects.count()
    body = '{"name": "' + "x" * 10_000_000 + '"}'
    response = api.client.post("/api/customers", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "request.too_large" and response.json()["message"]
    assert Customer.objects.count() == before


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("/customers", {"name": NUL}, "name"),
        ("/customers", {"name": "Dupont", "notes": {"deep": ["ok", NUL]}}, "notes.deep.1"),
        ("/invoices", "line description", "lines.0.description"),
        # Any control character: an e-invoice (XML) cannot hold one (a company's city with
        # \x1f made every invoice's PDF, XML and sending fail).
        ("/customers", {"name": "Dupont\x01SARL"}, "name"),
        ("/customers", {"name": "Dupont", "notes": "a\x1fb"}, "notes"),
    ],
)
def test_a_control_character_in_an_api_body_is_refused_naming_its_field(
    api, hostile, path, payload, field
):
    customer, item, _invoice = hostile
    if payload == "line description":
        payload = {
            "customer": customer.code,
            "lines": [{"item": item.code, "quantity": "1", "description": NUL}],
        }
    before = (Customer.objects.count(), Invoice.objects.count())
    response = api.post(path, payload)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid_character"
    assert response.json()["field"] == field
    assert response.json()["errors"][0]["loc"] == field.split(".")  # the shape of every 422
    assert (Customer.objects.count(), Invoice.objects.count()) == before


def test_a_nul_character_is_refused_whatever_the_body_claims_to_be(api, hostile):
    before = Customer.objects.count()
    body = '{"name": "Dupont\\u0000SARL"}'
    response = api.client.post("/api/customers", body, content_type="text/plain")
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid_character"
    assert Customer.objects.count() == before


def test_a_nul_character_in_a_search_is_refused(api, client, hostile):
    response = api.get("/customers?search=Dup%00ont")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_character" and response.json()["field"] == "search"
    response = client.get("/customers/?q=Dup%00ont")
    assert response.status_code == 400
    assert "caractère" in response.content.decode()  # said in words, in the page's language
    response = client.post("/customers/new/", {"name": NUL, "kind": "company"})
    assert response.status_code == 400
    assert "caractère" in response.content.decode()


def test_a_line_whose_amount_overflows_is_refused_naming_its_field(api, hostile):
    customer, item, _invoice = hostile
    before = Invoice.objects.count()
    line = {"item": item.code, "quantity": "9999999999", "unit_price": "999999999999"}
    response = api.post("/invoices", {"customer": customer.code, "lines": [line]})
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "number_too_large"
    assert response.json()["field"] == "lines.0.quantity"
    assert Invoice.objects.count() == before


def test_a_draft_date_cannot_be_erased(api, hostile):
    _customer, _item, invoice = hostile
    response = api.patch(f"/invoices/{invoice.pk}", {"date": None})
    assert response.status_code == 422, response.content
    assert response.json()["field"] == "date"
    invoice.refresh_from_db()
    assert invoice.date is not None


@pytest.mark.parametrize("day", ["9999-12-31", "1900-01-01", "2100-01-01"])
def test_dates_out_of_range_are_refused(api, client, hostile, day):
    customer, _item, _invoice = hostile
    response = api.post("/payments", {"customer": customer.code, "amount": "10", "date": day})
    assert response.status_code == 422, response.content
    assert response.json()["field"] == "date"
    response = client.post(
        "/payments/new/",
        {"customer": customer.code, "amount": "10", "date": day, "method": "transfer"},
    )
    assert response.status_code == 400
    assert "2099" in response.content.decode()
    assert not Payment.objects.exists()


# Imports: processing twice, files built to exhaust the server ------------------------------------

IMPORT_HEADER = "reference_partenaire;date_document;nom_client;code_article;quantite;prix_unitaire"
IMPORT_ROW = "A1;15/03/2026;Dupont;CAFE;2;18,50"


@pytest.fixture
def partner(company, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return save_partner(name="Boutique")


def _upload(api, partner, content: bytes, name="ventes.csv"):
    return api.client.post(
        f"/api/import-partners/{partner.pk}/files",
        {"file": SimpleUploadedFile(name, content)},
        HTTP_ACCEPT_LANGUAGE="en",  # the reasons are checked in English
    )


def test_a_file_s_dates_out_of_range_are_anomalies_of_their_rows(api, partner):
    far = IMPORT_ROW.replace("15/03/2026", "31/12/9999")
    batch = _upload(api, partner, f"{IMPORT_HEADER}\n{far}\n".encode()).json()
    (row,) = api.get(f"/imports/{batch['id']}/rows").json()["items"]
    assert row["state"] == "invalid"
    assert row["errors"][0]["field"] == "date_document" and "2099" in row["errors"][0]["message"]


def test_processing_a_file_being_processed_is_refused_with_409(api, partner):
    batch = _upload(api, partner, f"{IMPORT_HEADER}\n{IMPORT_ROW}\n".encode()).json()
    ImportBatch.objects.filter(pk=batch["id"]).update(status=ImportBatch.Status.PROCESSING)
    held, done = threading.Event(), threading.Event()

    def another_run():  # a live run, on its own connection, holding the batch
        try:
            with processing._run_lock(batch["id"]) as had:
                assert had
                held.set()
                done.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=another_run)
    thread.start()
    assert held.wait(30)
    try:
        for url in (
            f"/imports/{batch['id']}/process",
            f"/imports/{batch['id']}/process?background=1",
        ):
            response = api.post(url)
            assert response.status_code == 409, response.content
            assert response.json()["code"] == "import.processing"
    finally:
        done.set()
        thread.join()
    assert not Invoice.objects.filter(customer_name="Dupont").exists()
    # Once that run is gone (ended or killed), the file left processing is taken over.
    response = api.post(f"/imports/{batch['id']}/process")
    assert response.status_code == 200 and response.json()["documents_created"] == 1


def test_a_processing_that_fails_gives_the_file_back_with_its_reason(
    api, partner, monkeypatch, english
):
    batch = _upload(api, partner, f"{IMPORT_HEADER}\n{IMPORT_ROW}\n".encode()).json()

    def crash(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(processing, "_write", crash)
    with pytest.raises(RuntimeError):
        process_batch(ImportBatch.objects.get(pk=batch["id"]))
    stored = ImportBatch.objects.get(pk=batch["id"])
    assert stored.status == ImportBatch.Status.PARSED and "again" in stored.error
    monkeypatch.undo()
    response = api.post(f"/imports/{batch['id']}/process")
    assert response.status_code == 200 and response.json()["documents_created"] == 1


def _xlsx(path, sheet_chunks) -> bytes:
    """A workbook whose one sheet's XML is written as ``sheet_chunks`` come (bytes), packed
    as it goes: a huge sheet takes little memory to build and little room on disk."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<workbook {ns} xmlns:r="{rel}"><sheets><sheet name="Ventes" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f"<worksheet {ns}><sheetData>".encode())
            for chunk in sheet_chunks:
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return path.read_bytes()


def _cells(row: int, texts) -> bytes:
    cells = "".join(f'<c t="inlineStr"><is><t>{text}</t></is></c>' for text in texts)
    return f'<row r="{row}">{cells}</row>'.encode()


def _read_measured(api, partner, content: bytes, name="ventes.xlsx"):
    """Upload and read the file (the tests' job backend runs the reading at once), with the
    memory Python allocated meanwhile and the time it took."""
    api.get("/import-partners")  # the first request of a process maps the API's routes
    tracemalloc.start()
    started = time.monotonic()
    response = _upload(api, partner, content, name)
    elapsed = time.monotonic() - started
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert response.status_code == 201, response.content
    return ImportBatch.objects.get(pk=response.json()["id"]), peak, elapsed


def _one_huge_cell(size: int):
    yield _cells(1, IMPORT_HEADER.split(";"))
    yield b'<row r="2"><c t="inlineStr"><is><t>'
    block = b"x" * (1 << 20)
    for _ in range(size // len(block)):
        yield block
    yield b"</t></is></c></row>"


def test_an_xlsx_holding_a_100_mb_cell_is_refused_with_flat_memory(api, partner, tmp_path):
    content = _xlsx(tmp_path / "cell.xlsx", _one_huge_cell(100 << 20))
    assert len(content) < 1_000_000  # small on disk
    batch, peak, elapsed = _read_measured(api, partner, content)
    assert batch.status == ImportBatch.Status.REFUSED
    assert "10,000 characters" in batch.error
    assert not batch.rows.exists()
    assert peak < 30_000_000, peak
    assert elapsed < 60


def test_an_xlsx_unpacking_beyond_the_limit_is_refused_before_it_is_opened(
    api, partner, settings, tmp_path
):
    settings.COMPTOIR_IMPORT_MAX_UNPACKED_BYTES = 5_000_000
    rows = (_cells(n, ["A1", "15/03/2026", "Dupont", "CAFE", "2", "18,50"]) for n in range(60_000))
    content = _xlsx(tmp_path / "big.xlsx", rows)
    batch, _peak, _elapsed = _read_measured(api, partner, content)
    assert batch.status == ImportBatch.Status.REFUSED
    assert "unpacked" in batch.error and "5.0 MB" in batch.error
    assert not batch.rows.exists()


def test_an_xlsx_of_2_000_000_rows_stops_at_the_row_limit(api, partner, settings, tmp_path):
    settings.COMPTOIR_IMPORT_MAX_ROWS = 10_000

    def rows():
        yield _cells(1, IMPORT_HEADER.split(";"))
        block = b"<row><c><v>1</v></c></row>" * 10_000  # rows may leave their number out
        for _ in range(200):
            yield block

    content = _xlsx(tmp_path / "rows.xlsx", rows())
    assert len(content) < 3_000_000
    batch, peak, elapsed = _read_measured(api, partner, content)
    assert batch.status == ImportBatch.Status.REFUSED
    assert "more than 10,000 rows" in batch.error
    assert not batch.rows.exists()
    assert peak < 30_000_000 and elapsed < 60


def test_a_csv_beyond_the_limits_is_refused_with_the_line(api, partner, settings):
    settings.COMPTOIR_IMPORT_MAX_CELL_CHARS = 50
    long_name = IMPORT_ROW.replace("Dupont", "D" * 51)
    content = f"{IMPORT_HEADER}\n{IMPORT_ROW}\n{long_name}\n".encode()
    batch = ImportBatch.objects.get(pk=_upload(api, partner, content).json()["id"])
    assert batch.status == ImportBatch.Status.REFUSED and "Line 3" in batch.error
    settings.COMPTOIR_IMPORT_MAX_CELL_CHARS = 10_000
    settings.COMPTOIR_IMPORT_MAX_ROWS = 5
    content = ("\n".join([IMPORT_HEADER] + [IMPORT_ROW] * 10) + "\n").encode()
    batch = ImportBatch.objects.get(pk=_upload(api, partner, content).json()["id"])
    assert batch.status == ImportBatch.Status.REFUSED and "more than 5 rows" in batch.error
    assert not batch.rows.exists()
    padding = "\n".join([IMPORT_ROW] * 3000)  # past the part read to detect the format
    content = f"{IMPORT_HEADER}\n{padding}\nA2;15/03/2026;Du\x00pont;CAFE;2;18,50\n".encode()
    settings.COMPTOIR_IMPORT_MAX_ROWS = 10_000
    batch = ImportBatch.objects.get(pk=_upload(api, partner, content).json()["id"])
    assert batch.status == ImportBatch.Status.REFUSED and "Line 3002" in batch.error
    assert "NUL" in batch.error and not batch.rows.exists()


def test_the_upload_request_stores_the_file_and_the_worker_reads_it(api, partner, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    response = _upload(api, partner, f"{IMPORT_HEADER}\n{IMPORT_ROW}\n".encode())
    assert response.status_code == 201 and response.json()["status"] == "uploaded"
    batch = ImportBatch.objects.get(pk=response.json()["id"])
    assert not batch.rows.exists()  # nothing read in the request
    read_import.call(batch.pk)  # what the worker runs
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PARSED and batch.row_count == 1


def test_a_text_sent_as_null_is_an_empty_text(api):
    """`PATCH {"phone": null}` cleared nothing and answered 500 (NOT NULL); found by the API
    fuzzing."""
    customer = api.post("/customers", {"name": "Imprimerie Leroy", "phone": "01 23 45 67 89"})
    response = api.patch(f"/customers/{customer.json()['id']}", {"phone": None})
    assert response.status_code == 200, response.content
    assert response.json()["phone"] == ""


def test_invisible_characters_are_left_out_of_texts(api, client, user):
    """A right-to-left override (U+202E) turned a customer's name round in lists and PDFs;
    a zero-width space and U+FFFE were kept unseen. Typed in a form or sent to the API,
    they are left out; accents, the euro sign and a non-breaking space stay."""
    sent = "Caf\u00e9 \u202eeromtnoM\u202c\u200b Lyon\ufffe \u20ac\u00a0SAS"
    created = api.post("/customers", {"name": sent})
    assert created.status_code == 201, created.content
    assert created.json()["name"] == "Caf\u00e9 eromtnoM Lyon \u20ac\u00a0SAS"

    client.force_login(user)
    client.post("/customers/new/", {"name": "Dupont\u200b\u2066 & fils", "kind": "company"})
    from comptoir.parties.models import Customer

    assert Customer.objects.filter(name="Dupont & fils").exists()
