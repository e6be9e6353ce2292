"""The flux 10 file: transactions and payments of a period pass the XSD and the PPF's flux 10
rules (the project's own copies); hostile text stays harmless."""

import datetime as dt
from decimal import Decimal

import pytest
from lxml import etree

from comptoir.billing.tests.validation import assert_valid, rules
from comptoir.einvoicing.cdar import PARIS
from comptoir.ereporting import data
from comptoir.ereporting.flux10 import Declarant, write_report, xsd_errors
from comptoir.ereporting.periods import PAYMENTS, TRANSACTIONS, Period
from comptoir.payments.services import register_payment

from .conftest import DAY2
from .validation import validate_flux10

pytestmark = pytest.mark.django_db
AT = dt.datetime(2026, 10, 11, 8, 30, tzinfo=PARIS)
DECLARANT = Declarant(
    siren="552100554", name="Atelier Test SARL", vat_id="FR96552100554", country="FR",
    platform_id="0042",
)  # fmt: skip
DECADE = Period(TRANSACTIONS, dt.date(2026, 10, 1), dt.date(2026, 10, 10))
MONTH = Period(PAYMENTS, dt.date(2026, 10, 1), dt.date(2026, 10, 31))


def transactions_file(declarant=DECLARANT) -> bytes:
    sales = data.transactions(DECADE.start, DECADE.end)
    return write_report(declarant, DECADE, transactions=sales, issued_at=AT)


def test_the_transactions_of_a_decade_pass_the_xsd_and_the_flux_10_rules(sales):
    xml = transactions_file()
    assert_valid(validate_flux10(xml), "the transactions report")
    root = etree.fromstring(xml)
    assert root.findtext("ReportDocument/Id") == "ER-552100554-T-20261001-20261010"
    assert root.findtext("ReportDocument/IssueDateTime/DateTimeString") == "20261011083000"
    invoices = {i.findtext("ID"): i for i in root.findall("TransactionsReport/Invoice")}
    italian = invoices[sales["italian"].number]
    assert italian.find("Buyer/CompanyId").get("schemeId") == "0223"
    assert italian.findtext("Buyer/TaxRegistrationId") == "IT00743110157"
    assert italian.findtext("TaxSubTotal/TaxCategory/TaxExemptionReasonCode") == "VATEX-EU-IC"
    swiss = invoices[sales["swiss"].number]
    assert swiss.find("Buyer/CompanyId").get("schemeId") == "0227"
    assert swiss.findtext("BusinessProcess/ID") == "M1"
    days = [(t.findtext("Date"), t.findtext("CategoryCode")) for t in root.iter("Transactions")]
    assert days == [("20261005", "TLB1"), ("20261005", "TPS1"), ("20261006", "TLB1")]
    first = root.find("TransactionsReport/Transactions")
    subtotals = [
        (s.findtext("TaxPercent"), s.findtext("TaxableAmount")) for s in first.iter("TaxSubtotal")
    ]
    assert subtotals == [("20", "90.00"), ("5.5", "21.10")]
    assert (first.findtext("TaxExclusiveAmount"), first.findtext("TaxTotal")) == ("111.10", "19.16")


def test_a_credit_note_to_a_business_abroad_names_the_invoice_it_credits(sales, items, people):
    from comptoir.billing.services import credit_invoice, issue_invoices

    credit = issue_invoices([credit_invoice(sales["italian"])], day=DAY2)[0]
    xml = transactions_file()
    assert_valid(validate_flux10(xml), "the transactions report with a credit note")
    (element,) = [
        i for i in etree.fromstring(xml).iter("Invoice") if i.findtext("ID") == credit.number
    ]
    assert element.findtext("TypeCode") == "381"
    assert element.findtext("ReferencedDocument/ID") == sales["italian"].number
    assert element.findtext("ReferencedDocument/IssueDate") == "20261005"


def test_the_payments_of_a_month_pass_the_xsd_and_the_flux_10_rules(sales, people):
    register_payment(people["consumer"], Decimal("108.00"), date=DAY2,
                     allocations=[(sales["consumer-2"], Decimal("108.00"))])  # fmt: skip
    received = data.payments(MONTH.start, MONTH.end)
    xml = write_report(DECLARANT, MONTH, payments=received, issued_at=AT)
    assert_valid(validate_flux10(xml), "the payments report")
    payment = etree.fromstring(xml).find("PaymentsReport/Transactions/Payment")
    assert payment.findtext("Date") == "20261006"
    assert [
        (s.findtext("TaxPercent"), s.findtext("Amount")) for s in payment.iter("SubTotals")
    ] == [("20", "108.00")]
    assert etree.fromstring(xml).find("TransactionsReport") is None  # one report a file (G6.29)


def test_an_empty_period_makes_a_valid_file(company):
    xml = transactions_file()
    assert_valid(validate_flux10(xml), "an empty report")
    assert etree.fromstring(xml).find("TransactionsReport/Transactions") is None


def test_the_rules_catch_a_wrong_file(company):
    """The check can fail: a platform number of two characters breaks rule G6.22."""
    wrong = Declarant(**{**DECLARANT.__dict__, "platform_id": "42"})
    assert "G6.22" in rules(validate_flux10(transactions_file(wrong)))


def test_hostile_text_stays_harmless(company):
    hostile = Declarant(**{**DECLARANT.__dict__, "name": "<Report>&amp;\x00\x1b]]>" + "x" * 500})
    xml = transactions_file(hostile)
    assert xsd_errors(xml) == []
    name = etree.fromstring(xml).findtext("ReportDocument/Issuer/Name")
    assert name.startswith("<Report>&amp;]]>") and len(name) == 100
    xxe = b"<!DOCTYPE r [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><Report>&e;</Report>"
    assert xsd_errors(xxe) == ["declares a DTD or entities"]
