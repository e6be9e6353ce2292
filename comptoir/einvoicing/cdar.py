"""Invoice lifecycle messages: UN/CEFACT CDAR D22B as the French rules profile it (the "CDV").

``parse_cdar(xml)`` reads a message received from a platform into a ``LifecycleMessage``;
``write_cdar(message)`` writes one in the current format (release 1.4.0.03 of the French rules).
``buyer_decision()`` and ``payment_received()`` build the messages Comptoir itself sends.

Received XML is untrusted: it is read without a DTD, entities or network, within a size limit,
and checked against the CDAR XSD kept in ``reference/``. Date-times in the messages (format 204,
CCYYMMDDHHMMSS) carry no zone: they are read and written as French time.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _
from lxml import etree

from comptoir.core.errors import BusinessError
from comptoir.core.safexml import MALFORMED, TOO_LARGE, UnsafeXml, safe_root

from .statuses import BUYER_DECISIONS, PAYMENT_RECEIVED, status

REFERENCE = Path(__file__).resolve().parent / "reference"
XSD = REFERENCE / "unece-cdar-d22b" / "CrossDomainAcknowledgementAndResponse_100pD22B.xsd"
MAX_BYTES = 1_000_000  # a lifecycle message is a few kilobytes
PARIS = ZoneInfo("Europe/Paris")

RSM = "urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NS = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
GUIDELINE = "urn.cpro.gouv.fr:1p0:CDV:invoice"  # MDT-3
SIREN = "0002"  # scheme of a SIREN (ISO 6523)
ELECTRONIC_ADDRESS = "0225"  # scheme of an address of the French directory


class CdarError(BusinessError):
    """A lifecycle message that cannot be read or written as the standard says."""

    status_code = 422


@dataclass(frozen=True)
class Party:
    """A company a message names: its SIREN (or other id), name, role and electronic address."""

    id: str = ""
    name: str = ""
    role: str = ""  # SE seller, BY buyer, WK platform, DFH the State's concentrator…
    scheme: str = SIREN
    address: str = ""  # MDT-73: where the statuses reach it
    address_scheme: str = ELECTRONIC_ADDRESS


# The State's concentrator (PPF), recipient of the statuses it must know.
STATE = Party(id="9998", scheme="0238", name="PPF", role="DFH", address_scheme="")


@dataclass(frozen=True)
class StatusAmount:
    """An amount qualifying a status (MDG-43): received, approved… with its VAT rate."""

    type: str  # MEN received, MAPTTC approved incl. VAT… (BR-FR-CDV-CL-11)
    amount: Decimal
    currency: str = "EUR"
    vat_rate: Decimal | None = None  # required with MEN (BR-FR-CDV-14)


@dataclass(frozen=True)
class LifecycleMessage:
    """One status of one invoice, as a CDAR message carries it."""

    id: str  # MDT-4
    issued_at: datetime  # MDT-8: when the message was made
    status: int  # MDT-105
    status_at: datetime  # MDT-78: when the status was set
    invoice_number: str  # MDT-87 (BT-1)
    invoice_date: date  # MDT-100 (BT-2)
    seller_id: str  # MDT-129: the seller's SIREN (BT-30)
    issuer: Party  # who sets the status
    recipients: tuple[Party, ...]
    invoice_type: str = "380"  # MDT-91 (BT-3)
    received_at: datetime | None = None  # MDT-95: when the platform took the invoice
    reason_code: str = ""  # MDT-113
    reason: str = ""  # MDT-114
    amounts: tuple[StatusAmount, ...] = field(default_factory=tuple)
    status_text: str = ""  # MDT-106 as written (the official wording when Comptoir writes)
    name: str = ""  # MDT-5
    business_process: str = "REGULATED"  # MDT-2
    sender_role: str = "WK"  # MDT-21: the platform transmits

    @property
    def phase(self) -> str:
        return status(self.status).phase


# ---------------------------------------------------------------- reading


def parse_cdar(xml: bytes, *, check_xsd: bool = True) -> LifecycleMessage:
    """The lifecycle message this XML carries. CdarError for hostile, malformed or unknown."""
    root = _safe_root(xml)
    if root.tag != f"{{{RSM}}}CrossDomainAcknowledgementAndResponse":
        raise CdarError("cdar_not_cdar", _("This file is not a lifecycle message (CDAR)."))
    if check_xsd:
        errors = xsd_errors(root)
        if errors:
            raise CdarError(
                "cdar_invalid",
                _("The lifecycle message does not follow the CDAR schema: %(error)s")
                % {"error": errors[0]},
            )
    document = _one(root, "rsm:AcknowledgementDocument/ram:ReferenceReferencedDocument")
    if len(root.findall("rsm:AcknowledgementDocument/ram:ReferenceReferencedDocument", NS)) > 1:
        # "MULTI" messages exist in the standard but are not used in practice: refused
        # visibly rather than read in part.
        raise CdarError(
            "cdar_several_invoices",
            _("The lifecycle message concerns several invoices, which Comptoir does not read."),
        )
    code = _text(document, "ram:ProcessConditionCode")
    try:
        status(code)
    except (KeyError, ValueError):
        raise CdarError(
            "cdar_unknown_status",
            _("The lifecycle message has an unknown status code: %(code)s.") % {"code": code},
        ) from None
    exchanged = _one(root, "rsm:ExchangedDocument")
    detail = document.find("ram:SpecifiedDocumentStatus", NS)
    return LifecycleMessage(
        id=_text(exchanged, "ram:ID"),
        name=_text(exchanged, "ram:Name"),
        issued_at=_datetime(exchanged, "ram:IssueDateTime/udt:DateTimeString"),
        business_process=_text(
            root,
            "rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID",
        ),
        sender_role=_text(exchanged, "ram:SenderTradeParty/ram:RoleCode"),
        issuer=_party(_one(exchanged, "ram:IssuerTradeParty")),
        recipients=tuple(_party(p) for p in exchanged.findall("ram:RecipientTradeParty", NS)),
        status=int(code),
        status_text=_text(document, "ram:ProcessCondition"),
        status_at=_datetime(
            root, "rsm:AcknowledgementDocument/ram:IssueDateTime/udt:DateTimeString"
        ),
        invoice_number=_text(document, "ram:IssuerAssignedID"),
        invoice_type=_text(document, "ram:TypeCode"),
        invoice_date=_date(document, "ram:FormattedIssueDateTime/qdt:DateTimeString"),
        received_at=_datetime(document, "ram:ReceiptDateTime/udt:DateTimeString"),
        seller_id=_text(document, "ram:IssuerTradeParty/ram:GlobalID"),
        reason_code=_text(detail, "ram:ReasonCode"),
        reason=_text(detail, "ram:Reason"),
        amounts=tuple(
            _amount(c)
            for c in document.iterfind(
                "ram:SpecifiedDocumentStatus/ram:SpecifiedDocumentCharacteristic", NS
            )
        ),
    )


def xsd_errors(root) -> list[str]:
    """What the CDAR D22B XSD finds wrong with this element tree (empty when valid)."""
    schema = _schema()
    if schema.validate(root):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


@cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def _safe_root(xml: bytes):
    try:
        return safe_root(xml, MAX_BYTES)
    except UnsafeXml as problem:
        if problem.kind == TOO_LARGE:
            raise CdarError(
                "cdar_too_large",
                _("The lifecycle message is too large (at most %(limit)s MB).")
                % {"limit": MAX_BYTES // 1_000_000},
            ) from None
        if problem.kind == MALFORMED:
            raise CdarError(
                "cdar_malformed",
                _("The lifecycle message is not well-formed XML: %(error)s")
                % {"error": problem.detail},
            ) from None
        raise CdarError(
            "cdar_hostile",
            _("The lifecycle message declares a DTD or entities, which is refused."),
        ) from None


def _one(element, path: str):
    found = element.find(path, NS)
    if found is None:
        raise CdarError(
            "cdar_incomplete",
            _("The lifecycle message lacks %(element)s.") % {"element": path.split("/")[-1]},
        )
    return found


def _text(element, path: str) -> str:
    if element is None:
        return ""
    return (element.findtext(path, "", NS) or "").strip()


def _datetime(element, path: str) -> datetime | None:
    value = _text(element, path)
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=PARIS)
    except ValueError:
        raise CdarError(
            "cdar_bad_date",
            _("The lifecycle message has an invalid date-time: %(value)s.") % {"value": value},
        ) from None


def _date(element, path: str) -> date | None:
    value = _text(element, path)
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise CdarError(
            "cdar_bad_date",
            _("The lifecycle message has an invalid date: %(value)s.") % {"value": value},
        ) from None


def _party(element) -> Party:
    global_id = element.find("ram:GlobalID", NS)
    address = element.find("ram:URIUniversalCommunication/ram:URIID", NS)
    return Party(
        id=(global_id.text or "").strip() if global_id is not None else "",
        scheme=global_id.get("schemeID", "") if global_id is not None else "",
        name=_text(element, "ram:Name"),
        role=_text(element, "ram:RoleCode"),
        address=(address.text or "").strip() if address is not None else "",
        address_scheme=address.get("schemeID", "") if address is not None else "",
    )


def _amount(element) -> StatusAmount:
    value = element.find("ram:ValueAmount", NS)
    try:
        amount = Decimal(value.text.strip()) if value is not None else Decimal(0)
        rate = _text(element, "ram:ValuePercent")
        return StatusAmount(
            type=_text(element, "ram:TypeCode"),
            amount=amount,
            currency=value.get("currencyID", "") if value is not None else "",
            vat_rate=Decimal(rate) if rate else None,
        )
    except (InvalidOperation, AttributeError):
        raise CdarError(
            "cdar_bad_amount", _("The lifecycle message has an invalid amount.")
        ) from None


# ---------------------------------------------------------------- writing


def write_cdar(message: LifecycleMessage) -> bytes:
    """The message as CDAR XML in the current format (BR-FR-CDV release 1.4.0.03)."""
    known = status(message.status)
    root = etree.Element(_rsm("CrossDomainAcknowledgementAndResponse"), nsmap=NS)
    context = _sub(root, _rsm("ExchangedDocumentContext"))
    _sub(
        _sub(context, "BusinessProcessSpecifiedDocumentContextParameter"),
        "ID",
        message.business_process,
    )
    _sub(_sub(context, "GuidelineSpecifiedDocumentContextParameter"), "ID", GUIDELINE)

    exchanged = _sub(root, _rsm("ExchangedDocument"))
    _sub(exchanged, "ID", message.id)
    if message.name:
        _sub(exchanged, "Name", message.name)
    _datetime_element(_sub(exchanged, "IssueDateTime"), message.issued_at)
    _sub(_sub(exchanged, "SenderTradeParty"), "RoleCode", message.sender_role)
    _party_element(_sub(exchanged, "IssuerTradeParty"), message.issuer)
    for recipient in message.recipients:
        _party_element(_sub(exchanged, "RecipientTradeParty"), recipient)

    acknowledgement = _sub(root, _rsm("AcknowledgementDocument"))
    _sub(_sub(acknowledgement, "MultipleReferencesIndicator"), f"{{{UDT}}}Indicator", "false")
    _sub(acknowledgement, "TypeCode", known.phase)
    _datetime_element(_sub(acknowledgement, "IssueDateTime"), message.status_at)
    document = _sub(acknowledgement, "ReferenceReferencedDocument")
    _sub(document, "IssuerAssignedID", message.invoice_number)
    if known.standard:
        _sub(document, "StatusCode", known.standard)
    _sub(document, "TypeCode", message.invoice_type)
    if message.received_at:
        _datetime_element(_sub(document, "ReceiptDateTime"), message.received_at)
    issue_date = _sub(_sub(document, "FormattedIssueDateTime"), f"{{{QDT}}}DateTimeString")
    issue_date.text = f"{message.invoice_date:%Y%m%d}"
    issue_date.set("format", "102")
    _sub(document, "ProcessConditionCode", str(message.status))
    _sub(document, "ProcessCondition", message.status_text or known.official)
    _sub(_sub(document, "IssuerTradeParty"), "GlobalID", message.seller_id).set("schemeID", SIREN)
    if message.reason_code or message.amounts:
        detail = _sub(document, "SpecifiedDocumentStatus")
        if message.reason_code:
            _sub(detail, "ReasonCode", message.reason_code)
        if message.reason:
            _sub(detail, "Reason", message.reason)
        _sub(detail, "SequenceNumeric", "1")  # MDT-124-2: one detail per message
        for amount in message.amounts:
            characteristic = _sub(detail, "SpecifiedDocumentCharacteristic")
            _sub(characteristic, "TypeCode", amount.type)
            _sub(
                _sub(characteristic, "ValueChangedIndicator"), f"{{{UDT}}}IndicatorString", "false"
            )
            value = _sub(characteristic, "ValueAmount", f"{amount.amount:.2f}")
            value.set("currencyID", amount.currency)
            if amount.vat_rate is not None:
                _sub(characteristic, "ValuePercent", f"{amount.vat_rate:.2f}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _rsm(name: str) -> str:
    return f"{{{RSM}}}{name}"


def _sub(parent, tag: str, text: str | None = None):
    element = etree.SubElement(parent, tag if tag.startswith("{") else f"{{{RAM}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _datetime_element(parent, moment: datetime) -> None:
    value = _sub(parent, f"{{{UDT}}}DateTimeString", f"{moment.astimezone(PARIS):%Y%m%d%H%M%S}")
    value.set("format", "204")


def _party_element(parent, party: Party) -> None:
    if party.id:
        _sub(parent, "GlobalID", party.id).set("schemeID", party.scheme)
    if party.name:
        _sub(parent, "Name", party.name)
    _sub(parent, "RoleCode", party.role)
    if party.address:
        address = _sub(_sub(parent, "URIUniversalCommunication"), "URIID", party.address)
        if party.address_scheme:
            address.set("schemeID", party.address_scheme)


# ---------------------------------------------------------------- the messages Comptoir sends


def buyer_decision(
    code: int,
    *,
    invoice_number: str,
    invoice_date: date,
    seller: Party,
    buyer: Party,
    at: datetime,
    received_at: datetime | None = None,
    invoice_type: str = "380",
    reason_code: str = "",
    reason: str = "",
    amounts: tuple[StatusAmount, ...] = (),
) -> LifecycleMessage:
    """The buyer's decision on a supplier invoice: 205 approved, 206 partially approved,
    207 disputed, 210 refused (these three with a reason the rules admit), to the seller
    (and, for a refusal, to the State's concentrator too, as the rules require)."""
    if code not in BUYER_DECISIONS:
        raise CdarError("cdar_not_a_decision", _("A buyer's decision is 205, 206, 207 or 210."))
    _check_reason(code, reason_code)
    recipients = (_with_role(seller, "SE"),)
    if code == 210:
        recipients += (STATE,)
    return _message(
        code,
        invoice_number,
        invoice_date,
        invoice_type,
        seller.id,
        _with_role(buyer, "BY", address=False),
        recipients,
        at,
        received_at,
        reason_code,
        reason,
        amounts,
    )


def payment_received(
    *,
    invoice_number: str,
    invoice_date: date,
    seller: Party,
    buyer: Party,
    at: datetime,
    received: dict[Decimal, Decimal],
    received_at: datetime | None = None,
    invoice_type: str = "380",
    currency: str = "EUR",
) -> LifecycleMessage:
    """The seller's 212 Encaissée: the amounts received, including VAT, for each VAT rate
    (``received``: rate → amount), to the buyer and to the State's concentrator."""
    if not received or any(amount <= 0 for amount in received.values()):
        raise CdarError(
            "cdar_no_amount", _("A payment received states the amount received, per VAT rate.")
        )
    amounts = tuple(
        StatusAmount("MEN", amount, currency, rate) for rate, amount in sorted(received.items())
    )
    recipients = (_with_role(buyer, "BY"), STATE)
    return _message(
        PAYMENT_RECEIVED,
        invoice_number,
        invoice_date,
        invoice_type,
        seller.id,
        _with_role(seller, "SE", address=False),
        recipients,
        at,
        received_at,
        "",
        "",
        amounts,
    )


def _check_reason(code: int, reason_code: str) -> None:
    known = status(code)
    if known.needs_reason and not reason_code:
        raise CdarError(
            "cdar_reason_required",
            _("The status %(status)s needs a reason.") % {"status": known},
            "reason_code",
        )
    if reason_code and reason_code not in known.reasons:
        raise CdarError(
            "cdar_reason_not_allowed",
            _("The reason %(reason)s is not one the rules allow for the status %(status)s.")
            % {"reason": reason_code, "status": known},
            "reason_code",
        )


def _with_role(party: Party, role: str, *, address: bool = True) -> Party:
    """The party in this role; the issuer of a status is named without its address, as in
    the official examples."""
    if not address:
        return Party(party.id, party.name, role, party.scheme, "", "")
    return Party(party.id, party.name, role, party.scheme, party.address, party.address_scheme)


def _message(
    code,
    invoice_number,
    invoice_date,
    invoice_type,
    seller_id,
    issuer,
    recipients,
    at,
    received_at,
    reason_code,
    reason,
    amounts,
) -> LifecycleMessage:
    for recipient in recipients:
        if recipient.role != "DFH" and not recipient.address:  # BR-FR-CDV-08
            raise CdarError(
                "cdar_no_address",
                _("The electronic address of %(name)s is unknown: the status cannot reach it.")
                % {"name": recipient.name or recipient.id},
            )
    moment = at.astimezone(PARIS)
    return LifecycleMessage(
        # as the official examples name them: invoice, status and time, then type and date
        id=f"{invoice_number}_{code}_{moment:%Y%m%d%H%M%S}#{invoice_type}_{invoice_date:%Y%m%d}",
        issued_at=moment,
        status=code,
        status_at=moment,
        status_text=status(code).official,
        invoice_number=invoice_number,
        invoice_date=invoice_date,
        invoice_type=invoice_type,
        received_at=received_at,
        seller_id=seller_id,
        issuer=issuer,
        recipients=tuple(recipients),
        reason_code=reason_code,
        reason=reason,
        amounts=tuple(amounts),
    )
