"""The UBL 2.1 XML of an issued invoice (Invoice) or credit note (CreditNote), EN 16931.

The same document as the CII of comptoir.billing.facturx, in the other syntax EN 16931 allows:
the same data, the same notes, parties and periods (its helpers are reused), only the elements
differ. Element order follows the OASIS UBL 2.1 schemas, which enforce it.
"""

from lxml import etree

from comptoir.billing.facturx import (
    CREDIT_TRANSFER,
    OUTSIDE_SCOPE,
    PROFILES,
    SIREN_SCHEME,
    _amount,
    _process_type,
    _rate,
    _supply_period,
    electronic_address,
    note_texts,
    parties,
    xml_text,
)
from comptoir.billing.models import Invoice
from comptoir.core.models import Company
from comptoir.core.totals import line_amounts

CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
ROOTS = {
    "Invoice": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "CreditNote": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
}
NSMAP = {"cac": CAC, "cbc": CBC}
VAT_ON_ISSUE_DATE = "3"  # BT-8: VAT due on the invoice's issue date (UNTDID 2005)


def _el(parent, tag: str, text=None, **attrs):
    prefix, name = tag.split(":")
    node = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{name}", attrs)
    if text is not None:
        node.text = xml_text(text)
    return node


def _money(parent, tag: str, value, currency: str):
    return _el(parent, tag, _amount(value), currencyID=currency)


def build_ubl(invoice: Invoice) -> bytes:
    """The UBL 2.1 XML of an issued invoice or credit note."""
    company = Company.get()
    lines = list(invoice.lines.all())
    credit = invoice.kind == Invoice.Kind.CREDIT_NOTE
    kind = "CreditNote" if credit else "Invoice"
    root = etree.Element(f"{{{ROOTS[kind]}}}{kind}", nsmap={None: ROOTS[kind], **NSMAP})
    _el(root, "cbc:CustomizationID", PROFILES["en16931"])
    _el(root, "cbc:ProfileID", _process_type(lines))
    _el(root, "cbc:ID", invoice.number)
    _el(root, "cbc:IssueDate", invoice.date.isoformat())
    if invoice.due_date and not credit:  # a credit note states it in its payment means
        _el(root, "cbc:DueDate", invoice.due_date.isoformat())
    _el(root, f"cbc:{kind}TypeCode", Invoice.TYPE_CODES[invoice.kind])
    for subject, text in note_texts(invoice, company):
        _el(root, "cbc:Note", f"#{subject}#{text}" if subject else text)
    _el(root, "cbc:DocumentCurrencyCode", invoice.currency)
    if invoice.customer_reference:
        _el(root, "cbc:BuyerReference", invoice.customer_reference)
    _period(root, invoice, company)
    if invoice.credited_invoice_id:  # BG-3, the invoice this one corrects
        credited = invoice.credited_invoice
        reference = _el(_el(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        _el(reference, "cbc:ID", credited.number)
        _el(reference, "cbc:IssueDate", credited.date.isoformat())

    seller, buyer = parties(invoice, company, lines)
    _party(_el(root, "cac:AccountingSupplierParty"), **seller)
    _party(_el(root, "cac:AccountingCustomerParty"), **buyer)
    _delivery(root, invoice)
    _payment(root, invoice, company, credit)
    for item in invoice.allowances_charges:
        _allowance_charge(
            root,
            is_charge=bool(item.get("is_charge")),
            reason=item.get("reason") or ("Frais" if item.get("is_charge") else "Remise"),
            amount=item["amount"],
            currency=invoice.currency,
            category=(item["vat_category"], item["vat_rate"]),
            **_percentage(item),
        )
    _tax_total(root, invoice)
    _totals(root, invoice)
    for line in lines:
        _line(root, line, kind, invoice.currency)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _period(root, invoice: Invoice, company: Company) -> None:
    """BG-14, the invoicing period, and BT-8, when VAT is due (on debits: the issue date)."""
    period = _supply_period(invoice)
    on_debits = company.vat_on_debits and any(
        group["category"] == "S" for group in invoice.vat_breakdown
    )
    if not period and not on_debits:
        return
    holder = _el(root, "cac:InvoicePeriod")
    if period:
        _el(holder, "cbc:StartDate", period[0].isoformat())
        _el(holder, "cbc:EndDate", period[1].isoformat())
    if on_debits:
        _el(holder, "cbc:DescriptionCode", VAT_ON_ISSUE_DATE)


def _address(parent, tag: str, address: dict) -> None:
    postal = _el(parent, tag)
    for element, key in (
        ("cbc:StreetName", "line1"),
        ("cbc:AdditionalStreetName", "line2"),
        ("cbc:CityName", "city"),
        ("cbc:PostalZone", "postal_code"),
    ):
        if address.get(key):
            _el(postal, element, address[key])
    country = _el(postal, "cac:Country")
    _el(country, "cbc:IdentificationCode", address.get("country") or "FR")


def _party(
    holder,
    *,
    name,
    siren,
    vat_id,
    address,
    email="",
    tax_registration="",
    electronic_address_found="",
):
    party = _el(holder, "cac:Party")
    endpoint = electronic_address(siren, email, electronic_address_found)
    if endpoint:
        _el(party, "cbc:EndpointID", endpoint[0], schemeID=endpoint[1])
    _el(_el(party, "cac:PartyName"), "cbc:Name", name)
    _address(party, "cac:PostalAddress", address)
    # BT-31 (VAT), else BT-32 (another tax registration: the SIREN of a seller without VAT id).
    for scheme, value in (("VAT", vat_id), ("FC", tax_registration)):
        if value:
            registration = _el(party, "cac:PartyTaxScheme")
            _el(registration, "cbc:CompanyID", value)
            _el(_el(registration, "cac:TaxScheme"), "cbc:ID", scheme)
    legal = _el(party, "cac:PartyLegalEntity")
    _el(legal, "cbc:RegistrationName", name)
    if siren:
        _el(legal, "cbc:CompanyID", siren, schemeID=SIREN_SCHEME)


def _delivery(root, invoice: Invoice) -> None:
    """BT-72 and the deliver-to place (needed for intra-EU supplies)."""
    shipping = invoice.shipping_address
    supply_date = invoice.supply_date and not _supply_period(invoice)
    if not shipping and not supply_date:
        return
    delivery = _el(root, "cac:Delivery")
    if supply_date:
        _el(delivery, "cbc:ActualDeliveryDate", invoice.supply_date.isoformat())
    if shipping:
        _address(_el(delivery, "cac:DeliveryLocation"), "cac:Address", shipping)
        party = _el(delivery, "cac:DeliveryParty")
        _el(_el(party, "cac:PartyName"), "cbc:Name", shipping.get("name") or invoice.customer_name)


def _payment(root, invoice: Invoice, company: Company, credit: bool) -> None:
    """BG-16 (a transfer to the company's IBAN, not on a credit note) and BT-20."""
    if company.iban and not credit:
        means = _el(root, "cac:PaymentMeans")
        _el(means, "cbc:PaymentMeansCode", CREDIT_TRANSFER)
        _el(_el(means, "cac:PayeeFinancialAccount"), "cbc:ID", company.iban)
    if invoice.payment_terms_text:
        _el(_el(root, "cac:PaymentTerms"), "cbc:Note", invoice.payment_terms_text)


def _tax_category(parent, tag: str, category: str, rate, reason_code="", reason="") -> None:
    tax = _el(parent, tag)
    _el(tax, "cbc:ID", category)
    if category != OUTSIDE_SCOPE:  # a sale outside the scope of VAT states no rate (BR-O-05)
        _el(tax, "cbc:Percent", _rate(rate))
    if reason_code:
        _el(tax, "cbc:TaxExemptionReasonCode", reason_code)
    if reason:
        _el(tax, "cbc:TaxExemptionReason", reason)
    _el(_el(tax, "cac:TaxScheme"), "cbc:ID", "VAT")


def _percentage(item: dict) -> dict:
    """A document allowance or charge given as a percentage: BT-94/BT-101 of BT-93/BT-100."""
    if item.get("percent") in (None, ""):
        return {}
    return {"percent": item["percent"], "base": item["base"]}


def _allowance_charge(
    parent, *, is_charge, reason, amount, currency, category=None, percent=None, base=None
):
    """A document-level (with its VAT category) or line-level allowance or charge."""
    item = _el(parent, "cac:AllowanceCharge")
    _el(item, "cbc:ChargeIndicator", "true" if is_charge else "false")
    if not is_charge:
        _el(item, "cbc:AllowanceChargeReasonCode", "95")  # discount (UNTDID 5189)
    _el(item, "cbc:AllowanceChargeReason", reason)
    if percent is not None:
        _el(item, "cbc:MultiplierFactorNumeric", _rate(percent))
    _money(item, "cbc:Amount", amount, currency)
    if base is not None:
        _money(item, "cbc:BaseAmount", base, currency)
    if category:
        _tax_category(item, "cac:TaxCategory", *category)


def _tax_total(root, invoice: Invoice) -> None:
    total = _el(root, "cac:TaxTotal")
    _money(total, "cbc:TaxAmount", invoice.total_vat, invoice.currency)
    for group in invoice.vat_breakdown:
        subtotal = _el(total, "cac:TaxSubtotal")
        _money(subtotal, "cbc:TaxableAmount", group["taxable_amount"], invoice.currency)
        _money(subtotal, "cbc:TaxAmount", group["tax_amount"], invoice.currency)
        _tax_category(
            subtotal,
            "cac:TaxCategory",
            group["category"],
            group["rate"],
            group.get("exemption_reason_code", ""),
            group.get("exemption_reason", ""),
        )


def _totals(root, invoice: Invoice) -> None:
    totals = _el(root, "cac:LegalMonetaryTotal")
    currency = invoice.currency
    _money(totals, "cbc:LineExtensionAmount", invoice.total_lines, currency)
    _money(totals, "cbc:TaxExclusiveAmount", invoice.total_net, currency)
    _money(totals, "cbc:TaxInclusiveAmount", invoice.total_gross, currency)
    _money(totals, "cbc:AllowanceTotalAmount", invoice.total_allowances, currency)
    _money(totals, "cbc:ChargeTotalAmount", invoice.total_charges, currency)
    _money(totals, "cbc:PayableAmount", invoice.total_gross, currency)


def _line(root, line, kind: str, currency: str) -> None:
    quantity = "CreditedQuantity" if kind == "CreditNote" else "InvoicedQuantity"
    item = _el(root, f"cac:{kind}Line")
    _el(item, "cbc:ID", line.position)
    _el(item, f"cbc:{quantity}", f"{line.quantity:f}", unitCode=line.unit_code)
    _money(item, "cbc:LineExtensionAmount", line.net_amount, currency)
    amounts = line_amounts(line.totals_input())
    if amounts.allowance:
        _allowance_charge(
            item,
            is_charge=False,
            reason="Remise",
            amount=amounts.allowance,
            currency=currency,
            percent=line.discount_pct,
            base=amounts.net_amount + amounts.allowance,
        )
    product = _el(item, "cac:Item")
    _el(product, "cbc:Name", line.description)
    if line.item_code:
        _el(_el(product, "cac:SellersItemIdentification"), "cbc:ID", line.item_code)
    _tax_category(product, "cac:ClassifiedTaxCategory", line.vat_category, line.vat_rate)
    price = _el(item, "cac:Price")
    _el(price, "cbc:PriceAmount", f"{line.unit_price:f}", currencyID=currency)
