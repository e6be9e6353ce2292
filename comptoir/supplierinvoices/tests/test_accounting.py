"""Supplier invoices in the FEC: each approved one is an entry of the purchase journal (AC), in
the same file as sales and bank, balanced, with the supplier credited (401, its code as the
auxiliary account), purchases debited line by line (goods 607, services 604) and the deductible
VAT (44566); one still to decide, or refused, is not booked."""

from collections import defaultdict
from decimal import Decimal

import pytest

from comptoir.catalog.models import Item
from comptoir.payments.accounting import FEC_COLUMNS, entries, fec, fiscal_year
from comptoir.payments.tests.test_fec import amount, read_fec
from comptoir.supplierinvoices import services
from comptoir.supplierinvoices.tests.test_reading import example
from comptoir.supplierinvoices.tests.test_services import order_for_use_case, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(vendeur):
    order = order_for_use_case(vendeur)
    hours = order.lines.first().item
    Item.objects.filter(pk=hours.pk).update(kind=Item.Kind.SERVICE)
    invoice = receive(example("UC1_F202500003", "CII")).invoice
    services.decide(invoice, 205)
    refused = receive(example("UC2_F202500004", "UBL")).invoice
    services.decide(refused, 210, reason_code="DOUBLE_FACT")
    receive(example("UC3_F202500005", "CII"))  # still to decide
    return invoice


def test_an_approved_supplier_invoice_is_a_balanced_purchase_entry(approved):
    start, end = fiscal_year(2025)
    made = [entry for entry in entries(start, end) if entry.journal[0] == "AC"]
    assert len(made) == 1 and made[0].balanced
    entry = made[0]
    assert (entry.piece, entry.number, str(entry.day)) == ("F202500003", "AC000001", "2025-07-01")
    by_account = {line.account: line for line in entry.lines}
    assert by_account["401000"].credit == Decimal("12000.00")
    assert by_account["401000"].aux_number == "VENDEUR"
    assert by_account["604000"].debit == Decimal("8000.00")  # 200 hours at 40 €, a service
    assert by_account["607000"].debit == Decimal("2000.00")  # 5 days at 400 €
    assert by_account["445660"].debit == Decimal("2000.00")


def test_the_purchase_journal_is_in_the_fec_with_its_18_columns(approved):
    rows = read_fec(fec(*fiscal_year(2025)))
    assert list(rows[0]) == FEC_COLUMNS
    purchases = [row for row in rows if row["JournalCode"] == "AC"]
    assert {row["JournalLib"] for row in purchases} == {"Achats"}
    assert {row["PieceRef"] for row in purchases} == {"F202500003"}
    totals = defaultdict(Decimal)
    for row in purchases:
        totals["debit"] += amount(row["Debit"])
        totals["credit"] += amount(row["Credit"])
        assert row["EcritureDate"] == row["PieceDate"] == "20250701"
    assert totals["debit"] == totals["credit"] == Decimal("12000.00")
    supplier = next(row for row in purchases if row["CompteNum"] == "401000")
    assert (supplier["CompAuxNum"], supplier["Credit"]) == ("VENDEUR", "12000,00")
    assert supplier["EcritureLib"] == "Facture fournisseur F202500003 Le Vendeur"


def test_the_accounts_are_the_reception_settings(approved):
    services.update_reception_settings(account_suppliers="401100", account_vat="445662")
    start, end = fiscal_year(2025)
    entry = next(entry for entry in entries(start, end) if entry.journal[0] == "AC")
    assert {"401100", "445662"} <= {line.account for line in entry.lines}
