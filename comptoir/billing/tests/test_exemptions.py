"""Every French exemption Comptoir ships, on an issued invoice: the PDF prints its text, the XML
states it in the VAT breakdown (BT-120) with its VATEX code (BT-121), and the invoice passes
the project's own validator and, where ../shared sits beside the project, the independent
`check-facturx --fr`. The VAT franchise is for a seller without a VAT number only."""

import os
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from comptoir.billing.facturx import build_xml
from comptoir.billing.models import Invoice
from comptoir.billing.pdf import render_facturx
from comptoir.billing.services import create_invoice, issue_invoice
from comptoir.billing.tests.test_facturx import NS, pdf_text
from comptoir.billing.tests.validation import assert_valid, validate_cii
from comptoir.core.errors import BusinessError
from comptoir.core.services import update_company
from comptoir.parties.services import create_customer
from comptoir.pricing.engine import LineSpec
from comptoir.pricing.models import Tax
from comptoir.pricing.services import save_tax
from examples.facturx import GENEVE, MILANO, PARIS, catalogue, seller

pytestmark = pytest.mark.django_db

SHARED = Path(os.environ.get("COMPTOIR_SHARED_DIR", Path(__file__).resolve().parents[3].parent))
CHECKER = SHARED / "shared" / "validation" / "check-facturx"
if not CHECKER.exists():  # COMPTOIR_SHARED_DIR may name the shared folder itself
    CHECKER = SHARED / "validation" / "check-facturx"

# Tax code → the buyer it is invoiced to, the VATEX code and the text the invoice states.
EXEMPTIONS = {
    "EXO": ("french", "VATEX-FR-FRANCHISE", "TVA non applicable, art. 293 B du CGI"),
    "INTRACOM": ("italian", "VATEX-EU-IC", "Exonération de TVA, article 262 ter I du CGI"),
    "EXPORT": ("swiss", "VATEX-EU-G", "Exonération de TVA, article 262 I du CGI"),
    "AUTOLIQ": ("french", "VATEX-EU-AE", "Autoliquidation, art. 283-2 du CGI"),
    "AUTOLIQ-BTP": ("french", "VATEX-FR-AE", "Autoliquidation, art. 283-2 nonies du CGI"),
    "EXO-FORMATION": ("french", "VATEX-FR-CGI261-4", "Exonération de TVA, art. 261-4-4° a du CGI"),
    "EXO-MEDICAL": ("french", "VATEX-FR-CGI261-4", "Exonération de TVA, art. 261-4-1° du CGI"),
    "EXO-FINANCE": ("french", "VATEX-FR-CGI261C-1", "Exonération de TVA, art. 261 C du CGI"),
}


def buyers() -> dict:
    def customer(name, **fields):
        email = f"compta@{name.lower().replace(' ', '')}.fr"
        return create_customer(name=name, email=email, **fields)

    return {
        "french": customer(
            "Client Francais", siren="732829320", vat_id="FR44732829320", addresses=PARIS
        ),
        "italian": customer("Cliente Italia", vat_id="IT00743110157", addresses=MILANO),
        "swiss": customer("Client Suisse", addresses=GENEVE),
    }


def franchise_seller():
    """A micro-entrepreneur: a SIREN, no VAT number."""
    seller()
    return update_company(vat_id="")


@dataclass
class Issued:
    invoice: Invoice
    xml: bytes
    pdf: bytes


@pytest.fixture
def issued(company) -> dict[str, Issued]:
    """Tax code → an invoice issued with it and its files, made as issued (the franchise by a
    seller without VAT number, the others by a VAT-registered one)."""
    items, people = catalogue(), buyers()
    invoices = {}
    for code, (buyer, _vatex, _text) in EXEMPTIONS.items():
        franchise_seller() if code == "EXO" else seller()
        line = LineSpec(item=items["service"], quantity=Decimal(2), tax=Tax.objects.get(code=code))
        invoice = issue_invoice(create_invoice(people[buyer], [line]))
        invoices[code] = Issued(invoice, build_xml(invoice), render_facturx(invoice))
    return invoices


def breakdown(xml: bytes) -> etree._Element:
    tree = etree.fromstring(xml)
    (group,) = tree.findall(".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", NS)
    return group


def test_each_exemption_is_stated_in_the_xml_and_the_pdf_and_passes_the_rules(issued):
    for code, (_buyer, vatex, text) in EXEMPTIONS.items():
        invoice, xml = issued[code].invoice, issued[code].xml
        group = breakdown(xml)
        assert group.findtext("ram:ExemptionReasonCode", namespaces=NS) == vatex, code
        assert group.findtext("ram:ExemptionReason", namespaces=NS) == text, code
        assert group.findtext("ram:CalculatedAmount", namespaces=NS) == "0.00", code
        assert invoice.total_vat == 0 and invoice.lines.get().vat_exemption_code == vatex
        assert_valid(validate_cii(xml), code)
        printed = pdf_text(issued[code].pdf)
        assert text in printed, code
        # The breakdown names what stands for VAT (« Exonéré sur … »), never « TVA 0 % ».
        assert "TVA 0\xa0%" not in printed and "TVA 0 %" not in printed, code
    assert "Autoliquidation sur" in pdf_text(issued["AUTOLIQ"].pdf)
    assert "Exonéré sur" in pdf_text(issued["EXO-FORMATION"].pdf)
    assert "Livraison intracommunautaire sur" in pdf_text(issued["INTRACOM"].pdf)
    # The franchise seller has no VAT number: its SIREN identifies it (BT-32, BR-E-02).
    seller = ".//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID"
    (registration,) = etree.fromstring(issued["EXO"].xml).findall(seller, NS)
    assert (registration.get("schemeID"), registration.text) == ("FC", "552100554")


def test_each_exemption_passes_the_independent_validator(issued, tmp_path):
    """The second opinion: ../shared/validation/check-facturx --fr on each Factur-X PDF."""
    if not CHECKER.exists():
        pytest.skip(f"no second opinion: {CHECKER} is not beside the project (CI has it)")
    for code, files in issued.items():
        (tmp_path / f"{code}.pdf").write_bytes(files.pdf)
    result = subprocess.run(
        [str(CHECKER), "--fr", "--quiet", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert f"{len(issued)}/{len(issued)} valid" in result.stdout, result.stdout[-6000:]


def test_the_franchise_is_refused_to_a_seller_with_a_vat_number(company):
    """On the invoice of a VAT-registered seller « TVA non applicable, art. 293 B » is false."""
    items, people = catalogue(), buyers()
    franchise = Tax.objects.get(code="EXO")
    line = LineSpec(item=items["service"], quantity=Decimal(1), tax=franchise)
    with pytest.raises(BusinessError) as refused:
        create_invoice(people["french"], [line])
    assert refused.value.code == "tax.franchise_with_vat_id"
    assert refused.value.field == "lines[0].tax"
    assert "293 B" in refused.value.message and "numéro de TVA" in refused.value.message


def test_a_franchise_draft_is_not_issued_once_the_company_has_a_vat_number(company):
    """Priced under the franchise, then the company registered for VAT: issuing refuses it."""
    items, people = catalogue(), buyers()
    franchise_seller()
    line = LineSpec(item=items["service"], quantity=Decimal(1), tax=Tax.objects.get(code="EXO"))
    draft = create_invoice(people["french"], [line])
    seller()
    with pytest.raises(BusinessError) as refused:
        issue_invoice(draft)
    assert refused.value.code == "tax.franchise_with_vat_id"
    draft.refresh_from_db()
    assert draft.status == "draft" and not draft.number


def test_a_sale_outside_the_scope_of_vat_states_no_rate_and_no_vat_number(company):
    """A tax of category O made in Settings gives a valid invoice: no VAT rate (BR-O-05), no
    VAT number of either party (BR-O-02), the seller identified by its SIREN."""
    items, people = catalogue(), buyers()
    outside = save_tax(
        code="HORS-CHAMP",
        name="Hors champ",
        rate=Decimal(0),
        category="O",
        exemption_reason="Opération hors champ de la TVA",
        exemption_reason_code="VATEX-EU-O",
    )
    line = LineSpec(item=items["service"], quantity=Decimal(1), tax=outside)
    xml = build_xml(issue_invoice(create_invoice(people["french"], [line])))
    assert_valid(validate_cii(xml), "outside the scope")
    tree = etree.fromstring(xml)
    assert tree.find(".//ram:RateApplicablePercent", NS) is None
    assert tree.find(".//ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']", NS) is None
    assert breakdown(xml).findtext("ram:ExemptionReasonCode", namespaces=NS) == "VATEX-EU-O"
