"""The e-reporting file: a flux 10 ``Report`` (DGFiP external specifications, annex 7 v1.8).

``write_report()`` writes the transactions (10.1 invoices to businesses abroad, 10.3 consumer
sales per day) or the payments (10.2 per invoice, 10.4 per day) of one period: one report per
file (rule G6.29). ``xsd_errors()`` checks a file against the flux 10 XSD kept in
``comptoir/einvoicing/reference/``; the tests check the PPF's flux 10 rules too.

The elements have no namespace, as the XSD declares them. Every text written comes from the
database and may hold anything: characters XML cannot carry are dropped, identifiers are cut to
what the rules allow, amounts are written with a point and two decimals.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from lxml import etree

from comptoir.einvoicing.cdar import PARIS, REFERENCE
from comptoir.ereporting import data
from comptoir.ereporting.periods import PAYMENTS, Period

XSD = REFERENCE / "dgfip-flux10-xsd-1.8" / "ereporting.xsd"
PROFILE = "urn.cpro.gouv.fr:1p0:ereporting"  # TT-29 (rule S1.12)
SIREN, PLATFORM = "0002", "0238"  # schemes of the declarant (G6.26) and of the platform (G6.22)
EU_BUYER, OTHER_BUYER = "0223", "0227"  # buyers in the EU outside France, outside the EU (G2.19)
MAX_BYTES = 50_000_000
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
NOT_IN_ID = re.compile(r"[^a-zA-Z0-9\-+_/]")  # what an identifier may hold (G1.05, G1.104)


@dataclass(frozen=True)
class Declarant:
    """The company that reports (TG-5) and the approved platform that sends the file (TG-3)."""

    siren: str
    name: str
    vat_id: str
    country: str
    platform_id: str
    platform_name: str = ""


def report_id(declarant: Declarant, period: Period) -> str:
    """TT-1: unique per company, kind and period (50 characters at most, rule G1.104)."""
    kind = "P" if period.kind == PAYMENTS else "T"
    return f"ER-{declarant.siren}-{kind}-{period.start:%Y%m%d}-{period.end:%Y%m%d}"


def write_report(
    declarant: Declarant,
    period: Period,
    *,
    transactions: data.Transactions | None = None,
    payments: tuple[data.Received, ...] = (),
    issued_at: dt.datetime,
) -> bytes:
    root = etree.Element("Report")
    document = _sub(root, "ReportDocument")
    _sub(document, "Id", report_id(declarant, period))
    _sub(document, "Name", _text(f"E-reporting {declarant.name}", 100))
    _sub(
        _sub(document, "IssueDateTime"),
        "DateTimeString",
        f"{issued_at.astimezone(PARIS):%Y%m%d%H%M%S}",
    )
    _sub(document, "TypeCode", "IN")  # an initial report (G8.01)
    sender = _sub(document, "Sender")
    _sub(sender, "Id", _id(declarant.platform_id, 4), schemeId=PLATFORM)
    _sub(sender, "Name", _text(declarant.platform_name or f"PA {declarant.platform_id}", 100))
    _sub(sender, "RoleCode", "WK")
    issuer = _sub(document, "Issuer")
    _sub(issuer, "Id", declarant.siren, schemeId=SIREN)
    _sub(issuer, "Name", _text(declarant.name, 100))
    _sub(issuer, "RoleCode", "SE")
    if period.kind == PAYMENTS:
        _payments(_sub(root, "PaymentsReport"), period, payments)
    else:
        _transactions(_sub(root, "TransactionsReport"), declarant, period, transactions)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _period(parent, period: Period) -> None:
    element = _sub(parent, "ReportPeriod")
    _sub(element, "StartDate", _date(period.start))
    _sub(element, "EndDate", _date(period.end))


def _transactions(parent, declarant: Declarant, period: Period, transactions) -> None:
    _period(parent, period)
    for sale in transactions.invoices if transactions else ():
        _invoice(_sub(parent, "Invoice"), declarant, sale)
    for day in transactions.days if transactions else ():
        element = _sub(parent, "Transactions")
        _sub(element, "Date", _date(day.day))
        _sub(element, "TransactionsCurrency", day.currency)
        _sub(element, "CategoryCode", day.category)
        _sub(element, "TaxExclusiveAmount", _amount(day.taxable))
        _sub(element, "TaxTotal", _amount(day.tax))
        _sub(element, "TransactionsCount", str(day.count))
        for subtotal in day.subtotals:
            group = _sub(element, "TaxSubtotal")
            _sub(group, "TaxPercent", _rate(subtotal.rate))
            _sub(group, "TaxableAmount", _amount(subtotal.taxable))
            _sub(group, "TaxTotal", _amount(subtotal.tax))


def _invoice(element, declarant: Declarant, sale: data.InvoiceSale) -> None:
    _sub(element, "ID", _id(sale.number, 35))
    _sub(element, "IssueDate", _date(sale.date))
    _sub(element, "TypeCode", sale.type_code)
    _sub(element, "CurrencyCode", sale.currency)
    process = _sub(element, "BusinessProcess")
    _sub(process, "ID", sale.process)
    _sub(process, "TypeID", PROFILE)
    if sale.credited:
        referenced = _sub(element, "ReferencedDocument")
        _sub(referenced, "ID", _id(sale.credited[0], 35))
        _sub(referenced, "IssueDate", _date(sale.credited[1]))
    seller = _sub(element, "Seller")
    _sub(seller, "CompanyId", declarant.siren, schemeId=SIREN)
    _sub(seller, "TaxRegistrationId", _text(declarant.vat_id, 20), qualifyingId="VAT")
    _sub(_sub(seller, "PostalAddress"), "CountryId", declarant.country)
    buyer = _sub(element, "Buyer")
    vat_id = _id(sale.buyer_vat_id, 18)
    if vat_id and sale.buyer_country in data.EU:
        _sub(buyer, "CompanyId", vat_id, schemeId=EU_BUYER)
        _sub(buyer, "TaxRegistrationId", vat_id, qualifyingId="VAT")
    else:  # outside the EU, or no VAT number: the customer's own number at the company
        _sub(buyer, "CompanyId", vat_id or _id(sale.buyer_code, 18), schemeId=OTHER_BUYER)
    _sub(_sub(buyer, "PostalAddress"), "CountryId", _id(sale.buyer_country, 2))
    totals = _sub(element, "MonetaryTotal")
    _sub(totals, "TaxExclusiveAmount", _amount(sale.taxable))
    _sub(totals, "TaxAmount", _amount(sale.tax), CurrencyCode="EUR")
    for line in sale.vat:
        group = _sub(element, "TaxSubTotal")
        _sub(group, "TaxableAmount", _amount(line.taxable))
        _sub(group, "TaxAmount", _amount(line.tax))
        category = _sub(group, "TaxCategory")
        _sub(category, "Code", line.category)
        _sub(category, "Percent", _rate(line.rate))
        if line.exemption_reason:
            _sub(category, "TaxExemptionReason", _text(line.exemption_reason, 1000))
        if line.exemption_code:
            _sub(category, "TaxExemptionReasonCode", _text(line.exemption_code, 30))


def _payments(parent, period: Period, received: tuple[data.Received, ...]) -> None:
    _period(parent, period)
    for item in received:
        if item.invoice:
            element = _sub(parent, "Invoice")
            _sub(element, "InvoiceID", _id(item.invoice[0], 35))
            _sub(element, "IssueDate", _date(item.invoice[1]))
            _paid(_sub(element, "Payment"), item)
    for item in received:
        if not item.invoice:
            _paid(_sub(_sub(parent, "Transactions"), "Payment"), item)


def _paid(payment, item: data.Received) -> None:
    _sub(payment, "Date", _date(item.day))
    for rate, amount in item.amounts:
        subtotal = _sub(payment, "SubTotals")
        _sub(subtotal, "TaxPercent", _rate(rate))
        _sub(subtotal, "CurrencyCode", "EUR")
        _sub(subtotal, "Amount", _amount(amount))


def _sub(parent, tag: str, text: str | None = None, **attributes) -> etree._Element:
    element = etree.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def _text(value: str, limit: int) -> str:
    return NOT_XML.sub("", value or "").strip()[:limit] or "-"


def _id(value: str, limit: int) -> str:
    return NOT_IN_ID.sub("", value or "")[:limit]


def _date(day: dt.date) -> str:
    return f"{day:%Y%m%d}"


def _amount(value: Decimal) -> str:
    return f"{Decimal(value):.2f}"


def _rate(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


def xsd_errors(xml: bytes) -> list[str]:
    """What the flux 10 XSD finds wrong with this file (empty when it is valid). A file that
    is too large or declares a DTD (XXE, billion laughs) is refused unread."""
    if len(xml) > MAX_BYTES:
        return [f"larger than {MAX_BYTES // 1_000_000} MB"]
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        tree = etree.fromstring(xml, parser).getroottree()
    except etree.XMLSyntaxError as error:
        return [f"not well-formed: {error}"]
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        return ["declares a DTD or entities"]
    root = tree.getroot()
    schema = _schema()
    if schema.validate(root):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


@cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))
