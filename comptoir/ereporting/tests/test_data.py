"""What is e-reported: consumer sales per day, category and rate; sales to businesses abroad
one by one; the payments of services; imported consumer sales as well."""

from decimal import Decimal

import pytest

from comptoir.ereporting import data
from comptoir.payments.services import register_payment

from .conftest import DAY1, DAY2, issue

pytestmark = pytest.mark.django_db
D = Decimal


def test_consumer_sales_are_aggregated_per_day_category_and_rate(sales):
    report = data.transactions(DAY1, DAY2)
    days = {(d.day, d.category): d for d in report.days}
    assert set(days) == {(DAY1, "TLB1"), (DAY1, "TPS1"), (DAY2, "TLB1")}
    first = days[(DAY1, "TLB1")]  # 2 chairs at 45.00 (20 %), a book at 21.10 (5.5 %)
    assert first.count == 1 and first.currency == "EUR"
    assert [(s.rate, s.taxable, s.tax) for s in first.subtotals] == [
        (D("20"), D("90.00"), D("18.00")),
        (D("5.5"), D("21.10"), D("1.16")),
    ]
    assert (first.taxable, first.tax) == (D("111.10"), D("19.16"))
    services = days[(DAY1, "TPS1")]
    assert [(s.rate, s.taxable, s.tax) for s in services.subtotals] == [
        (D("20"), D("90.00"), D("18.00"))
    ]
    # A chair sold, a chair credited: the credit note counts negative on its own day.
    second = days[(DAY2, "TLB1")]
    assert second.count == 2
    assert [(s.rate, s.taxable, s.tax) for s in second.subtotals] == [(D("20"), D("0"), D("0"))]


def test_sales_to_businesses_abroad_are_reported_one_by_one(sales):
    invoices = {i.number: i for i in data.transactions(DAY1, DAY2).invoices}
    assert set(invoices) == {sales["italian"].number, sales["swiss"].number}
    italian, swiss = invoices[sales["italian"].number], invoices[sales["swiss"].number]
    assert (italian.process, italian.buyer_country, italian.buyer_vat_id) == (
        "B1", "IT", "IT00743110157",
    )  # fmt: skip
    assert [(v.category, v.exemption_code) for v in italian.vat] == [("K", "VATEX-EU-IC")]
    assert (swiss.process, swiss.type_code, swiss.taxable) == ("M1", "380", D("315.00"))


def test_a_french_business_is_not_reported_and_a_period_holds_its_days_only(sales):
    assert sales["french"].number not in {i.number for i in data.transactions(DAY1, DAY2).invoices}
    assert {d.day for d in data.transactions(DAY2, DAY2).days} == {DAY2}


def test_the_queries_do_not_grow_with_the_invoices(
    sales, items, people, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        data.transactions(DAY1, DAY2)
    for _ in range(5):
        issue(people["swiss"], [("service", 1)], items, DAY2)
        issue(people["consumer"], [("service", 1)], items, DAY2)
    with django_assert_max_num_queries(2):
        assert len(data.transactions(DAY1, DAY2).invoices) == 7


def test_payments_of_services_are_reported_per_day_and_rate(sales, people, company):
    consumer, swiss = people["consumer"], people["swiss"]
    # The consumer pays the service (108.00) and half of the goods invoice.
    register_payment(
        consumer, D("108.00"), date=DAY2, allocations=[(sales["consumer-2"], D("108.00"))]
    )
    register_payment(
        consumer, D("50.00"), date=DAY2, allocations=[(sales["consumer-1"], D("50.00"))]
    )
    # The Swiss customer pays its invoice: the service is exported (G), not taxed in France.
    register_payment(swiss, sales["swiss"].total_gross, date=DAY2,
                     allocations=[(sales["swiss"], sales["swiss"].total_gross)])  # fmt: skip
    received = data.payments(DAY1, DAY2)
    assert [(r.day, r.amounts, r.invoice) for r in received] == [
        (DAY2, ((D("20"), D("108.00")),), None)
    ]


def test_payments_are_not_reported_when_vat_is_paid_on_debits(sales, people):
    from comptoir.core.services import update_company

    update_company(vat_on_debits=True)
    register_payment(people["consumer"], D("108.00"), date=DAY2,
                     allocations=[(sales["consumer-2"], D("108.00"))])  # fmt: skip
    assert data.payments(DAY1, DAY2) == ()


def test_a_consumer_sale_imported_from_a_partner_is_reported(company, settings, tmp_path):
    from comptoir.billing.models import Invoice
    from comptoir.imports.services import save_partner
    from comptoir.imports.tests.conftest import HEADER, csv_file, run

    settings.MEDIA_ROOT = tmp_path
    partner = save_partner(name="Boutique en ligne")
    row = (
        "W1;15/03/2026;W-C1;Paul Durand;p@durand.fr;3 rue Neuve;69003;Lyon;CAFE;Café;2;18,50;"
        "5,5;;;;particulier"
    )
    _batch, result = run(partner, csv_file(row, header=HEADER + ";type_client"))
    assert result.documents_created == 1
    invoice = Invoice.objects.get(customer_reference="W1")
    assert not invoice.customer_is_business
    (day,) = data.transactions(invoice.date, invoice.date).days
    assert (day.category, day.count) == ("TLB1", 1)
    assert [(s.rate, s.taxable, s.tax) for s in day.subtotals] == [
        (D("5.5"), D("37.00"), D("2.04"))
    ]
