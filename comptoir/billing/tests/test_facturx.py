"""Factur-X: the CII XML of business-to-business invoices, checked by the real validators.

Each case of the matrix is issued through the services, its XML written to a folder, and the
folder checked once by ../shared/validation/check-facturx --fr: the Factur-X XSD, the official
EN 16931 rules and the French e-invoicing rules. Zero failed assertion is the only pass.
"""

import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from comptoir.billing.facturx import build_xml
from comptoir.billing.services import create_invoice
from comptoir.pricing.engine import LineSpec
from examples.facturx import catalogue, matrix, seller

pytestmark = pytest.mark.django_db

CHECKER = Path(__file__).resolve().parents[3].parent / "shared" / "validation" / "check-facturx"
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}


@pytest.fixture
def items(company):
    seller()
    return catalogue()


@pytest.fixture
def validated(items, tmp_path):
    if not CHECKER.exists():
        pytest.fail(f"{CHECKER} is missing: ../shared must sit beside the project")
    cases = matrix(items)
    for name, invoice in cases.items():
        (tmp_path / f"{name}.xml").write_bytes(build_xml(invoice))
    result = subprocess.run(
        [str(CHECKER), "--fr", str(tmp_path)], capture_output=True, text=True, timeout=600
    )
    return cases, result


def test_every_case_of_the_matrix_is_a_valid_french_e_invoice(validated):
    cases, result = validated
    assert len(cases) >= 9
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert f"{len(cases)}/{len(cases)} valid" in result.stdout


def test_the_basic_profile_is_valid_too(items, tmp_path):
    """A company may issue in the BASIC profile: the same matrix, every file valid."""
    from facturx import get_xml_from_pdf

    from comptoir.billing.pdf import render_facturx
    from comptoir.core.services import update_company

    update_company(facturx_profile="basic")
    cases = matrix(items)
    for name, invoice in cases.items():
        xml = build_xml(invoice)
        assert b"factur-x.eu:1p0:basic" in xml and b"SellerAssignedID" not in xml
        (tmp_path / f"{name}.xml").write_bytes(xml)
    _name, embedded = get_xml_from_pdf(render_facturx(cases["several-rates"]), check_xsd=True)
    assert b"factur-x.eu:1p0:basic" in embedded
    result = subprocess.run(
        [str(CHECKER), "--fr", str(tmp_path)], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-6000:]
    assert f"{len(cases)}/{len(cases)} valid" in result.stdout


def test_the_xml_states_what_the_invoice_stores(validated):
    cases, _result = validated
    rounding = cases["rounding-edge"]
    assert rounding.total_lines == Decimal("0.13")  # 3 × 0.0333 = 0.0999 → 0.10, + 0.03
    tree = etree.fromstring(build_xml(rounding))
    total = tree.findtext(
        ".//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount", namespaces=NS
    )
    assert Decimal(total) == rounding.total_gross
    credit = etree.fromstring(build_xml(cases["credit-note"]))
    assert credit.findtext(".//rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "381"
    assert (
        credit.findtext(".//ram:InvoiceReferencedDocument/ram:IssuerAssignedID", namespaces=NS)
        == cases["several-rates"].number
    )
    process = etree.fromstring(build_xml(cases["services-only"])).findtext(
        ".//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID", namespaces=NS
    )
    assert process == "S1"


def test_a_broken_invoice_is_caught_by_the_validator(items, tmp_path):
    """The check can fail: the same XML with a wrong total is refused."""
    invoice = matrix(items)["several-rates"]
    tree = etree.fromstring(build_xml(invoice))
    grand = tree.find(
        ".//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount", NS
    )
    grand.text = str(Decimal(grand.text) + 1)
    (tmp_path / "broken.xml").write_bytes(etree.tostring(tree))
    result = subprocess.run([str(CHECKER), "--fr", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "BR-CO-15" in result.stdout


def pdf_text(content: bytes) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
    return text.replace("\xa0", " ").replace("\u202f", " ")


def pdf_metadata(content: bytes) -> bytes:
    """The PDF's XMP metadata, where PDF/A declares its part (3 for PDF/A-3)."""
    from io import BytesIO

    from pypdf import PdfReader

    return PdfReader(BytesIO(content)).trailer["/Root"]["/Metadata"].get_object().get_data()


@pytest.mark.parametrize("layout", ["standard", "compact", "large"])
def test_the_factur_x_pdf_carries_its_xml_and_the_mandatory_mentions(items, tmp_path, layout):
    """Whatever the print layout, the PDF/A-3 carries its XML and every mandatory mention."""
    from facturx import get_xml_from_pdf

    from comptoir.billing.pdf import render_facturx
    from comptoir.core.services import update_company

    update_company(print_layout=layout)
    cases = matrix(items)
    invoice, exempt = cases["line-and-document-discounts"], cases["exempt"]
    content = render_facturx(invoice)
    assert content.startswith(b"%PDF")
    metadata = pdf_metadata(content)
    assert b"pdfaid:part" in metadata and b"3" in metadata.split(b"pdfaid:part")[1][:4]
    name, xml = get_xml_from_pdf(content, check_xsd=True)
    assert name == "factur-x.xml" and xml == build_xml(invoice)
    (tmp_path / "invoice.pdf").write_bytes(content)
    result = subprocess.run([str(CHECKER), "--fr", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]

    text = pdf_text(content)
    for mention in (
        invoice.number,
        "Atelier Test SARL",
        "SIREN 552100554",
        "FR96552100554",  # the seller's VAT number
        "FR44732829320",  # the buyer's
        "Date de livraison ou de prestation",
        "Échéance",
        "Pénalités de retard",
        "40 €",
        "Pas d'escompte",
        "Frais de port",
        "Remise commerciale",
        "TVA 20 %",
        "IBAN",
    ):
        assert mention in text, mention
    assert "TVA non applicable, art. 293 B du CGI" in pdf_text(render_facturx(exempt))
    credit = pdf_text(render_facturx(cases["credit-note"]))
    assert "Avoir" in credit and cases["several-rates"].number in credit


def test_invoices_download_as_pdf_and_xml(items, client, user, api):
    invoice = matrix(items)["several-rates"]
    client.force_login(user)
    response = client.get(f"/invoices/{invoice.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert client.get(f"/invoices/{invoice.pk}/factur-x.xml").content == build_xml(invoice)
    assert api.get(f"/invoices/{invoice.pk}/xml").content == build_xml(invoice)
    assert api.get(f"/invoices/{invoice.pk}/pdf").content.startswith(b"%PDF")
    draft = create_invoice(invoice.customer, [LineSpec(item=items["chair"], quantity=1)])
    assert client.get(f"/invoices/{draft.pk}/factur-x.xml").status_code == 404
    assert client.get(f"/invoices/{draft.pk}/pdf/").content.startswith(b"%PDF")
