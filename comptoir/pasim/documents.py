"""What the simulator reads from a submitted invoice and the lifecycle messages (CDAR) it writes.

The CDAR messages follow the layout of the official UC1–UC3 examples in the current format
(release 1.4.0.03): one referenced invoice, the status as ProcessConditionCode with its label,
a reason for a rejection or a refusal.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from lxml import etree

SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
CII = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
UBL = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
CDAR = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}
# Lifecycle status → (CDAR StatusCode, label), as in the official examples.
STATUSES = {
    200: ("10", "Déposée"),
    202: ("43", "Reçue"),
    203: ("48", "Mise à disposition"),
    204: ("45", "Prise en charge"),
    205: ("1", "Approuvée"),
    210: ("50", "Refusée"),
    211: ("47", "Paiement transmis"),
    213: ("8", "Rejetée"),
}
# The statuses of the processing phase (MDT-77 = 23), issued by the buyer; the others are of
# the transmission phase (305), issued by the platform.
BUYER_STATUSES = {204, 205, 210, 211}


@dataclass(frozen=True)
class Invoice:
    """The facts of an invoice a lifecycle message refers to."""

    number: str  # BT-1
    type_code: str  # BT-3
    issue_date: str  # BT-2, YYYYMMDD
    seller_siren: str
    seller_name: str
    buyer_siren: str
    buyer_name: str
    amount_due: str = ""  # BT-115
    currency: str = "EUR"


def read_invoice(xml: bytes) -> Invoice | None:
    """The invoice's facts from its CII or UBL XML, or None when it is neither."""
    try:
        root = etree.fromstring(xml, SAFE_PARSER)
    except etree.XMLSyntaxError:
        return None
    if root.tag == f"{{{CII['rsm']}}}CrossIndustryInvoice":
        return _read_cii(root)
    if etree.QName(root).localname in {"Invoice", "CreditNote"}:
        return _read_ubl(root)
    return None


def _text(root, path: str, namespaces: dict) -> str:
    found = root.xpath(f"string({path})", namespaces=namespaces)
    return " ".join(str(found).split())


def _read_cii(root) -> Invoice:
    def party(role: str) -> tuple[str, str]:
        base = f"//ram:ApplicableHeaderTradeAgreement/ram:{role}"
        return (
            _text(root, f"{base}/ram:SpecifiedLegalOrganization/ram:ID", CII),
            _text(root, f"{base}/ram:Name", CII),
        )

    return Invoice(
        _text(root, "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID", CII),
        _text(root, "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:TypeCode", CII),
        _text(root, "//rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString", CII),
        *party("SellerTradeParty"),
        *party("BuyerTradeParty"),
        _text(
            root, "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:DuePayableAmount", CII
        ),
        _text(root, "//ram:ApplicableHeaderTradeSettlement/ram:InvoiceCurrencyCode", CII) or "EUR",
    )


def _read_ubl(root) -> Invoice:
    def party(role: str) -> tuple[str, str]:
        base = f"/*/cac:{role}/cac:Party/cac:PartyLegalEntity"
        return (
            _text(root, f"{base}/cbc:CompanyID", UBL),
            _text(root, f"{base}/cbc:RegistrationName", UBL),
        )

    type_code = _text(root, "/*/cbc:InvoiceTypeCode", UBL) or _text(
        root, "/*/cbc:CreditNoteTypeCode", UBL
    )
    return Invoice(
        _text(root, "/*/cbc:ID", UBL),
        type_code,
        _text(root, "/*/cbc:IssueDate", UBL).replace("-", ""),
        *party("AccountingSupplierParty"),
        *party("AccountingCustomerParty"),
        _text(root, "/*/cac:LegalMonetaryTotal/cbc:PayableAmount", UBL),
        _text(root, "/*/cbc:DocumentCurrencyCode", UBL) or "EUR",
    )


PARIS = ZoneInfo("Europe/Paris")


def cdar_message(
    invoice: Invoice, status: int, at: datetime, reason: tuple[str, str] | None = None
) -> bytes:
    """The lifecycle message (CDAR) telling the seller its invoice reached this status."""
    status_code, label = STATUSES[status]
    stamp = at.astimezone(PARIS).strftime("%Y%m%d%H%M%S")  # CDAR times are French times
    E = _Builder()
    context = E.rsm(
        "ExchangedDocumentContext",
        E.ram("BusinessProcessSpecifiedDocumentContextParameter", E.ram("ID", "REGULATED")),
        E.ram(
            "GuidelineSpecifiedDocumentContextParameter",
            E.ram("ID", "urn.cpro.gouv.fr:1p0:CDV:invoice"),
        ),
    )
    by_buyer = status in BUYER_STATUSES
    seller = (invoice.seller_siren, invoice.seller_name, "SE")
    buyer = (invoice.buyer_siren, invoice.buyer_name, "BY")

    def party(tag: str, siren: str, name: str, role: str, address: bool = True):
        uri = [E.ram("URIUniversalCommunication", E.ram("URIID", siren, schemeID="0225"))]
        return E.ram(
            tag,
            E.ram("GlobalID", siren, schemeID="0002"),
            E.ram("Name", name or role),
            E.ram("RoleCode", role),
            *(uri if address else []),
        )

    platform = E.ram("IssuerTradeParty", E.ram("RoleCode", "WK"))
    issuer = party("IssuerTradeParty", *buyer, address=False) if by_buyer else platform
    recipients = [seller] if by_buyer else [seller, buyer]
    document = E.rsm(
        "ExchangedDocument",
        E.ram("ID", f"{invoice.number}_{status}_{stamp}#{invoice.type_code}_{invoice.issue_date}"),
        E.ram("Name", f"{invoice.number}-CDV-{status}"),
        E.ram("IssueDateTime", E.udt("DateTimeString", stamp, format="204")),
        E.ram("SenderTradeParty", E.ram("RoleCode", "WK")),
        issuer,
        *[party("RecipientTradeParty", *who) for who in recipients if who[0]],
    )
    referenced = E.ram(
        "ReferenceReferencedDocument",
        E.ram("IssuerAssignedID", invoice.number),
        E.ram("StatusCode", status_code),
        E.ram("TypeCode", invoice.type_code or "380"),
        E.ram("ReceiptDateTime", E.udt("DateTimeString", stamp, format="204")),
        E.ram("FormattedIssueDateTime", E.qdt("DateTimeString", invoice.issue_date, format="102")),
        E.ram("ProcessConditionCode", str(status)),
        E.ram("ProcessCondition", label),
    )
    if invoice.seller_siren:
        referenced.append(
            E.ram("IssuerTradeParty", E.ram("GlobalID", invoice.seller_siren, schemeID="0002"))
        )
    if reason:
        referenced.append(
            E.ram(
                "SpecifiedDocumentStatus",
                E.ram("ReasonCode", reason[0]),
                E.ram("Reason", reason[1][:1024]),
                E.ram("SequenceNumeric", "1"),
            )
        )
    elif status == 211 and invoice.amount_due:  # the amount paid (MPA) and its date
        amount = E.ram("ValueAmount", invoice.amount_due, currencyID=invoice.currency)
        when = E.ram("ValueDateTime", E.udt("DateTimeString", stamp[:8], format="102"))
        characteristic = E.ram(
            "SpecifiedDocumentCharacteristic", E.ram("TypeCode", "MPA"), amount, when
        )
        referenced.append(
            E.ram("SpecifiedDocumentStatus", E.ram("SequenceNumeric", "1"), characteristic)
        )
    acknowledgement = E.rsm(
        "AcknowledgementDocument",
        E.ram("MultipleReferencesIndicator", E.udt("Indicator", "false")),
        E.ram("TypeCode", "23" if by_buyer else "305"),
        E.ram("IssueDateTime", E.udt("DateTimeString", stamp, format="204")),
        referenced,
    )
    root = etree.Element(f"{{{CDAR['rsm']}}}CrossDomainAcknowledgementAndResponse", nsmap=CDAR)
    root.extend([context, document, acknowledgement])
    etree.cleanup_namespaces(root, top_nsmap=CDAR)  # one declaration each, on the root
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


class _Builder:
    """Elements in the CDAR namespaces: E.ram("ID", "x", schemeID="0002")."""

    def __getattr__(self, prefix: str):
        def make(name: str, *children, **attributes):
            element = etree.Element(f"{{{CDAR[prefix]}}}{name}", attributes)
            for child in children:
                if isinstance(child, str):
                    element.text = child
                else:
                    element.append(child)
            return element

        return make
