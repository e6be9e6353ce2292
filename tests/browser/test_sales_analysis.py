"""The sales manager looks at sales by item group and month, opens the invoices behind a
figure, and takes the analysis away as a spreadsheet whose totals are the page's."""

from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from comptoir.billing import services as billing
from comptoir.catalog.models import ItemGroup
from comptoir.pricing.engine import LineSpec
from comptoir.reports.queries import shift
from tests.browser.conftest import log_in
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal
NBSP = "\u00a0"


def test_sales_by_item_group_and_month_drilled_down_and_exported(page, clerk, tmp_path):
    textile = ItemGroup.objects.create(name="Textile")
    dishes = ItemGroup.objects.create(name="Vaisselle")
    apron = ItemFactory(name="Tablier", group=textile, sale_price=D("24"), cost_price=D("10"))
    plate = ItemFactory(name="Assiette", group=dishes, sale_price=D("3"), cost_price=D("1.2"))
    customer = CustomerFactory(name="Bouchon Lyonnais")
    this_month = timezone.localdate().replace(day=1)
    last_month = shift(this_month, -1)
    billing.issue_invoices(
        [billing.create_invoice(customer, [LineSpec(apron, D(2)), LineSpec(plate, D(10))])],
        day=last_month,
    )
    (invoice,) = billing.issue_invoices(
        [billing.create_invoice(customer, [LineSpec(apron, D(5))])], day=timezone.localdate()
    )

    log_in(page)
    page.goto("/")
    expect(page.locator("nav a[href='/reports/sales/']")).to_have_count(1)
    page.goto("/reports/sales/")
    expect(page.locator("h1")).to_have_text("Analyse des ventes")
    page.select_option("#id_rows", "item_group")
    page.select_option("#id_columns", "month")
    page.click("#sales-filters button[type=submit]")
    table = page.locator("#pivot")
    textile_row = table.locator("tbody tr", has_text="Textile")
    # 2 + 5 aprons at 24 € = 168 €; plates 30 €; 198 € in all.
    expect(textile_row).to_contain_text(f"168,00{NBSP}€")
    expect(table.locator("tfoot")).to_contain_text(f"198,00{NBSP}€")
    expect(page.locator("svg.chart rect.bar")).to_have_count(12)

    # This month's Textile figure: the one invoice behind it.
    textile_row.get_by_role("link", name=f"120,00{NBSP}€").click()
    expect(page.locator("h1")).to_have_text("Factures derrière le chiffre")
    drill = page.locator("#drill")
    expect(drill.locator("tbody tr")).to_have_count(1)
    drill.get_by_role("link", name=invoice.number).click()
    expect(page.locator("h1")).to_contain_text(invoice.number)

    page.go_back()
    page.go_back()
    with page.expect_download() as download:
        page.click("#export-xlsx")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.suffix == ".xlsx"
    rows = list(load_workbook(path).active.values)
    header, total = rows[0], rows[-1]
    net = header.index("Ventes nettes")
    assert total[0] == "Total" and D(str(total[net])) == D("198.00")
    by_group = {row[0]: D(str(row[net])) for row in rows[1:-1]}
    assert by_group == {"Textile": D("168.00"), "Vaisselle": D("30.00")}
    # The twelfth month is this one, as on the page.
    assert header[12] == page.locator("#pivot thead th").nth(12).text_content()
    assert D(str(total[12])) == D("120.00") and D(str(total[11])) == D("78.00")
