"""The Factur-X / ZUGFeRD CII XML of an issued invoice or credit note (EN 16931 profile, or
BASIC by company setting).

Everything comes from what the invoice stores (its snapshot, its lines, its totals and VAT
breakdown computed by core.totals): the XML states the document, it computes nothing anew.
Element order follows the CII D16B schema, which the Factur-X XSD enforces.
"""

import re
from decimal import Decimal

from lxml import etree

from comptoir.billing.models import Invoice
from comptoir.billing.signals import BUYER_ADDRESSES
from comptoir.core.models import Company
from comptoir.core.totals import line_amounts

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "qdt": QDT, "udt": UDT}
PROFILES = {
    "en16931": "urn:cen.eu:en16931:2017",
    "basic": "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic",
}
SIREN_SCHEME = "0002"  # ISO 6523 code of the French SIRENE register
ELECTRONIC_ADDRESS_SCHEME = "0225"  # SIREN-based addressing of the French e-invoicing network
CREDIT_TRANSFER = "58"  # SEPA credit transfer (UNTDID 4461)
OUTSIDE_SCOPE = "O"  # VAT category "not subject to VAT" (UNTDID 5305)


# What XML 1.0 cannot hold: the control characters but tab and line ends.
XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_text(value) -> str:
    """A value as an e-invoice can hold it. Control characters are refused on input; one
    kept from before (an old record, a file's text) is left out rather than stopping the
    invoice from being printed or sent."""
    return XML_UNSAFE.sub("", str(value))


def _el(parent, tag: str, text=None, **attrs):
    prefix, name = tag.split(":")
    node = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{name}", attrs)
    if text is not None:
        node.text = xml_text(text)
    return node


def _date(parent, tag: str, day, kind: str = "udt") -> None:
    holder = _el(parent, tag)
    _el(holder, f"{kind}:DateTimeString", day.strftime("%Y%m%d"), format="102")


def _amount(value) -> str:
    return f"{Decimal(value):.2f}"


def _rate(value) -> str:
    return f"{Decimal(value).normalize():f}"


def _party(
    parent,
    tag: str,
    *,
    name,
    siren,
    vat_id,
    address: dict,
    email: str = "",
    tax_registration="",
    electronic_address_found="",
):
    party = _el(parent, tag)
    _el(party, "ram:Name", name)
    if siren:
        legal = _el(party, "ram:SpecifiedLegalOrganization")
        _el(legal, "ram:ID", siren, schemeID=SIREN_SCHEME)
    postal = _el(party, "ram:PostalTradeAddress")
    if address.get("postal_code"):
        _el(postal, "ram:PostcodeCode", address["postal_code"])
    if address.get("line1"):
        _el(postal, "ram:LineOne", address["line1"])
    if address.get("line2"):
        _el(postal, "ram:LineTwo", address["line2"])
    if address.get("city"):
        _el(postal, "ram:CityName", address["city"])
    _el(postal, "ram:CountryID", address.get("country") or "FR")
    address = electronic_address(siren, email, electronic_address_found)
    if address:
        uri = _el(party, "ram:URIUniversalCommunication")
        _el(uri, "ram:URIID", address[0], schemeID=address[1])
    # BT-31 (VA), else BT-32 (FC): a seller without a VAT number (the franchise) is identified
    # by its SIREN, which an exempt invoice needs (EN 16931 BR-E-02).
    for scheme, value in (("VA", vat_id), ("FC", tax_registration)):
        if value:
            registration = _el(party, "ram:SpecifiedTaxRegistration")
            _el(registration, "ram:ID", value, schemeID=scheme)
    return party


def electronic_address(siren: str, email: str, found: str = "") -> tuple[str, str] | None:
    """BT-34/BT-49 and its scheme: SIREN-based on the French network (the address ``found`` in
    the platform's directory, else the SIREN itself), else the e-mail."""
    if found:
        return found, ELECTRONIC_ADDRESS_SCHEME
    if siren:
        return siren, ELECTRONIC_ADDRESS_SCHEME
    if email:
        return email, "EM"
    return None


def _process_type(lines) -> str:
    """BT-23 for the French network: B1 goods, S1 services, M1 both."""
    kinds = {line.is_service for line in lines}
    if kinds == {True}:
        return "S1"
    if kinds == {False}:
        return "B1"
    return "M1"


def note_texts(invoice: Invoice, company: Company) -> list[tuple[str, str]]:
    """The document's notes (BG-1) as (subject code, text): the invoice's own note, then the
    French mandatory ones (BR-FR-05): recovery fee (PMT), late penalties (PMD), early payment
    (AAB)."""
    notes = [
        (
            "PMT",
            "Indemnité forfaitaire pour frais de recouvrement : 40 €."
            if invoice.customer_is_business
            else "Pas d'indemnité forfaitaire (client particulier).",
        ),
        ("PMD", company.late_penalty_text),
        ("AAB", company.early_payment_text),
    ]
    if invoice.notes:
        notes.insert(0, ("", invoice.notes))
    return notes


def _notes(document, invoice: Invoice, company: Company) -> None:
    for subject, text in note_texts(invoice, company):
        note = _el(document, "ram:IncludedNote")
        _el(note, "ram:Content", text)
        if subject:
            _el(note, "ram:SubjectCode", subject)


def parties(invoice: Invoice, company: Company, lines) -> tuple[dict, dict]:
    """The seller and the buyer, as both syntaxes state them. An invoice outside the scope of
    VAT states no VAT number (BR-O-02): the seller is then identified by its SIREN."""
    outside_scope = any(line.vat_category == OUTSIDE_SCOPE for line in lines)
    seller_vat_id = "" if outside_scope else company.vat_id
    seller = {
        "name": company.legal_name,
        "siren": company.siren,
        "vat_id": seller_vat_id,
        "address": _company_address(company),
        "email": company.email,
        "tax_registration": "" if seller_vat_id else company.siren,
    }
    buyer = {
        "name": invoice.customer_name,
        "siren": invoice.customer_siren,
        "vat_id": "" if outside_scope else invoice.customer_vat_id,
        "address": invoice.billing_address or {},
        "email": invoice.customer.email,
        "electronic_address_found": next(
            (found for ask in BUYER_ADDRESSES if (found := ask(invoice))), ""
        ),
    }
    return seller, buyer


def _company_address(company: Company) -> dict:
    return {
        "line1": company.address_line1,
        "line2": company.address_line2,
        "postal_code": company.postal_code,
        "city": company.city,
        "country": company.country,
    }


# What the BASIC profile leaves out of what Comptoir states (its XSD refuses them).
NOT_IN_BASIC = [
    ".//ram:SpecifiedTradeProduct/ram:SellerAssignedID",
]


def build_xml(invoice: Invoice, profile: str | None = None) -> bytes:
    """The CII XML of an issued invoice or credit note, in the company's profile unless one
    is given."""
    company = Company.get()
    profile = profile or company.facturx_profile
    lines = list(invoice.lines.all())
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)

    context = _el(root, "rsm:ExchangedDocumentContext")
    process = _el(context, "ram:BusinessProcessSpecifiedDocumentContextParameter")
    _el(process, "ram:ID", _process_type(lines))
    guideline = _el(context, "ram:GuidelineSpecifiedDocumentContextParameter")
    _el(guideline, "ram:ID", PROFILES[profile])

    document = _el(root, "rsm:ExchangedDocument")
    _el(document, "ram:ID", invoice.number)
    _el(document, "ram:TypeCode", Invoice.TYPE_CODES[invoice.kind])
    _date(document, "ram:IssueDateTime", invoice.date)
    _notes(document, invoice, company)

    transaction = _el(root, "rsm:SupplyChainTradeTransaction")
    for line in lines:
        _line(transaction, line)

    agreement = _el(transaction, "ram:ApplicableHeaderTradeAgreement")
    if invoice.customer_reference:
        _el(agreement, "ram:BuyerReference", invoice.customer_reference)
    seller, buyer = parties(invoice, company, lines)
    _party(agreement, "ram:SellerTradeParty", **seller)
    _party(agreement, "ram:BuyerTradeParty", **buyer)

    delivery = _el(transaction, "ram:ApplicableHeaderTradeDelivery")
    if invoice.shipping_address:  # the deliver-to country is needed for intra-EU supplies
        ship_to = _el(delivery, "ram:ShipToTradeParty")
        _el(ship_to, "ram:Name", invoice.shipping_address.get("name") or invoice.customer_name)
        postal = _el(ship_to, "ram:PostalTradeAddress")
        for tag, key in (
            ("ram:PostcodeCode", "postal_code"),
            ("ram:LineOne", "line1"),
            ("ram:CityName", "city"),
        ):
            if invoice.shipping_address.get(key):
                _el(postal, tag, invoice.shipping_address[key])
        _el(postal, "ram:CountryID", invoice.shipping_address.get("country") or "FR")
    if invoice.supply_date and not _supply_period(invoice):
        event = _el(delivery, "ram:ActualDeliverySupplyChainEvent")
        _date(event, "ram:OccurrenceDateTime", invoice.supply_date)

    _settlement(transaction, invoice, company)
    if profile == "basic":
        for path in NOT_IN_BASIC:
            for element in list(root.iterfind(path, NSMAP)):
                element.getparent().remove(element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _vat_rate(tax, category: str, rate) -> None:
    """A sale outside the scope of VAT states no rate (EN 16931 BR-O-05, BR-48)."""
    if category != OUTSIDE_SCOPE:
        _el(tax, "ram:RateApplicablePercent", _rate(rate))


def _line(transaction, line) -> None:
    item = _el(transaction, "ram:IncludedSupplyChainTradeLineItem")
    document = _el(item, "ram:AssociatedDocumentLineDocument")
    _el(document, "ram:LineID", line.position)
    product = _el(item, "ram:SpecifiedTradeProduct")
    if line.item_code:
        _el(product, "ram:SellerAssignedID", line.item_code)
    _el(product, "ram:Name", line.description)
    agreement = _el(item, "ram:SpecifiedLineTradeAgreement")
    price = _el(agreement, "ram:NetPriceProductTradePrice")
    _el(price, "ram:ChargeAmount", f"{Decimal(line.unit_price):f}")
    delivery = _el(item, "ram:SpecifiedLineTradeDelivery")
    _el(delivery, "ram:BilledQuantity", f"{Decimal(line.quantity):f}", unitCode=line.unit_code)
    settlement = _el(item, "ram:SpecifiedLineTradeSettlement")
    tax = _el(settlement, "ram:ApplicableTradeTax")
    _el(tax, "ram:TypeCode", "VAT")
    _el(tax, "ram:CategoryCode", line.vat_category)
    _vat_rate(tax, line.vat_category, line.vat_rate)
    amounts = line_amounts(line.totals_input())
    if amounts.allowance:
        allowance = _el(settlement, "ram:SpecifiedTradeAllowanceCharge")
        indicator = _el(allowance, "ram:ChargeIndicator")
        _el(indicator, "udt:Indicator", "false")
        _el(allowance, "ram:CalculationPercent", _rate(line.discount_pct))
        _el(allowance, "ram:BasisAmount", _amount(amounts.net_amount + amounts.allowance))
        _el(allowance, "ram:ActualAmount", _amount(amounts.allowance))
        _el(allowance, "ram:ReasonCode", "95")  # discount (UNTDID 5189)
        _el(allowance, "ram:Reason", "Remise")
    summation = _el(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _el(summation, "ram:LineTotalAmount", _amount(line.net_amount))


def _supply_period(invoice: Invoice):
    """The invoicing period (BG-14): the days goods shipped over (BT-73, BT-74); on a
    down-payment invoice, which supplies nothing yet, the expected date, if one was given, is
    the period it relates to, never an actual delivery date (BT-72)."""
    if invoice.supply_end_date:
        return invoice.supply_date, invoice.supply_end_date
    if invoice.kind == Invoice.Kind.DOWN_PAYMENT and invoice.supply_date:
        return invoice.supply_date, invoice.supply_date
    return None


def _settlement(transaction, invoice: Invoice, company: Company) -> None:
    settlement = _el(transaction, "ram:ApplicableHeaderTradeSettlement")
    _el(settlement, "ram:InvoiceCurrencyCode", invoice.currency)
    if company.iban and invoice.kind != Invoice.Kind.CREDIT_NOTE:
        means = _el(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        _el(means, "ram:TypeCode", CREDIT_TRANSFER)
        account = _el(means, "ram:PayeePartyCreditorFinancialAccount")
        _el(account, "ram:IBANID", company.iban)
    for group in invoice.vat_breakdown:
        tax = _el(settlement, "ram:ApplicableTradeTax")
        _el(tax, "ram:CalculatedAmount", _amount(group["tax_amount"]))
        _el(tax, "ram:TypeCode", "VAT")
        if group.get("exemption_reason"):
            _el(tax, "ram:ExemptionReason", group["exemption_reason"])
        _el(tax, "ram:BasisAmount", _amount(group["taxable_amount"]))
        _el(tax, "ram:CategoryCode", group["category"])
        if group.get("exemption_reason_code"):
            _el(tax, "ram:ExemptionReasonCode", group["exemption_reason_code"])
        if company.vat_on_debits and group["category"] == "S":
            _el(tax, "ram:DueDateTypeCode", "5")  # VAT due on the invoice's issue date
        _vat_rate(tax, group["category"], group["rate"])
    period = _supply_period(invoice)
    if period:
        billing_period = _el(settlement, "ram:BillingSpecifiedPeriod")
        _date(billing_period, "ram:StartDateTime", period[0])
        _date(billing_period, "ram:EndDateTime", period[1])
    for item in invoice.allowances_charges:
        charge = _el(settlement, "ram:SpecifiedTradeAllowanceCharge")
        indicator = _el(charge, "ram:ChargeIndicator")
        _el(indicator, "udt:Indicator", "true" if item.get("is_charge") else "false")
        if item.get("percent") not in (None, ""):  # BT-94/BT-101 of its base BT-93/BT-100
            _el(charge, "ram:CalculationPercent", _rate(item["percent"]))
            _el(charge, "ram:BasisAmount", _amount(item["base"]))
        _el(charge, "ram:ActualAmount", _amount(item["amount"]))
        _el(
            charge,
            "ram:Reason",
            item.get("reason") or ("Frais" if item.get("is_charge") else "Remise"),
        )
        tax = _el(charge, "ram:CategoryTradeTax")
        _el(tax, "ram:TypeCode", "VAT")
        _el(tax, "ram:CategoryCode", item["vat_category"])
        _vat_rate(tax, item["vat_category"], item["vat_rate"])
    terms = _el(settlement, "ram:SpecifiedTradePaymentTerms")
    if invoice.payment_terms_text:
        _el(terms, "ram:Description", invoice.payment_terms_text)
    if invoice.due_date:
        _date(terms, "ram:DueDateDateTime", invoice.due_date)
    summation = _el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _el(summation, "ram:LineTotalAmount", _amount(invoice.total_lines))
    _el(summation, "ram:ChargeTotalAmount", _amount(invoice.total_charges))
    _el(summation, "ram:AllowanceTotalAmount", _amount(invoice.total_allowances))
    _el(summation, "ram:TaxBasisTotalAmount", _amount(invoice.total_net))
    _el(summation, "ram:TaxTotalAmount", _amount(invoice.total_vat), currencyID=invoice.currency)
    _el(summation, "ram:GrandTotalAmount", _amount(invoice.total_gross))
    _el(summation, "ram:DuePayableAmount", _amount(invoice.total_gross))
    if invoice.credited_invoice_id:
        credited = invoice.credited_invoice
        reference = _el(settlement, "ram:InvoiceReferencedDocument")
        _el(reference, "ram:IssuerAssignedID", credited.number)
        _date(reference, "ram:FormattedIssueDateTime", credited.date, "qdt")
