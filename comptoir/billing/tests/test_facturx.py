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
from comptoir.billing.services import create_invoice, credit_invoice, issue_invoice
from comptoir.core.services import update_company
from comptoir.parties.services import create_customer
from comptoir.pricing.engine import LineSpec
from comptoir.pricing.models import Tax
from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db

CHECKER = Path(__file__).resolve().parents[3].parent / "shared" / "validation" / "check-facturx"
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}
PARIS = [{"line1": "8 rue de Rivoli", "postal_code": "75004", "city": "Paris"}]
MILANO = [{"line1": "Via Roma 1", "postal_code": "20121", "city": "Milano", "country": "IT"}]
GENEVE = [{"line1": "Rue du Rhône 3", "postal_code": "1204", "city": "Genève", "country": "CH"}]


def tax(code: str) -> Tax:
    return Tax.objects.get(code=code)


@pytest.fixture
def seller(company):
    return update_company(
        iban="FR7630006000011234567890189", email="factures@atelier-test.fr", share_capital=10000
    )


@pytest.fixture
def items(seller):
    return {
        "chair": ItemFactory(code="CHAISE", name="Chaise hêtre", sale_price=Decimal("45.00")),
        "book": ItemFactory(
            code="LIVRE", name="Livre de cuisine", sale_price=Decimal("21.10"), tax=tax("TVA55")
        ),
        "meal": ItemFactory(
            code="REPAS", name="Repas d'équipe", sale_price=Decimal("18.00"), tax=tax("TVA10")
        ),
        "service": ItemFactory(
            code="INSTALL", name="Installation", sale_price=Decimal("90.00"), kind="service"
        ),
        "odd": ItemFactory(code="VIS", name="Vis inox", sale_price=Decimal("0.0333")),
    }


def customer(name: str, **fields):
    fields.setdefault("addresses", PARIS)
    return create_customer(name=name, email=f"compta@{name.lower().replace(' ', '')}.fr", **fields)


def lines(items, *specs):
    return [LineSpec(item=items[key], quantity=Decimal(qty), **extra) for key, qty, extra in specs]


def matrix(items) -> dict:
    """Case name → issued invoice or credit note."""
    french = customer("Client Francais", siren="732829320", vat_id="FR44732829320")
    cases = {}

    def issued(name, buyer, specs, **header):
        cases[name] = issue_invoice(create_invoice(buyer, lines(items, *specs), **header))
        return cases[name]

    several = issued(
        "several-rates",
        french,
        [("chair", "4", {}), ("book", "3", {}), ("meal", "2", {}), ("service", "1", {})],
    )
    issued(
        "line-and-document-discounts",
        french,
        [("chair", "10", {"discount_pct": Decimal("12.5")}), ("book", "1", {})],
        allowances_charges=[
            {
                "amount": "20.00",
                "is_charge": False,
                "reason": "Remise commerciale",
                "vat_category": "S",
                "vat_rate": "20.00",
            },
            {
                "amount": "9.90",
                "is_charge": True,
                "reason": "Frais de port",
                "vat_category": "S",
                "vat_rate": "20.00",
            },
        ],
    )
    cases["credit-note"] = issue_invoice(credit_invoice(several, reason="Retour"))
    issued(
        "reverse-charge",
        customer(
            "Sous Traitant", siren="552100554", vat_id="FR96552100554", default_tax=tax("AUTOLIQ")
        ),
        [("service", "3", {})],
    )
    issued(
        "intra-eu-supply",
        customer(
            "Cliente Italia", vat_id="IT00743110157", addresses=MILANO, default_tax=tax("INTRACOM")
        ),
        [("chair", "12", {})],
    )
    issued(
        "export",
        customer("Client Suisse", addresses=GENEVE, default_tax=tax("EXPORT")),
        [("chair", "5", {}), ("service", "1", {})],
    )
    issued(
        "exempt",
        customer("Association Locale", siren="443061841", default_tax=tax("EXO")),
        [("service", "2", {})],
    )
    issued("rounding-edge", french, [("odd", "3", {}), ("odd", "1", {})])
    issued("services-only", french, [("service", "2", {})])
    return cases


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


def test_the_factur_x_pdf_carries_its_xml_and_the_mandatory_mentions(items, tmp_path):
    from facturx import get_xml_from_pdf

    from comptoir.billing.pdf import render_facturx

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
    draft = create_invoice(invoice.customer, lines(items, ("chair", "1", {})))
    assert client.get(f"/invoices/{draft.pk}/factur-x.xml").status_code == 404
    assert client.get(f"/invoices/{draft.pk}/pdf/").content.startswith(b"%PDF")
