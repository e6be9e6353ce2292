"""Reading supplier invoices: the official examples in CII and UBL, Comptoir's own invoices
read back exactly, a Factur-X PDF, and every kind of file that must be refused in words."""

from decimal import Decimal
from pathlib import Path

import pytest

from comptoir.billing.facturx import build_xml
from comptoir.billing.pdf import render_facturx
from comptoir.billing.ubl import build_ubl
from comptoir.supplierinvoices.reading import ReadingError, read_invoice
from examples.facturx import catalogue, matrix, seller

REFERENCE = Path(__file__).resolve().parents[2] / "einvoicing" / "reference"
EXAMPLES = REFERENCE / "afnor-xp-z12-014-examples-1.2"
COMMENTED = REFERENCE / "afnor-xp-z12-012-examples"
CDAR = REFERENCE / "afnor-cdar-examples-1.4.0.03" / "UC1_F202500003_05-CDV-205_Approuvee.xml"

# What each use case's invoice states (the same in CII and UBL).
USE_CASES = {
    "UC1_F202500003": ("F202500003", Decimal("20.00"), "2000.00", "12000.00"),
    "UC2_F202500004": ("F202500004", Decimal("20.00"), "2000.00", "12000.00"),
    "UC3_F202500005": ("F202500005", Decimal("10.00"), "1000.00", "11000.00"),
}


def example(case: str, syntax: str) -> bytes:
    return (EXAMPLES / f"{case}_00-INV_20250701_{syntax}.xml").read_bytes()


@pytest.mark.parametrize("syntax", ["CII", "UBL"])
@pytest.mark.parametrize("case", USE_CASES)
def test_the_use_cases_are_read_with_the_totals_they_state(case, syntax):
    number, rate, vat, gross = USE_CASES[case]
    invoice = read_invoice(example(case, syntax))
    assert invoice.syntax == syntax.lower()
    assert (invoice.number, invoice.type_code, str(invoice.date)) == (number, "380", "2025-07-01")
    assert str(invoice.due_date) == "2025-07-31"
    assert invoice.currency == "EUR"
    assert invoice.order_reference == "PO202525478"  # BT-13
    assert invoice.buyer_reference == "BU_2516"
    seller_ = invoice.seller
    assert (seller_.name, seller_.siren, seller_.vat_id) == (
        "LE VENDEUR",
        "100000009",
        "FR88100000009",
    )
    assert seller_.address == {
        "line1": "35 rue d'ici",
        "line2": "ligne 2 vendeur",
        "postal_code": "75018",
        "city": "PARIS",
        "country": "FR",
    }
    assert (seller_.electronic_address, seller_.electronic_scheme) == ("100000009_STATUTS", "0225")
    assert (invoice.buyer.name, invoice.buyer.siren, invoice.buyer.vat_id) == (
        "LE CLIENT",
        "200000008",
        "FR37200000008",
    )
    first, second = invoice.lines
    assert (first.position, first.name, first.quantity, first.unit_code) == (
        "1",
        "SERVICE_FOURNI1",
        Decimal("200"),
        "HUR",
    )
    assert (first.unit_price, first.net_amount, first.vat_category, first.vat_rate) == (
        Decimal("40"),
        Decimal("8000.00"),
        "S",
        rate,
    )
    assert (second.name, second.quantity, second.unit_price, second.net_amount) == (
        "SERVICE_FOURNI2",
        Decimal("5"),
        Decimal("400"),
        Decimal("2000.00"),
    )
    [group] = invoice.vat_breakdown
    assert (group.category, group.rate, group.taxable_amount, group.tax_amount) == (
        "S",
        rate,
        Decimal("10000.00"),
        Decimal(vat),
    )
    assert (invoice.total_lines, invoice.total_net) == (Decimal("10000.00"), Decimal("10000.00"))
    assert (invoice.total_vat, invoice.total_gross, invoice.amount_due) == (
        Decimal(vat),
        Decimal(gross),
        Decimal(gross),
    )


@pytest.mark.parametrize(
    "name", ["F202500001_INV_20250201_CII_Commentee_EN16931.xml", "F202500001_INV_20250201_UBL.xml"]
)
def test_the_commented_invoice_is_read_with_its_allowances_charges_and_rates(name):
    invoice = read_invoice((COMMENTED / name).read_bytes())
    assert (invoice.number, str(invoice.date)) == ("F202500001", "2025-02-01")
    assert invoice.order_reference == "PO201925478"
    assert len(invoice.lines) == 4
    component = invoice.lines[1]
    assert (component.seller_item_code, component.buyer_item_code) == ("ART_1254", "REF5487")
    assert (component.quantity, component.unit_price, component.net_amount) == (
        Decimal("30"),
        Decimal("0.7"),
        Decimal("21.00"),
    )
    assert component.order_line == "4"  # BT-132
    assert {(g.category, g.rate) for g in invoice.vat_breakdown} >= {
        ("S", Decimal("20.00")),
        ("E", Decimal("0.00")),
    }
    assert (invoice.total_lines, invoice.total_allowances, invoice.total_charges) == (
        Decimal("105.00"),
        Decimal("9.00"),
        Decimal("14.00"),
    )
    assert (invoice.total_net, invoice.total_vat, invoice.total_gross, invoice.amount_due) == (
        Decimal("110.00"),
        Decimal("8.70"),
        Decimal("118.70"),
        Decimal("118.70"),
    )


@pytest.fixture
def cases(company):
    seller()
    return matrix(catalogue())


def _states_the_invoice(read, invoice, syntax: str) -> None:
    assert read.syntax == syntax
    assert (read.number, read.date, read.currency) == (invoice.number, invoice.date, "EUR")
    assert read.is_credit_note == (invoice.kind == "credit_note")
    assert (read.seller.siren, read.seller.vat_id) == ("552100554", "FR96552100554")
    assert read.buyer.name == invoice.customer_name
    assert (read.total_lines, read.total_net, read.total_vat, read.total_gross) == (
        invoice.total_lines,
        invoice.total_net,
        invoice.total_vat,
        invoice.total_gross,
    )
    assert (read.total_allowances, read.total_charges) == (
        invoice.total_allowances,
        invoice.total_charges,
    )
    assert [
        (line.name, line.seller_item_code, line.quantity, line.unit_price, line.net_amount)
        for line in read.lines
    ] == [
        (line.description, line.item_code, line.quantity, line.unit_price, line.net_amount)
        for line in invoice.lines.all()
    ]
    assert [(g.category, g.taxable_amount, g.tax_amount) for g in read.vat_breakdown] == [
        (g["category"], Decimal(g["taxable_amount"]), Decimal(g["tax_amount"]))
        for g in invoice.vat_breakdown
    ]


@pytest.mark.django_db
def test_comptoirs_own_invoices_read_back_exactly_in_cii_and_ubl(cases):
    assert len(cases) >= 9
    for invoice in cases.values():
        _states_the_invoice(read_invoice(build_xml(invoice)), invoice, "cii")
        _states_the_invoice(read_invoice(build_ubl(invoice)), invoice, "ubl")


@pytest.mark.django_db
def test_a_facturx_pdf_is_read_from_the_xml_it_carries(cases):
    invoice = cases["several-rates"]
    _states_the_invoice(read_invoice(render_facturx(invoice)), invoice, "facturx")


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">
&x;</rsm:CrossIndustryInvoice>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><Invoice>&lol3;</Invoice>"""
UTF16_DTD = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>'

REFUSED = {
    "xxe": (XXE, "supplier_invoice.hostile", "DTD"),
    "billion-laughs": (LAUGHS, "supplier_invoice.hostile", "DTD"),
    "dtd-in-utf16": (UTF16_DTD.encode("utf-16"), "supplier_invoice.hostile", "DTD"),
    "50-mb": (b"<a>" + b" " * 50_000_000 + b"</a>", "supplier_invoice.too_large", "20 MB"),
    "malformed": (b"<rsm:CrossIndustryInvoice", "supplier_invoice.malformed", "damaged (line 1)"),
    "a-lifecycle-message": (CDAR.read_bytes(), "supplier_invoice.not_an_invoice", "not an invoice"),
    "a-spreadsheet": (b"PK\x03\x04 not xml", "supplier_invoice.not_an_invoice", "not an invoice"),
    "a-pdf-without-invoice": (
        b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",
        "supplier_invoice.pdf_without_xml",
        "no Factur-X",
    ),
    "an-empty-file": (b"", "supplier_invoice.not_an_invoice", "not an invoice"),
}


@pytest.mark.parametrize("name", REFUSED)
def test_hostile_or_foreign_files_are_refused_with_a_clear_message(name, english):
    content, code, words = REFUSED[name]
    with pytest.raises(ReadingError) as refused:
        read_invoice(content)
    assert refused.value.code == code
    assert words in refused.value.message


def test_an_invoice_lacking_its_number_or_with_a_bad_amount_says_which(english):
    content = example("UC1_F202500003", "UBL")
    with pytest.raises(ReadingError) as refused:
        read_invoice(content.replace(b"<cbc:ID>F202500003</cbc:ID>", b""))
    assert refused.value.code == "supplier_invoice.incomplete"
    assert "number" in refused.value.message
    with pytest.raises(ReadingError) as refused:
        read_invoice(content.replace(b">12000.00<", b">douze mille<"))
    assert refused.value.code == "supplier_invoice.bad_number"
    assert "douze mille" in refused.value.message
