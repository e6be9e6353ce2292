"""UBL 2.1: the same invoices as the Factur-X matrix, in the other syntax of EN 16931.

Each case of the matrix (examples/facturx.py) is written as UBL and checked by the project's own
validator (comptoir.billing.tests.validation): the OASIS UBL 2.1 XSD, the official EN 16931 UBL
rules and the French BR-FR Flux 2 UBL rules, run by Saxon. Zero fatal failed assertion is the only
pass. When ../shared sits beside the project (CI), its check-facturx --fr agrees on the files.
"""

import os
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from comptoir.billing.facturx import build_xml
from comptoir.billing.services import create_invoice
from comptoir.billing.tests.test_facturx import _add_one, _broken, _misplace, _remove
from comptoir.billing.tests.validation import assert_valid, rules, validate_cii, validate_ubl
from comptoir.billing.ubl import build_ubl
from comptoir.pricing.engine import LineSpec
from examples.facturx import matrix

pytestmark = pytest.mark.django_db

SHARED = Path(os.environ.get("COMPTOIR_SHARED_DIR", Path(__file__).resolve().parents[3].parent))
CHECKER = SHARED / "shared" / "validation" / "check-facturx"
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
}


def test_every_case_of_the_matrix_is_a_valid_french_ubl_invoice(cases):
    assert len(cases) >= 9
    for name, invoice in cases.items():
        assert_valid(validate_ubl(build_ubl(invoice)), name)


def _text(tree, path: str) -> str:
    return tree.findtext(path, namespaces=NS)


def test_the_ubl_states_what_the_cii_states(cases):
    """The same totals, parties, notes, references as the CII of the same document."""
    several = etree.fromstring(build_ubl(cases["several-rates"]))
    invoice = cases["several-rates"]
    assert several.tag == f"{{{NS['inv']}}}Invoice"
    assert Decimal(_text(several, "cac:LegalMonetaryTotal/cbc:PayableAmount")) == (
        invoice.total_gross
    )
    assert Decimal(_text(several, "cac:TaxTotal/cbc:TaxAmount")) == invoice.total_vat
    assert len(several.findall("cac:TaxTotal/cac:TaxSubtotal", NS)) == 3
    seller_party = "cac:AccountingSupplierParty/cac:Party/"
    assert _text(several, seller_party + "cac:PartyLegalEntity/cbc:CompanyID") == "552100554"
    assert several.find(seller_party + "cac:PartyLegalEntity/cbc:CompanyID", NS).get(
        "schemeID"
    ) == ("0002")
    assert _text(several, seller_party + "cac:PartyTaxScheme/cbc:CompanyID") == "FR96552100554"
    buyer = several.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS)
    assert (buyer.text, buyer.get("schemeID")) == ("732829320", "0225")
    notes = [n.text for n in several.findall("cbc:Note", NS)]
    assert [n[:5] for n in notes] == ["#PMT#", "#PMD#", "#AAB#"]
    assert _text(several, "cbc:ProfileID") == "M1"
    assert _text(several, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID").startswith("FR76")

    credit = etree.fromstring(build_ubl(cases["credit-note"]))
    assert credit.tag == f"{{{NS['cn']}}}CreditNote"
    assert _text(credit, "cbc:CreditNoteTypeCode") == "381"
    reference = "cac:BillingReference/cac:InvoiceDocumentReference/"
    assert _text(credit, reference + "cbc:ID") == invoice.number
    assert _text(credit, reference + "cbc:IssueDate") == invoice.date.isoformat()
    assert credit.findall("cac:CreditNoteLine/cbc:CreditedQuantity", NS)

    exempt = etree.fromstring(build_ubl(cases["exempt"]))
    category = exempt.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)
    assert _text(category, "cbc:ID") == "E"
    assert _text(category, "cbc:TaxExemptionReasonCode").startswith("VATEX")
    assert "261-4-4°" in _text(category, "cbc:TaxExemptionReason")

    discounts = etree.fromstring(build_ubl(cases["line-and-document-discounts"]))
    reasons = [
        _text(a, "cbc:AllowanceChargeReason")
        for a in discounts.iterfind(".//cac:AllowanceCharge", NS)
    ]
    assert reasons == ["Remise commerciale", "Frais de port", "Remise"]

    down_payment = etree.fromstring(build_ubl(cases["down-payment"]))
    assert _text(down_payment, "cbc:InvoiceTypeCode") == "386"


def test_the_delivery_date_or_period_is_stated(items):
    """BT-72 when goods were delivered on one day, BG-14 when over a period."""
    from datetime import date

    from comptoir.billing.services import issue_invoice

    customer = matrix(items)["several-rates"].customer
    one_day = issue_invoice(
        create_invoice(
            customer, [LineSpec(item=items["chair"], quantity=1)], supply_date=date(2026, 3, 2)
        )
    )
    tree = etree.fromstring(build_ubl(one_day))
    assert _text(tree, "cac:Delivery/cbc:ActualDeliveryDate") == "2026-03-02"
    assert tree.find("cac:InvoicePeriod/cbc:StartDate", NS) is None
    period = issue_invoice(
        create_invoice(
            customer,
            [LineSpec(item=items["chair"], quantity=1)],
            supply_date=date(2026, 3, 2),
            supply_end_date=date(2026, 3, 20),
        )
    )
    tree = etree.fromstring(build_ubl(period))
    assert _text(tree, "cac:InvoicePeriod/cbc:StartDate") == "2026-03-02"
    assert _text(tree, "cac:InvoicePeriod/cbc:EndDate") == "2026-03-20"
    assert tree.find("cac:Delivery/cbc:ActualDeliveryDate", NS) is None
    for invoice in (one_day, period):
        assert_valid(validate_ubl(build_ubl(invoice)), invoice.number)


@pytest.mark.parametrize(
    ("path", "change", "rule"),
    [
        ("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", _add_one, "BR-CO-15"),
        ("cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme", _remove, "BR-S-02"),
        ("cbc:Note", _remove, "BR-FR-05"),
        ("cbc:ID", _misplace, "XSD"),
    ],
    ids=["wrong-total", "no-seller-vat-id", "no-recovery-fee-note", "elements-out-of-order"],
)
def test_a_broken_ubl_invoice_is_caught_by_the_validator(items, path, change, rule):
    """The check can fail: the same XML, broken in one place, is refused by the rule at fault."""
    xml = build_ubl(matrix(items)["several-rates"])
    assert rules(validate_ubl(xml)) == set()
    assert rule in rules(validate_ubl(_broken(xml, path, change, NS)))


def test_what_is_not_a_ubl_invoice_is_refused(cases):
    assert rules(validate_ubl(b"<Invoice")) == {"XML"}
    assert rules(validate_ubl(build_xml(cases["several-rates"]))) == {"XSD"}
    assert rules(validate_cii(build_ubl(cases["several-rates"])))


def test_the_second_opinion_agrees(cases, tmp_path):
    """../shared/validation/check-facturx --fr on the same UBL files: the matrix valid, the
    broken total refused."""
    if not CHECKER.exists():
        pytest.skip(f"no second opinion: {CHECKER} is not beside the project (CI has it)")
    for name, invoice in cases.items():
        (tmp_path / f"{name}.ubl.xml").write_bytes(build_ubl(invoice))
    broken = _broken(
        build_ubl(cases["several-rates"]), "cac:LegalMonetaryTotal/cbc:PayableAmount", _add_one, NS
    )
    (tmp_path / "zz-broken.ubl.xml").write_bytes(broken)
    result = subprocess.run(
        [str(CHECKER), "--fr", "--quiet", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    files = len(cases) + 1
    assert result.returncode == 1, result.stdout[-6000:] + result.stderr[-2000:]
    assert f"{files - 1}/{files} valid" in result.stdout, result.stdout[-6000:]
    assert "zz-broken.ubl.xml" in result.stdout


def test_issued_invoices_download_as_ubl(items, client, user, api):
    invoice = matrix(items)["several-rates"]
    client.force_login(user)
    response = client.get(f"/invoices/{invoice.pk}/ubl.xml")
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert response.content == build_ubl(invoice)
    assert f'filename="{invoice.number}.ubl.xml"' in response["Content-Disposition"]
    draft = create_invoice(invoice.customer, [LineSpec(item=items["chair"], quantity=1)])
    assert client.get(f"/invoices/{draft.pk}/ubl.xml").status_code == 404
    assert api.get(f"/invoices/{invoice.pk}/ubl").content == build_ubl(invoice)
    assert api.get(f"/invoices/{draft.pk}/ubl").status_code == 404


def test_vat_on_debits_is_stated_as_due_on_the_issue_date(items):
    """BT-8: a company paying VAT on debits says so (UNTDID 2005 code 3), and stays valid."""
    from comptoir.core.services import update_company

    update_company(vat_on_debits=True)
    tree = etree.fromstring(build_ubl(matrix(items)["several-rates"]))
    assert _text(tree, "cac:InvoicePeriod/cbc:DescriptionCode") == "3"
    assert_valid(validate_ubl(etree.tostring(tree)), "on debits")
