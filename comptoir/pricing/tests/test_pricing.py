from datetime import date
from decimal import Decimal

import pytest

from comptoir.catalog import services as catalog
from comptoir.core.errors import BusinessError
from comptoir.pricing.engine import LineSpec, price_lines
from comptoir.pricing.models import PaymentTerms, Tax
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.mark.parametrize(
    ("code", "invoice_date", "due"),
    [
        ("RECEPTION", date(2026, 1, 31), date(2026, 1, 31)),
        ("30J", date(2026, 1, 31), date(2026, 3, 2)),
        ("45JFM", date(2026, 1, 20), date(2026, 3, 31)),  # 6 March, then end of month
        ("30JFM", date(2026, 1, 31), date(2026, 3, 31)),
        ("60J", date(2026, 11, 24), date(2027, 1, 23)),
    ],
)
def test_payment_terms_compute_due_dates(code, invoice_date, due):
    assert PaymentTerms.objects.get(code=code).due_date(invoice_date) == due


def test_french_vat_rates_with_their_categories():
    rates = {t.code: (t.rate, t.category) for t in Tax.objects.all()}
    assert rates["TVA20"] == (D("20.00"), "S")
    assert rates["TVA55"] == (D("5.50"), "S")
    assert rates["TVA21"] == (D("2.10"), "S")
    assert rates["AUTOLIQ"][1] == "AE"
    assert Tax.objects.get(code="EXO").exemption_reason == "TVA non applicable, art. 293 B du CGI"


def test_price_comes_from_the_customers_price_list_else_the_item(company):
    item = ItemFactory(sale_price=D("10.00"))
    other = ItemFactory(sale_price=D("7.00"))
    wholesale = catalog.create_price_list(code="GROS", name="Grossistes")
    catalog.set_item_price(wholesale, item, D("8.00"))
    catalog.set_item_price(wholesale, item, D("7.50"), min_quantity=D("10"))
    catalog.set_item_price(wholesale, item, D("1.00"), valid_to=date(2020, 1, 1))
    customer = CustomerFactory(price_list=wholesale)
    day = date(2026, 6, 1)
    lines = price_lines(
        customer, day, [LineSpec(item, D("2")), LineSpec(item, D("12")), LineSpec(other, D("1"))]
    )
    assert [line["unit_price"] for line in lines] == [D("8.0000"), D("7.5000"), D("7.00")]
    assert price_lines(CustomerFactory(), day, [LineSpec(item, D("1"))])[0]["unit_price"] == D(
        "10.00"
    )


def test_a_price_list_including_vat_gives_prices_excluding_vat(company):
    item = ItemFactory(sale_price=D("10.00"))
    retail = catalog.create_price_list(code="TTC", name="Public", prices_include_vat=True)
    catalog.set_item_price(retail, item, D("12.00"))
    line = price_lines(CustomerFactory(price_list=retail), date(2026, 1, 1), [LineSpec(item, 1)])
    assert line[0]["unit_price"] == D("10.0000")


def test_the_customers_vat_treatment_replaces_the_items(company):
    reverse_charge = Tax.objects.get(code="AUTOLIQ")
    line = price_lines(
        CustomerFactory(default_tax=reverse_charge), date(2026, 1, 1), [LineSpec(ItemFactory(), 1)]
    )[0]
    assert (line["vat_category"], line["vat_rate"]) == ("AE", D("0.00"))
    assert line["vat_exemption_reason"] == "Autoliquidation, art. 283-2 du CGI"
    assert line["vat_exemption_code"] == "VATEX-EU-AE"


def test_inactive_items_are_refused(company):
    item = ItemFactory(active=False)
    with pytest.raises(BusinessError) as error:
        price_lines(CustomerFactory(), date(2026, 1, 1), [LineSpec(item, 1)])
    assert error.value.code == "line.item_inactive"
