"""Accounting entries and the FEC: 18 columns, entries numbered per journal, each balanced."""

import csv
import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from comptoir.billing import services as billing
from comptoir.payments.accounting import FEC_COLUMNS, entries, fec, fec_file_name, fiscal_year
from comptoir.payments.services import register_payment
from comptoir.pricing.engine import LineSpec
from comptoir.pricing.models import Tax
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db


def amount(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


@pytest.fixture
def year_of_sales(company):
    customer = CustomerFactory(code="CLI001", name="Boulangerie Durand")
    goods = ItemFactory(sale_price=Decimal("100.00"))
    book = ItemFactory(sale_price=Decimal("20.00"), tax=Tax.objects.get(code="TVA55"))
    service = ItemFactory(sale_price=Decimal("50.00"), kind="service")
    invoice = billing.issue_invoice(
        billing.create_invoice(
            customer,
            [LineSpec(goods, Decimal("2")), LineSpec(book, Decimal("3")), LineSpec(service, 1)],
            allowances_charges=[
                {"amount": "10.00", "is_charge": True, "reason": "Port",
                 "vat_category": "S", "vat_rate": "20.00"},
                {"amount": "5.00", "is_charge": False, "reason": "Remise",
                 "vat_category": "S", "vat_rate": "20.00"},
            ],
        )
    )  # fmt: skip
    credit = billing.issue_invoice(billing.credit_invoice(invoice, {invoice.lines.first().pk: 1}))
    register_payment(customer, Decimal("100.00"), allocations=[(invoice, Decimal("100.00"))])
    return invoice, credit


def read_fec(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text), delimiter="\t"))


def test_every_entry_balances_and_uses_the_right_accounts(year_of_sales):
    invoice, credit = year_of_sales
    start, end = fiscal_year(timezone.localdate().year)
    made = entries(start, end)
    assert [e.journal[0] for e in made].count("VE") == 2 and len(made) == 3
    assert all(e.balanced for e in made)
    sale = next(e for e in made if e.piece == invoice.number)
    by_account = {line.account: line for line in sale.lines}
    assert by_account["411000"].debit == invoice.total_gross
    assert by_account["707000"].credit == Decimal("260.00")  # 2 × 100 + 3 × 20
    assert by_account["706000"].credit == Decimal("50.00")
    assert by_account["708500"].credit == Decimal("10.00")
    assert by_account["709000"].debit == Decimal("5.00")
    assert by_account["445711"].credit + by_account["445713"].credit == invoice.total_vat
    returned = next(e for e in made if e.piece == credit.number)
    assert next(x for x in returned.lines if x.account == "411000").credit == credit.total_gross


def test_the_fec_has_the_18_columns_in_order_and_balances(year_of_sales):
    start, end = fiscal_year(timezone.localdate().year)
    rows = read_fec(fec(start, end))
    assert list(rows[0]) == FEC_COLUMNS
    assert len(FEC_COLUMNS) == 18
    by_entry = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for row in rows:
        by_entry[row["EcritureNum"]][0] += amount(row["Debit"])
        by_entry[row["EcritureNum"]][1] += amount(row["Credit"])
        assert len(row["EcritureDate"]) == 8 and row["EcritureDate"].isdigit()
    assert all(debit == credit for debit, credit in by_entry.values())
    assert sorted(by_entry) == ["BQ000001", "VE000001", "VE000002"]
    dates = [row["EcritureDate"] for row in rows]
    assert dates == sorted(dates)
    customers = [row for row in rows if row["CompteNum"] == "411000"]
    assert {row["CompAuxNum"] for row in customers} == {"CLI001"}


def test_the_fec_file_is_named_as_the_law_says(year_of_sales, tmp_path, api):
    year = timezone.localdate().year
    call_command("fec", str(year), "--directory", str(tmp_path), "--pipe")
    path = tmp_path / f"552100554FEC{year}1231.txt"
    assert path.exists() and path.name == fec_file_name(fiscal_year(year)[1])
    assert path.read_text().splitlines()[0] == "|".join(FEC_COLUMNS)
    response = api.get(f"/accounting/fec?year={year}")
    assert response.status_code == 200
    assert path.name in response["Content-Disposition"]
    assert api.get("/accounting/fec?year=12").status_code == 400


def test_the_fec_downloads_from_the_reports(year_of_sales, client, user):
    client.force_login(user)
    assert client.get("/accounting/fec/").status_code == 200
    response = client.get(
        "/accounting/fec/", {"year": timezone.localdate().year, "separator": "tab"}
    )
    assert response.status_code == 200
    assert response.content.decode().startswith("JournalCode\tJournalLib")
    assert client.get("/accounting/fec/", {"year": "abc"}).status_code == 400
