"""Reading a supplier's invoice: a Factur-X PDF, a CII XML or a UBL 2.1 XML, into one structure.

``read_invoice(content)`` says what the invoice states, as it states it (its totals are read,
not computed anew: a received invoice is what the supplier issued). The file is untrusted: the
XML is read by ``comptoir.core.safexml`` (no DTD, no entities, no network, within a size
limit); a file that is neither a PDF carrying an invoice, nor a CII, nor a UBL invoice is
refused with a message that says so.
"""

import logging
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from io import BytesIO

from django.utils.translation import gettext_lazy as _

from comptoir.core.errors import BusinessError
from comptoir.core.safexml import HOSTILE, MALFORMED, UnsafeXml, safe_root

logger = logging.getLogger(__name__)

MAX_BYTES = 20_000_000  # a Factur-X PDF with its attachments; far more is an attack
SIREN_SCHEME = "0002"
LARGEST = Decimal(10) ** 10  # what the columns of amounts, prices and quantities all hold

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
CII = {"rsm": RSM, "ram": RAM, "udt": UDT}
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
UBL = {"cac": CAC, "cbc": CBC}

FACTURX, CII_XML, UBL_XML = "facturx", "cii", "ubl"
CREDIT_NOTE_TYPES = {"381", "261", "262", "396", "532"}


class ReadingError(BusinessError):
    """A file that cannot be read as a supplier invoice; nothing was recorded."""

    status_code = 422


@dataclass(frozen=True)
class Party:
    name: str = ""
    siren: str = ""  # BT-30 / BT-47
    vat_id: str = ""  # BT-31 / BT-48
    address: dict = field(default_factory=dict)  # line1, line2, postal_code, city, country
    electronic_address: str = ""  # BT-34 / BT-49
    electronic_scheme: str = ""


@dataclass(frozen=True)
class Line:
    position: str  # BT-126
    name: str  # BT-153
    quantity: Decimal  # BT-129
    unit_price: Decimal  # BT-146 per unit (divided by its base quantity, BT-149)
    net_amount: Decimal  # BT-131
    vat_category: str  # BT-151
    vat_rate: Decimal | None  # BT-152
    unit_code: str = ""  # BT-130
    description: str = ""  # BT-154
    seller_item_code: str = ""  # BT-155
    buyer_item_code: str = ""  # BT-156
    order_line: str = ""  # BT-132


@dataclass(frozen=True)
class VatGroup:
    category: str  # BT-118
    rate: Decimal | None  # BT-119
    taxable_amount: Decimal  # BT-116
    tax_amount: Decimal  # BT-117
    exemption_reason: str = ""  # BT-120


@dataclass(frozen=True)
class ReceivedInvoice:
    """What a supplier's invoice states (EN 16931 terms in the comments)."""

    syntax: str  # facturx, cii, ubl
    number: str  # BT-1
    type_code: str  # BT-3
    date: date  # BT-2
    currency: str  # BT-5
    seller: Party
    buyer: Party
    lines: tuple[Line, ...]
    vat_breakdown: tuple[VatGroup, ...]
    total_lines: Decimal  # BT-106
    total_net: Decimal  # BT-109
    total_vat: Decimal  # BT-110
    total_gross: Decimal  # BT-112
    amount_due: Decimal  # BT-115
    total_allowances: Decimal = Decimal("0")  # BT-107
    total_charges: Decimal = Decimal("0")  # BT-108
    prepaid: Decimal = Decimal("0")  # BT-113
    due_date: date | None = None  # BT-9
    order_reference: str = ""  # BT-13
    buyer_reference: str = ""  # BT-10

    @property
    def is_credit_note(self) -> bool:
        return self.type_code in CREDIT_NOTE_TYPES

    def as_json(self) -> dict:
        """A JSON-ready copy (decimals and dates as text), for what a record keeps of it."""
        return _jsonable(asdict(self))


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal | date):
        return str(value) if isinstance(value, Decimal) else value.isoformat()
    return value


def read_invoice(content: bytes) -> ReceivedInvoice:
    """The invoice in this file (Factur-X PDF, CII or UBL); ReadingError otherwise."""
    if len(content) > MAX_BYTES:
        raise ReadingError(
            "supplier_invoice.too_large",
            _("The file is too large for an invoice (at most %(limit)s MB).")
            % {"limit": MAX_BYTES // 1_000_000},
        )
    syntax = None
    if content.startswith(b"%PDF"):
        content, syntax = _xml_of_pdf(content), FACTURX
    root = _root(content)
    if root.tag == f"{{{RSM}}}CrossIndustryInvoice":
        return _read_cii(root, syntax or CII_XML)
    if root.tag in (f"{{{UBL_INVOICE}}}Invoice", f"{{{UBL_CREDIT_NOTE}}}CreditNote"):
        return _read_ubl(root, syntax or UBL_XML)
    raise _not_an_invoice()


def _not_an_invoice() -> ReadingError:
    return ReadingError(
        "supplier_invoice.not_an_invoice",
        _("This file is not an invoice: Comptoir reads Factur-X PDF, CII and UBL invoices."),
    )


def _xml_of_pdf(content: bytes) -> bytes:
    from facturx import get_xml_from_pdf

    try:
        _name, xml = get_xml_from_pdf(BytesIO(content), check_xsd=False)
    except Exception:  # any failure of a broken PDF gets the same answer
        xml = None
    if not xml:
        raise ReadingError(
            "supplier_invoice.pdf_without_xml",
            _("This PDF carries no Factur-X invoice: it cannot be read as an e-invoice."),
        )
    return xml


def _root(content: bytes):
    try:
        return safe_root(content, MAX_BYTES)
    except UnsafeXml as problem:
        if problem.kind == HOSTILE:
            raise ReadingError(
                "supplier_invoice.hostile",
                _("The file declares a DTD or entities, which an invoice never does: refused."),
            ) from None
        if problem.kind == MALFORMED and not content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(
            b"<"
        ):
            raise _not_an_invoice() from None
        logger.info("A supplier invoice's XML is malformed: %s", problem.detail)
        raise ReadingError(
            "supplier_invoice.malformed",
            _(
                "This XML file is incomplete or damaged (line %(line)s): ask the supplier to "
                "send it again."
            )
            % {"line": problem.line or 1},
        ) from None


# ---------------------------------------------------------------- values


def _text(element, path: str, ns: dict) -> str:
    if element is None:
        return ""
    return (element.findtext(path, "", ns) or "").strip()


def _decimal(text: str, what: str, *, required: bool = True) -> Decimal | None:
    if not text:
        if required:
            raise _missing(what)
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or abs(value) >= LARGEST:
        raise ReadingError(
            "supplier_invoice.bad_number",
            _("The invoice states an invalid number for %(what)s: %(value)s.")
            % {"what": what, "value": text[:40]},
        )
    return value


def _date(text: str, fmt: str, what: str, *, required: bool = True) -> date | None:
    if not text:
        if required:
            raise _missing(what)
        return None
    try:
        return datetime.strptime(text, fmt).date()
    except ValueError:
        raise ReadingError(
            "supplier_invoice.bad_date",
            _("The invoice states an invalid date for %(what)s: %(value)s.")
            % {"what": what, "value": text[:40]},
        ) from None


def _missing(what: str) -> ReadingError:
    return ReadingError(
        "supplier_invoice.incomplete",
        _("The invoice does not state %(what)s.") % {"what": what},
    )


def _required(text: str, what: str) -> str:
    if not text:
        raise _missing(what)
    return text


def _amount(text: str, what: str) -> Decimal:
    return _decimal(text, what)


def _zero(text: str, what: str) -> Decimal:
    return _decimal(text, what, required=False) or Decimal("0")


def _per_unit(price: Decimal, base: Decimal | None) -> Decimal:
    return price / base if base else price


# ---------------------------------------------------------------- CII (and Factur-X)


def _cii(element, path: str) -> str:
    return _text(element, path, CII)


def _read_cii(root, syntax: str) -> ReceivedInvoice:
    document = root.find("rsm:ExchangedDocument", CII)
    transaction = root.find("rsm:SupplyChainTradeTransaction", CII)
    if document is None or transaction is None:
        raise _not_an_invoice()
    agreement = transaction.find("ram:ApplicableHeaderTradeAgreement", CII)
    settlement = transaction.find("ram:ApplicableHeaderTradeSettlement", CII)
    currency = _cii(settlement, "ram:InvoiceCurrencyCode")
    sums = _cii_find(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    if sums is None:
        raise _missing(_("its totals"))
    return ReceivedInvoice(
        syntax=syntax,
        number=_required(_cii(document, "ram:ID"), _("its number")),
        type_code=_cii(document, "ram:TypeCode"),
        date=_date(_cii(document, "ram:IssueDateTime/udt:DateTimeString"), "%Y%m%d", _("its date")),
        due_date=_date(
            _cii(
                settlement, "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString"
            ),
            "%Y%m%d",
            _("its due date"),
            required=False,
        ),
        currency=currency or "EUR",
        seller=_cii_party(_cii_find(agreement, "ram:SellerTradeParty"), _("its seller")),
        buyer=_cii_party(_cii_find(agreement, "ram:BuyerTradeParty"), _("its buyer")),
        order_reference=_cii(agreement, "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"),
        buyer_reference=_cii(agreement, "ram:BuyerReference"),
        lines=tuple(
            _cii_line(item)
            for item in transaction.iterfind("ram:IncludedSupplyChainTradeLineItem", CII)
        ),
        vat_breakdown=tuple(
            VatGroup(
                category=_cii(tax, "ram:CategoryCode"),
                rate=_decimal(
                    _cii(tax, "ram:RateApplicablePercent"), _("a VAT rate"), required=False
                ),
                taxable_amount=_amount(_cii(tax, "ram:BasisAmount"), _("a VAT basis")),
                tax_amount=_amount(_cii(tax, "ram:CalculatedAmount"), _("a VAT amount")),
                exemption_reason=_cii(tax, "ram:ExemptionReason"),
            )
            for tax in settlement.iterfind("ram:ApplicableTradeTax", CII)
        ),
        total_lines=_amount(_cii(sums, "ram:LineTotalAmount"), _("its total of lines")),
        total_allowances=_zero(_cii(sums, "ram:AllowanceTotalAmount"), _("its allowances")),
        total_charges=_zero(_cii(sums, "ram:ChargeTotalAmount"), _("its charges")),
        total_net=_amount(_cii(sums, "ram:TaxBasisTotalAmount"), _("its total without VAT")),
        total_vat=_cii_total_vat(sums, currency),
        total_gross=_amount(_cii(sums, "ram:GrandTotalAmount"), _("its total with VAT")),
        prepaid=_zero(_cii(sums, "ram:TotalPrepaidAmount"), _("its amount paid")),
        amount_due=_amount(_cii(sums, "ram:DuePayableAmount"), _("its amount due")),
    )


def _cii_find(element, path: str):
    return element.find(path, CII) if element is not None else None


def _cii_total_vat(sums, currency: str) -> Decimal:
    """BT-110: the VAT total in the invoice's currency (a second one, BT-111, may follow)."""
    totals = sums.findall("ram:TaxTotalAmount", CII)
    for total in totals:
        if total.get("currencyID", currency) == currency:
            return _amount((total.text or "").strip(), _("its total VAT"))
    return _zero("", "")


def _cii_party(party, what: str) -> Party:
    if party is None:
        raise _missing(what)
    siren = ""
    legal = party.find("ram:SpecifiedLegalOrganization/ram:ID", CII)
    if legal is not None and legal.get("schemeID", SIREN_SCHEME) == SIREN_SCHEME:
        siren = (legal.text or "").strip()
    vat_id = ""
    for registration in party.iterfind("ram:SpecifiedTaxRegistration/ram:ID", CII):
        if registration.get("schemeID") == "VA":
            vat_id = (registration.text or "").strip()
    uri = party.find("ram:URIUniversalCommunication/ram:URIID", CII)
    postal = party.find("ram:PostalTradeAddress", CII)
    return Party(
        name=_cii(party, "ram:Name"),
        siren=siren,
        vat_id=vat_id,
        address={
            key: _cii(postal, tag)
            for key, tag in (
                ("line1", "ram:LineOne"),
                ("line2", "ram:LineTwo"),
                ("postal_code", "ram:PostcodeCode"),
                ("city", "ram:CityName"),
                ("country", "ram:CountryID"),
            )
            if _cii(postal, tag)
        },
        electronic_address=(uri.text or "").strip() if uri is not None else "",
        electronic_scheme=uri.get("schemeID", "") if uri is not None else "",
    )


def _cii_line(item) -> Line:
    product = item.find("ram:SpecifiedTradeProduct", CII)
    agreement = item.find("ram:SpecifiedLineTradeAgreement", CII)
    quantity = item.find("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", CII)
    tax = item.find("ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax", CII)
    price = _amount(
        _cii(agreement, "ram:NetPriceProductTradePrice/ram:ChargeAmount"), _("a line's price")
    )
    base = _decimal(
        _cii(agreement, "ram:NetPriceProductTradePrice/ram:BasisQuantity"),
        _("a line's base quantity"),
        required=False,
    )
    return Line(
        position=_cii(item, "ram:AssociatedDocumentLineDocument/ram:LineID"),
        name=_cii(product, "ram:Name"),
        description=_cii(product, "ram:Description"),
        seller_item_code=_cii(product, "ram:SellerAssignedID"),
        buyer_item_code=_cii(product, "ram:BuyerAssignedID"),
        quantity=_amount(
            (quantity.text or "").strip() if quantity is not None else "", _("a line's quantity")
        ),
        unit_code=quantity.get("unitCode", "") if quantity is not None else "",
        unit_price=_per_unit(price, base),
        net_amount=_amount(
            _cii(
                item,
                "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
            ),
            _("a line's net amount"),
        ),
        vat_category=_cii(tax, "ram:CategoryCode"),
        vat_rate=_decimal(_cii(tax, "ram:RateApplicablePercent"), _("a VAT rate"), required=False),
        order_line=_cii(agreement, "ram:BuyerOrderReferencedDocument/ram:LineID"),
    )


# ---------------------------------------------------------------- UBL


def _ubl(element, path: str) -> str:
    return _text(element, path, UBL)


def _read_ubl(root, syntax: str) -> ReceivedInvoice:
    credit = root.tag == f"{{{UBL_CREDIT_NOTE}}}CreditNote"
    kind = "CreditNote" if credit else "Invoice"
    currency = _ubl(root, "cbc:DocumentCurrencyCode") or "EUR"
    totals = root.find("cac:LegalMonetaryTotal", UBL)
    if totals is None:
        raise _missing(_("its totals"))
    tax_total = next(
        (
            t
            for t in root.iterfind("cac:TaxTotal", UBL)
            if (t.find("cbc:TaxAmount", UBL) is not None)
            and t.find("cbc:TaxAmount", UBL).get("currencyID", currency) == currency
        ),
        None,
    )
    return ReceivedInvoice(
        syntax=syntax,
        number=_required(_ubl(root, "cbc:ID"), _("its number")),
        type_code=_ubl(root, f"cbc:{kind}TypeCode") or ("381" if credit else "380"),
        date=_date(_ubl(root, "cbc:IssueDate"), "%Y-%m-%d", _("its date")),
        due_date=_date(
            _ubl(root, "cbc:DueDate") or _ubl(root, "cac:PaymentMeans/cbc:PaymentDueDate"),
            "%Y-%m-%d",
            _("its due date"),
            required=False,
        ),
        currency=currency,
        seller=_ubl_party(root.find("cac:AccountingSupplierParty/cac:Party", UBL), _("its seller")),
        buyer=_ubl_party(root.find("cac:AccountingCustomerParty/cac:Party", UBL), _("its buyer")),
        order_reference=_ubl(root, "cac:OrderReference/cbc:ID"),
        buyer_reference=_ubl(root, "cbc:BuyerReference"),
        lines=tuple(_ubl_line(line, credit) for line in root.iterfind(f"cac:{kind}Line", UBL)),
        vat_breakdown=tuple(
            VatGroup(
                category=_ubl(sub, "cac:TaxCategory/cbc:ID"),
                rate=_decimal(
                    _ubl(sub, "cac:TaxCategory/cbc:Percent"), _("a VAT rate"), required=False
                ),
                taxable_amount=_amount(_ubl(sub, "cbc:TaxableAmount"), _("a VAT basis")),
                tax_amount=_amount(_ubl(sub, "cbc:TaxAmount"), _("a VAT amount")),
                exemption_reason=_ubl(sub, "cac:TaxCategory/cbc:TaxExemptionReason"),
            )
            for sub in (tax_total.iterfind("cac:TaxSubtotal", UBL) if tax_total is not None else ())
        ),
        total_lines=_amount(_ubl(totals, "cbc:LineExtensionAmount"), _("its total of lines")),
        total_allowances=_zero(_ubl(totals, "cbc:AllowanceTotalAmount"), _("its allowances")),
        total_charges=_zero(_ubl(totals, "cbc:ChargeTotalAmount"), _("its charges")),
        total_net=_amount(_ubl(totals, "cbc:TaxExclusiveAmount"), _("its total without VAT")),
        total_vat=_zero(_ubl(tax_total, "cbc:TaxAmount"), _("its total VAT")),
        total_gross=_amount(_ubl(totals, "cbc:TaxInclusiveAmount"), _("its total with VAT")),
        prepaid=_zero(_ubl(totals, "cbc:PrepaidAmount"), _("its amount paid")),
        amount_due=_amount(_ubl(totals, "cbc:PayableAmount"), _("its amount due")),
    )


def _ubl_party(party, what: str) -> Party:
    if party is None:
        raise _missing(what)
    siren = ""
    legal = party.find("cac:PartyLegalEntity/cbc:CompanyID", UBL)
    if legal is not None and legal.get("schemeID", SIREN_SCHEME) == SIREN_SCHEME:
        siren = (legal.text or "").strip()
    vat_id = ""
    for scheme in party.iterfind("cac:PartyTaxScheme", UBL):
        if _ubl(scheme, "cac:TaxScheme/cbc:ID") == "VAT":
            vat_id = _ubl(scheme, "cbc:CompanyID")
    endpoint = party.find("cbc:EndpointID", UBL)
    postal = party.find("cac:PostalAddress", UBL)
    return Party(
        name=_ubl(party, "cac:PartyLegalEntity/cbc:RegistrationName")
        or _ubl(party, "cac:PartyName/cbc:Name"),
        siren=siren,
        vat_id=vat_id,
        address={
            key: _ubl(postal, tag)
            for key, tag in (
                ("line1", "cbc:StreetName"),
                ("line2", "cbc:AdditionalStreetName"),
                ("postal_code", "cbc:PostalZone"),
                ("city", "cbc:CityName"),
                ("country", "cac:Country/cbc:IdentificationCode"),
            )
            if _ubl(postal, tag)
        },
        electronic_address=(endpoint.text or "").strip() if endpoint is not None else "",
        electronic_scheme=endpoint.get("schemeID", "") if endpoint is not None else "",
    )


def _ubl_line(line, credit: bool) -> Line:
    quantity = line.find("cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity", UBL)
    item = line.find("cac:Item", UBL)
    price = _amount(_ubl(line, "cac:Price/cbc:PriceAmount"), _("a line's price"))
    base = _decimal(
        _ubl(line, "cac:Price/cbc:BaseQuantity"), _("a line's base quantity"), required=False
    )
    return Line(
        position=_ubl(line, "cbc:ID"),
        name=_ubl(item, "cbc:Name"),
        description=_ubl(item, "cbc:Description"),
        seller_item_code=_ubl(item, "cac:SellersItemIdentification/cbc:ID"),
        buyer_item_code=_ubl(item, "cac:BuyersItemIdentification/cbc:ID"),
        quantity=_amount(
            (quantity.text or "").strip() if quantity is not None else "", _("a line's quantity")
        ),
        unit_code=quantity.get("unitCode", "") if quantity is not None else "",
        unit_price=_per_unit(price, base),
        net_amount=_amount(_ubl(line, "cbc:LineExtensionAmount"), _("a line's net amount")),
        vat_category=_ubl(item, "cac:ClassifiedTaxCategory/cbc:ID"),
        vat_rate=_decimal(
            _ubl(item, "cac:ClassifiedTaxCategory/cbc:Percent"), _("a VAT rate"), required=False
        ),
        order_line=_ubl(line, "cac:OrderLineReference/cbc:LineID"),
    )
