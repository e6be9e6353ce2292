"""Reading partners' files: every kind of bad input gets a clear reason and loses nothing."""

import io
import time
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook

from comptoir.billing.models import Invoice
from comptoir.catalog.models import Item
from comptoir.core.errors import BusinessError
from comptoir.imports.columns import NAMES
from comptoir.imports.models import ImportBatch, ImportRow
from comptoir.imports.services import edit_row, upload_file
from comptoir.imports.template import template_csv, template_xlsx
from comptoir.parties.models import Customer

from .conftest import HEADER, csv_file, upload

GOOD = "A1;15/03/2026;C1;Dupont;a@dupont.fr;1 rue A;69001;Lyon;CAFE;Café;2;18,50;5,5;;;"

pytestmark = pytest.mark.django_db


def rows_of(batch):
    return list(ImportRow.objects.filter(batch=batch).order_by("line"))


def errors_of(row) -> dict:
    return {e["field"]: e["message"] for e in row.errors}


def test_a_good_file_is_kept_verbatim_and_read_into_rows(partner):
    content = csv_file(GOOD, GOOD.replace("CAFE;Café;2", "THE;Thé;1"))
    batch = upload(partner, content)
    assert batch.status == ImportBatch.Status.PARSED
    assert batch.row_count == 2
    assert batch.size == len(content)
    with batch.file.open("rb") as stored:
        assert stored.read() == content
    first, second = rows_of(batch)
    assert first.line == 2 and second.line == 3
    assert first.raw[8:12] == ["CAFE", "Café", "2", "18,50"]
    assert first.values["prix_unitaire"] == "18.50"
    assert first.values["date_document"] == "2026-03-15"
    assert first.state == ImportRow.State.READY
    assert batch.file_total == Decimal("55.50")  # 2 × 18.50 + 1 × 18.50


def test_reading_creates_no_business_record(partner):
    before = (Customer.objects.count(), Item.objects.count(), Invoice.objects.count())
    upload(partner, csv_file(GOOD))
    assert (Customer.objects.count(), Item.objects.count(), Invoice.objects.count()) == before


def test_the_same_file_twice_is_flagged(partner):
    first = upload(partner, csv_file(GOOD))
    second = upload(partner, csv_file(GOOD))
    assert second.duplicate_of == first


def test_an_empty_file_is_refused(partner):
    with pytest.raises(BusinessError, match="empty"):
        upload_file(partner, "vide.csv", io.BytesIO(b""))
    batch = upload(partner, b"\n\n  \n")
    assert batch.status == ImportBatch.Status.REFUSED
    assert "empty" in batch.error


@pytest.mark.parametrize(
    "name, content",
    [
        ("ventes.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)),  # an image
        ("ventes.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"),  # a PDF, named as a sheet
    ],
)
def test_a_file_is_read_by_its_content_not_its_name(partner, name, content):
    batch = upload(partner, content, name)
    assert batch.status == ImportBatch.Status.REFUSED
    assert "not a CSV or XLSX" in batch.error or "XLSX file cannot be read" in batch.error
    assert not ImportRow.objects.filter(batch=batch).exists()


def test_a_header_without_rows_is_refused(partner):
    batch = upload(partner, csv_file())
    assert batch.status == ImportBatch.Status.REFUSED
    assert "only its header" in batch.error
    assert not ImportRow.objects.filter(batch=batch).exists()


def test_unknown_columns_are_listed_and_ignored(partner):
    batch = upload(partner, csv_file(GOOD + ";rouge", header=HEADER + ";couleur"))
    assert batch.status == ImportBatch.Status.PARSED
    assert batch.layout["unknown"] == ["couleur"]
    assert rows_of(batch)[0].state == ImportRow.State.READY


def test_a_missing_required_column_refuses_the_file_and_names_it(partner):
    header = HEADER.replace("quantite;", "")
    batch = upload(partner, csv_file(GOOD.replace(";2;18,50", ";18,50"), header=header))
    assert batch.status == ImportBatch.Status.REFUSED
    assert "quantite" in batch.error


def test_ragged_rows_get_an_anomaly_and_the_others_are_read(partner):
    batch = upload(partner, csv_file(GOOD, GOOD + ";extra", "A2;15/03/2026;C1"))
    good, long, short = rows_of(batch)
    assert good.state == ImportRow.State.READY
    assert long.state == short.state == ImportRow.State.INVALID
    assert "17 cells, the header has 16" in long.anomaly
    assert "3 cells, the header has 16" in short.anomaly


def test_headers_match_whatever_their_case_accents_or_language(partner):
    header = (
        "Référence Partenaire*;DATE_DOCUMENT;customer_code;Nom client;e-mail;billing address;"
        "billing postal code;billing_city;Item Code;description;Quantité;unit_price;VAT rate;"
        "frais port;montant payé;mode paiement"
    )
    batch = upload(partner, csv_file(GOOD, header=header))
    assert batch.status == ImportBatch.Status.PARSED, batch.error
    assert rows_of(batch)[0].values["quantite"] == "2"


def test_windows_1252_files_are_read(partner):
    batch = upload(partner, csv_file(GOOD, encoding="cp1252"))
    assert batch.layout["encoding"] == "cp1252"
    assert rows_of(batch)[0].values["designation"] == "Café"


def test_utf8_with_bom_and_comma_or_tab_separators_are_read(partner):
    for separator in (",", "\t"):
        content = "\ufeff" + HEADER.replace(";", separator) + "\n"
        content += GOOD.replace("18,50", "18.50").replace("5,5", "5.5").replace(";", separator)
        batch = upload(partner, content.encode())
        assert batch.layout["delimiter"] == separator
        assert rows_of(batch)[0].values["prix_unitaire"] == "18.50"


def test_a_file_that_says_utf8_but_is_not_is_refused_clearly(partner):
    content = b"\xef\xbb\xbf" + csv_file(GOOD) + b"A2;15/03/2026;C1;Caf\xe9\n"
    batch = upload(partner, content)
    assert batch.status == ImportBatch.Status.REFUSED
    assert "not valid utf-8" in batch.error.lower()
    with batch.file.open("rb") as stored:
        assert stored.read() == content  # kept as received


def test_mixed_decimal_formats_all_read_the_same(partner):
    prices = ("1 234,50", "1.234,50", "1,234.50", "1234.5")
    rows = [GOOD.replace("18,50", price) for price in prices]
    batch = upload(partner, csv_file(*rows))
    assert {r.values["prix_unitaire"] for r in rows_of(batch)} == {"1234.50", "1234.5"}
    assert {Decimal(r.values["prix_unitaire"]) for r in rows_of(batch)} == {Decimal("1234.5")}


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("deux", "is not a number"),
        ("1e20", "is larger than"),
        ("100000000000000000000", "is larger than"),
        ("-3", "is negative"),
        ("0", "greater than zero"),
    ],
)
def test_bad_quantities_are_row_anomalies(partner, quantity, message):
    batch = upload(partner, csv_file(GOOD.replace(";2;18,50", f";{quantity};18,50")))
    (row,) = rows_of(batch)
    assert row.state == ImportRow.State.INVALID
    assert message in errors_of(row)["quantite"]


def test_an_impossible_date_is_a_row_anomaly(partner):
    (row,) = rows_of(upload(partner, csv_file(GOOD.replace("15/03/2026", "31/02/2026"))))
    assert "is not a date" in errors_of(row)["date_document"]


def test_bad_identifiers_are_row_anomalies(partner):
    line = GOOD.replace("a@dupont.fr", "pas-un-email")
    (row,) = rows_of(upload(partner, csv_file(line)))
    assert set(errors_of(row)) == {"email"}


def test_formula_cells_are_kept_as_text(partner):
    formula = '=HYPERLINK("http://evil.example/","clic")'
    line = GOOD.replace(";Café;", f';"{formula.replace(chr(34), chr(34) * 2)}";')
    (row,) = rows_of(upload(partner, csv_file(line)))
    assert row.values["designation"] == formula
    assert row.state == ImportRow.State.READY


def test_without_a_header_columns_follow_the_template_order(partner):
    cells = dict.fromkeys(NAMES, "")
    cells |= {
        "reference_partenaire": "A1",
        "date_document": "2026-03-15",
        "nom_client": "Dupont",
        "code_article": "CAFE",
        "quantite": "2",
        "prix_unitaire": "18.5",
    }
    content = (";".join(cells.values()) + "\n").encode()
    batch = upload(partner, content, has_header=False)
    (row,) = rows_of(batch)
    assert row.line == 1
    assert row.values["code_article"] == "CAFE"
    assert row.state == ImportRow.State.READY


def test_xlsx_files_are_read_with_their_numbers_and_dates(partner):
    import datetime as dt

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(";"))
    sheet.append(["A1", dt.datetime(2026, 3, 15), "C1", "Dupont", "", "", "", "", "CAFE", "Café"])
    sheet["K2"], sheet["L2"], sheet["M2"] = 2, 18.5, 5.5
    out = io.BytesIO()
    book.save(out)
    (row,) = rows_of(upload(partner, out.getvalue(), "ventes.xlsx"))
    assert row.values["date_document"] == "2026-03-15"
    assert row.values["prix_unitaire"] == "18.5"
    assert row.state == ImportRow.State.READY, row.errors


def _xlsx_with_empty_rows(count: int) -> bytes:
    """A workbook whose sheet has one data row, then `count` formatted but empty rows."""
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(";"))
    sheet.append(GOOD.split(";"))
    out = io.BytesIO()
    book.save(out)
    source = zipfile.ZipFile(out)
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                empty = "".join(
                    f'<row r="{n}"><c r="A{n}" s="0"/></row>' for n in range(3, count + 3)
                )
                data = data.replace(b"</sheetData>", empty.encode() + b"</sheetData>")
            target.writestr(info, data)
    return target_buffer.getvalue()


def test_an_xlsx_with_a_million_empty_rows_is_read_quickly(partner):
    started = time.perf_counter()
    batch = upload(partner, _xlsx_with_empty_rows(1_000_000), "export.xlsx")
    assert batch.status == ImportBatch.Status.PARSED
    assert batch.row_count == 1
    assert time.perf_counter() - started < 30


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(partner, settings, tmp_path):
    settings.COMPTOIR_IMPORT_MAX_BYTES = 100 * 1_000_000
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as handle:
        handle.truncate(200 * 1_000_000)  # sparse: 200 MB that take no disk
    with (
        huge.open("rb") as stream,
        pytest.raises(BusinessError, match="is 200 MB; files up to 100 MB"),
    ):
        stream.size = huge.stat().st_size
        upload_file(partner, "huge.csv", stream)
    # A stream that does not tell its size is counted as it is read.
    settings.COMPTOIR_IMPORT_MAX_BYTES = 1000
    with pytest.raises(BusinessError, match="files up to"):
        upload_file(partner, "big.csv", io.BytesIO(b"x" * 5000))
    assert not ImportBatch.objects.exists()


def test_editing_a_row_runs_its_checks_again(partner):
    batch = upload(partner, csv_file(GOOD.replace(";2;18,50", ";deux;18,50")))
    (row,) = rows_of(batch)
    assert row.data is None and row.texts["quantite"] == "deux"  # read from the cells
    row = edit_row(row, {"quantite": "2"})
    assert row.state == ImportRow.State.READY and row.errors == []
    assert row.raw[10] == "deux"  # what the file said stays
    row.refresh_from_db()
    assert row.data["quantite"] == "2" and row.data["code_article"] == row.raw[8]
    row = edit_row(row, {"date_document": "32/01/2026"})
    assert row.state == ImportRow.State.INVALID


def test_a_row_is_not_corrected_while_its_file_is_being_processed(partner):
    """Processing plans rows ahead of writing them: a correction made meanwhile could be
    planned away. It waits until the processing is done."""
    batch = upload(partner, csv_file(GOOD.replace(";2;18,50", ";deux;18,50")))
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.PROCESSING)
    (row,) = rows_of(batch)
    with pytest.raises(BusinessError, match="being processed"):
        edit_row(row, {"quantite": "2"})
    row.refresh_from_db()
    assert row.data is None and row.state == ImportRow.State.INVALID


def test_the_templates_list_every_column():
    csv_text = template_csv().decode("utf-8-sig")
    assert csv_text.splitlines()[0].split(";") == NAMES
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(template_xlsx()))
    assert [c.value for c in book.worksheets[0][1]] == NAMES
    assert book.worksheets[1].max_row == len(NAMES) + 1


def test_the_documentation_describes_every_column():
    from pathlib import Path

    from comptoir.imports.columns import COLUMNS

    text = (Path(__file__).resolve().parents[3] / "docs" / "import.md").read_text()
    for column in COLUMNS:
        assert f"`{column.name}`" in text and f"`{column.english}`" in text, column.name
