"""Lifecycle messages (CDAR): the official examples read, the messages Comptoir writes pass the
CDAR XSD and the French CDV rules, and hostile XML is refused."""

import re
import subprocess
from copy import deepcopy
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation
from lxml import etree

from comptoir.einvoicing.cdar import (
    MAX_BYTES,
    NS,
    PARIS,
    REFERENCE,
    CdarError,
    StatusAmount,
    buyer_decision,
    parse_cdar,
    payment_received,
    write_cdar,
)
from comptoir.einvoicing.statuses import REASONS, STATUSES
from comptoir.einvoicing.tests.validation import CDV_RULES, validate_cdar
from examples.cdar import AT, BUYER, INVOICE, SELLER, messages

EXAMPLES = REFERENCE / "afnor-xp-z12-014-cdar-examples-1.2"
CURRENT = REFERENCE / "afnor-cdar-examples-1.4.0.03"
CHECK_FACTURX = (
    Path(__file__).resolve().parents[3] / ".." / "shared" / "validation" / "check-facturx"
)


def examples(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.xml"))


def blocking(failures) -> set[str]:
    return {f.rule for f in failures if f.blocking}


# ------------------------------------------------------------------ reading the examples

# file → (status, status date-time, invoice, reason code, amounts)
EXPECTED = {
    "UC1_F202500003_01-CDV-200_Deposee": (200, "20250701151000", "F202500003", "", ()),
    "UC1_F202500003_02-CDV-202_Recue": (202, "20250701161000", "F202500003", "", ()),
    "UC1_F202500003_03-CDV-203_Mise_a_disposition": (203, "20250701162500", "F202500003", "", ()),
    "UC1_F202500003_04-CDV-204_Prise_en_charge": (204, "20250701180000", "F202500003", "", ()),
    "UC1_F202500003_05-CDV-205_Approuvee": (205, "20250702100000", "F202500003", "", ()),
    "UC1_F202500003_06-CDV-211_Paiement_transmis": (
        211,
        "20250730100000",
        "F202500003",
        "",
        (("MPA", "12000", None),),
    ),
    "UC1_F202500003_07-CDV-212_Encaissee": (
        212,
        "20250802100000",
        "F202500003",
        "",
        (("MEN", "12000", "20"),),
    ),
    "UC2_F202500004_01-CDV-200_Deposee": (200, "20250701151000", "F202500004", "", ()),
    "UC2_F202500004_02-CDV-213_Rejetee": (213, "20250701161000", "F202500004", "DOUBLON", ()),
    "UC3_F202500005_01-CDV-200_Deposee": (200, "20250701151000", "F202500005", "", ()),
    "UC3_F202500005_02-CDV-202_Recue": (202, "20250701161000", "F202500005", "", ()),
    "UC3_F202500005_03-CDV-203_Mise_a_disposition": (203, "20250701162500", "F202500005", "", ()),
    "UC3_F202500005_04-CDV-210_Refusee": (210, "20250701180000", "F202500005", "TX_TVA_ERR", ()),
}


@pytest.mark.parametrize("path", examples(EXAMPLES) + examples(CURRENT), ids=lambda p: p.name)
def test_each_official_example_reads_to_its_status_dates_and_amounts(path):
    message = parse_cdar(path.read_bytes())

    code, status_at, invoice, reason_code, amounts = EXPECTED[path.stem.removesuffix("_POUR_PPF")]
    assert message.status == code
    # the official wording (the examples join its words with "_": Mise_à_disposition)
    assert message.status_text.replace("_", " ") == STATUSES[code].official
    assert message.status_at == datetime.strptime(status_at, "%Y%m%d%H%M%S").replace(tzinfo=PARIS)
    assert message.invoice_number == invoice
    assert message.invoice_date == date(2025, 7, 1)
    assert message.invoice_type == "380"
    assert message.seller_id == "100000009"
    assert message.reason_code == reason_code
    assert [(a.type, a.amount, a.vat_rate) for a in message.amounts] == [
        (t, Decimal(a), Decimal(r) if r else None) for t, a, r in amounts
    ]


def test_the_examples_name_who_sets_the_status_and_why():
    refused = parse_cdar((EXAMPLES / "UC3" / "UC3_F202500005_04-CDV-210_Refusee.xml").read_bytes())
    assert (refused.issuer.id, refused.issuer.name, refused.issuer.role) == (
        "200000008",
        "ACHETEUR",
        "BY",
    )
    assert [(r.role, r.address) for r in refused.recipients] == [
        ("SE", "100000009_STATUTS"),
        ("DFH", ""),
    ]
    assert refused.reason == "Taux de TVA erroné"
    assert refused.received_at == datetime(2025, 7, 1, 16, 10, tzinfo=PARIS)
    assert refused.phase == "23"

    rejected = parse_cdar((EXAMPLES / "UC2" / "UC2_F202500004_02-CDV-213_Rejetee.xml").read_bytes())
    assert rejected.issuer.role == "WK"  # the platform rejects
    assert rejected.reason == "Facture en doublon (déjà émise / réçue)"
    assert rejected.phase == "305"


def test_the_validator_passes_the_current_examples_and_catches_the_older_format():
    for path in examples(CURRENT):
        assert not blocking(validate_cdar(path.read_bytes())), path.name
    # The annex's v1.2 messages break rules of release 1.4.0.03 (SOURCE.md says which).
    old = validate_cdar((EXAMPLES / "UC1" / "UC1_F202500003_07-CDV-212_Encaissee.xml").read_bytes())
    assert blocking(old) == {"BR-FR-CDV-16"}
    old = validate_cdar(
        (EXAMPLES / "UC2" / "UC2_F202500004_02-CDV-213_Rejetee_POUR_PPF.xml").read_bytes()
    )
    assert "BR-FR-CDV-CL-01" in blocking(old)


# ------------------------------------------------------------------ the vocabulary


def test_the_vocabulary_is_the_rules_closed_lists():
    rules = CDV_RULES.read_text(encoding="utf-8")
    codes = re.search(r'invoice-status-codes"\s+as="xs:string"\s+select="\'([^\']*)\'', rules)
    assert set(STATUSES) == {int(c) for c in codes.group(1).split()}
    reasons = re.search(r'status-reason-codes"\s+as="xs:string"\s+select="\'([^\']*)\'', rules)
    assert set(reasons.group(1).split()) == REASONS
    # every status whose reason the rules require (BR-FR-CDV-15) admits some reasons
    assert {s.code for s in STATUSES.values() if s.needs_reason} == {206, 207, 208, 210, 213, 501}
    assert all(STATUSES[c].reasons for c in (206, 207, 208, 210, 213, 501))
    assert "TX_TVA_ERR" in STATUSES[210].reasons and "JUSTIF_ABS" not in STATUSES[210].reasons


def test_a_status_reads_in_the_users_language():
    with translation.override("fr"):
        named = {c: str(s.label) for c, s in STATUSES.items() if s.official and c != 202}
        assert named == {c: s.official for c, s in STATUSES.items() if s.official and c != 202}
        assert str(STATUSES[202]) == "Reçue par la plateforme"  # the label, never the code
        assert str(STATUSES[250]) == "Statut 250"
    with translation.override("en"):
        assert str(STATUSES[212]) == "Payment received"


# ------------------------------------------------------------------ writing


@pytest.mark.parametrize("case", list(messages()))
def test_every_message_comptoir_writes_passes_the_xsd_and_the_cdv_rules(case):
    message = messages()[case]
    xml = write_cdar(message)

    failures = validate_cdar(xml)
    assert not [str(f) for f in failures if f.blocking]
    # and reads back to the same data
    assert parse_cdar(xml) == message


def test_a_payment_received_states_each_amount_with_its_vat_rate():
    xml = write_cdar(messages()["cdar-212-payment-received"])
    root = etree.fromstring(xml)
    document = "rsm:AcknowledgementDocument/ram:ReferenceReferencedDocument/"
    assert root.findtext(document + "ram:ProcessConditionCode", namespaces=NS) == "212"
    assert root.findtext(document + "ram:ProcessCondition", namespaces=NS) == "Encaissée"
    assert root.findtext(document + "ram:StatusCode", namespaces=NS) == "47"
    amounts = root.findall(document + "*/ram:SpecifiedDocumentCharacteristic", NS)
    assert [
        (
            a.findtext("ram:TypeCode", namespaces=NS),
            a.findtext("ram:ValueAmount", namespaces=NS),
            a.findtext("ram:ValuePercent", namespaces=NS),
        )
        for a in amounts
    ] == [("MEN", "105.50", "5.50"), ("MEN", "1200.00", "20.00")]
    roles = root.findall("rsm:ExchangedDocument/ram:RecipientTradeParty/ram:RoleCode", NS)
    assert [r.text for r in roles] == ["BY", "DFH"]  # the buyer, and the State's concentrator


def test_a_broken_message_is_caught_by_the_rules():
    # 212 without the VAT rate of the amount received: BR-FR-CDV-14
    paid = messages()["cdar-212-payment-received"]
    broken = replace(paid, amounts=(StatusAmount("MEN", Decimal("1305.50")),))
    assert "BR-FR-CDV-14" in blocking(validate_cdar(write_cdar(broken)))
    # a refusal without a reason: BR-FR-CDV-15
    refused = replace(messages()["cdar-210-refused"], reason_code="", reason="")
    assert "BR-FR-CDV-15" in blocking(validate_cdar(write_cdar(refused)))
    # a refusal for a reason the rules do not allow for it: BR-FR-CDV-CL-09
    refused = replace(messages()["cdar-210-refused"], reason_code="JUSTIF_ABS")
    assert "BR-FR-CDV-CL-09" in blocking(validate_cdar(write_cdar(refused)))
    # an element the schema does not know
    xml = write_cdar(messages()["cdar-205-approved"]).replace(b"<ram:Name>", b"<ram:Nom>", 1)
    xml = xml.replace(b"</ram:Name>", b"</ram:Nom>", 1)
    assert "XSD" in blocking(validate_cdar(xml))


def test_the_builders_refuse_what_the_rules_refuse():
    with pytest.raises(CdarError) as error:
        buyer_decision(210, seller=SELLER, buyer=BUYER, at=AT, **INVOICE)
    assert (error.value.code, error.value.field) == ("cdar_reason_required", "reason_code")
    with pytest.raises(CdarError) as error:
        buyer_decision(207, seller=SELLER, buyer=BUYER, at=AT, reason_code="IRR_SYNTAX", **INVOICE)
    assert error.value.code == "cdar_reason_not_allowed"
    with pytest.raises(CdarError) as error:
        buyer_decision(212, seller=SELLER, buyer=BUYER, at=AT, **INVOICE)
    assert error.value.code == "cdar_not_a_decision"
    with pytest.raises(CdarError) as error:
        payment_received(seller=SELLER, buyer=BUYER, at=AT, received={}, **INVOICE)
    assert error.value.code == "cdar_no_amount"
    with pytest.raises(CdarError) as error:
        buyer_decision(205, seller=replace(SELLER, address=""), buyer=BUYER, at=AT, **INVOICE)
    assert error.value.code == "cdar_no_address"


# ------------------------------------------------------------------ hostile or wrong input

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rsm:CrossDomainAcknowledgementAndResponse
 xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100">&x;
</rsm:CrossDomainAcknowledgementAndResponse>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE r [
 <!ENTITY a "lollollollollollollollollollol">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
 <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
]>
<rsm:CrossDomainAcknowledgementAndResponse
 xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100">&h;
</rsm:CrossDomainAcknowledgementAndResponse>"""


def approved() -> bytes:
    return (CURRENT / "UC1_F202500003_05-CDV-205_Approuvee.xml").read_bytes()


def edited(old: bytes, new: bytes):
    """The current 205 example with one edit, built when the test runs."""
    return lambda: approved().replace(old, new)


def several_invoices() -> bytes:
    root = etree.fromstring(approved())
    document = root.find("rsm:AcknowledgementDocument/ram:ReferenceReferencedDocument", NS)
    document.addnext(deepcopy(document))
    return etree.tostring(root)


CONDITION = b">205</ram:ProcessConditionCode>"
WRONG = {
    "xxe": (XXE, "cdar_hostile"),
    "billion-laughs": (LAUGHS, "cdar_hostile"),
    "xxe-in-utf-16": (
        XXE.decode().replace("1.0", '1.0" encoding="UTF-16').encode("utf-16"),
        "cdar_hostile",
    ),
    "too-large": (b"<a>" + b" " * MAX_BYTES + b"</a>", "cdar_too_large"),
    "malformed": (b"<rsm:CrossDomain", "cdar_malformed"),
    "not-cdar": (b"<Invoice/>", "cdar_not_cdar"),
    "not-the-schema": (edited(b"<ram:TypeCode>23<", b"<ram:TypeCode><x/>23<"), "cdar_invalid"),
    "broken-tag": (edited(CONDITION, b">999<"), "cdar_malformed"),
    "unknown-status": (
        edited(CONDITION, b">999</ram:ProcessConditionCode>"),
        "cdar_unknown_status",
    ),
    "bad-date": (edited(b"20250702100000", b"20251302100000"), "cdar_bad_date"),
    "several-invoices": (several_invoices, "cdar_several_invoices"),
}


@pytest.mark.parametrize("xml, code", list(WRONG.values()), ids=list(WRONG))
def test_hostile_or_wrong_xml_is_refused_with_a_clear_error(xml, code):
    with pytest.raises(CdarError) as error:
        parse_cdar(xml() if callable(xml) else xml)
    assert error.value.code == code
    assert error.value.message  # words for the user, never a traceback


def test_the_xxe_entity_is_never_resolved():
    with pytest.raises(CdarError) as error:
        parse_cdar(XXE)
    assert "root:" not in error.value.message


# ------------------------------------------------------------------ the shared validator


@pytest.mark.skipif(not CHECK_FACTURX.exists(), reason="no ../shared/validation beside the project")
def test_the_shared_validator_agrees_on_the_written_messages(tmp_path):
    for case, message in messages().items():
        (tmp_path / f"{case}.xml").write_bytes(write_cdar(message))
    result = subprocess.run(
        [str(CHECK_FACTURX), "--fr", str(tmp_path)], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
