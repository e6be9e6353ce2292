"""The sales analysis page, its files, its drill-down and its API: the same figures, the
margins only for who may see them, wrong input refused in words."""

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from comptoir.billing import services as billing
from comptoir.catalog.models import ItemGroup
from comptoir.core.roles import SALES
from comptoir.parties.models import CustomerGroup
from comptoir.pricing.engine import LineSpec
from conftest import make_user
from tests.factories import CustomerFactory, ItemFactory

D = Decimal
pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


@pytest.fixture
def sales(company):
    """This month: 10 aprons (24 €, cost 10 €) and 5 plates (3 €, cost 1,20 €) to a restaurant,
    then 2 aprons credited; the same month last year: 4 aprons."""
    textile = ItemGroup.objects.create(name="Textile")
    dishes = ItemGroup.objects.create(name="Vaisselle")
    apron = ItemFactory(name="Tablier", group=textile, sale_price=D("24"), cost_price=D("10"))
    plate = ItemFactory(name="Assiette", group=dishes, sale_price=D("3"), cost_price=D("1.2"))
    restaurants = CustomerGroup.objects.create(name="Restaurants")
    customer = CustomerFactory(name="Bouchon Lyonnais", group=restaurants)
    today = timezone.localdate()
    last_year = today.replace(year=today.year - 1, day=1)
    billing.issue_invoices(
        [billing.create_invoice(customer, [LineSpec(apron, D(4))])], day=last_year
    )
    (invoice,) = billing.issue_invoices(
        [billing.create_invoice(customer, [LineSpec(apron, D(10)), LineSpec(plate, D(5))])],
        day=today,
    )
    line = invoice.lines.get(item=apron)
    billing.issue_invoice(billing.credit_invoice(invoice, {line.pk: D(2)}))
    return invoice, textile, dishes


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return response.content.decode()


def test_the_page_pivots_by_item_group_and_month_with_margins(sales, user):
    del sales  # the figures below
    page = _text(_client(user).get("/reports/sales/?rows=item_group&columns=month"))
    assert "Analyse des ventes" in page
    assert "Textile" in page and "Vaisselle" in page
    # Textile: (10 − 2) × 24 = 192 €, cost 80 €, margin 112 € (58,3 %); last year 96 €.
    assert f"192,00{NBSP}€" in page and f"112,00{NBSP}€" in page and f"58,3{NBSP}%" in page
    assert f"96,00{NBSP}€" in page and f"100{NBSP}%" in page
    # Total: 192 + 15 = 207 €.
    assert f"207,00{NBSP}€" in page
    assert "<svg" in page
    assert "/reports/sales/invoices/?" in page  # the cells lead to their invoices


def test_a_month_typed_as_a_french_user_writes_it_is_read(sales, user):
    page = _text(_client(user).get("/reports/sales/?start=01/2026&end=12/2026&columns="))
    assert "errorlist" not in page and f"207,00{NBSP}€" in page


def test_the_form_shows_what_the_table_was_made_of(sales, user):
    """Opened from the menu, the table is by item group and month over 12 months: the form
    says so, so that « Afficher » as it is gives the same table."""
    import re

    page = _text(_client(user).get("/reports/sales/"))
    pattern = r'name="(\w+)"[^>]*>.*?<option value="(\w*)"[^>]*selected'
    selected = dict(re.findall(pattern, page, re.S))
    assert selected["rows"] == "item_group" and selected["columns"] == "month"
    assert re.search(r'name="end"[^>]*value="\d{4}-\d{2}"', page)


def test_a_user_without_the_margins_sees_neither_cost_nor_margin(sales, company):
    seller = make_user("sam", SALES)
    client = _client(seller)
    page = _text(client.get("/reports/sales/?rows=item_group&columns="))
    assert f"192,00{NBSP}€" in page
    assert "Marge" not in page and "Coût" not in page and f"112,00{NBSP}€" not in page
    # Asking for the margin by period shows the net sales.
    asked = _text(client.get("/reports/sales/?rows=item_group&measure=margin"))
    assert f"112,00{NBSP}€" not in asked and f"192,00{NBSP}€" in asked
    rows = load_workbook(
        io.BytesIO(client.get("/reports/sales/?rows=item_group&export=xlsx").content)
    ).active.values
    assert all("Marge" not in str(cell) for row in rows for cell in row)


def test_the_files_hold_the_page_figures(sales, user):
    client = _client(user)
    response = client.get("/reports/sales/?rows=item_group&columns=month&export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    header, total = rows[0], rows[-1]
    assert header[0] == "Groupe d’articles" or header[0].startswith("Groupe")
    assert total[0] == "Total"
    net = header.index("Ventes nettes")
    assert D(str(total[net])) == D("207.00")
    # An amount reads as one in the spreadsheet: two places, thousands grouped.
    assert sheet.cell(row=len(rows), column=net + 1).number_format == "#,##0.00"
    assert D(str(rows[1][net])) == D("192.00")
    csv = b"".join(client.get("/reports/sales/?rows=item_group&export=csv").streaming_content)
    text = csv.decode("utf-8-sig")
    assert "Total;" in text and "207,00" in text


def test_a_cell_drills_down_to_its_invoices(sales, user):
    invoice, textile, _dishes = sales
    month = timezone.localdate().strftime("%Y-%m")
    page = _text(
        _client(user).get(
            f"/reports/sales/invoices/?item_group={textile.pk}&start={month}&end={month}"
        )
    )
    assert invoice.number in page
    credit_note = invoice.credit_notes.get()
    assert credit_note.number in page
    assert f"240,00{NBSP}€" in page and f"-48,00{NBSP}€" in page
    assert f"192,00{NBSP}€" in page  # the total, as in the pivot


def test_the_top_and_abc_views(sales, user):
    page = _text(_client(user).get("/reports/sales/?rows=item&view=abc&columns="))
    # Aprons 192 € (92,8 %) are A; plates 15 € start at 92,8 %: B.
    assert "Classe" in page and f"Classe A{NBSP}: les premiers 80{NBSP}% des ventes" in page
    assert '<td class="class">A</td>' in page and '<td class="class">B</td>' in page
    assert f"92,8{NBSP}%" in page
    page = _text(_client(user).get("/reports/sales/?rows=customer&view=top"))
    assert "Bouchon Lyonnais" in page


@pytest.mark.parametrize(
    "query, field",
    [("rows=colour", "rows"), ("columns=week", "columns"), ("start=2026-13", "start"),
     ("start=2026-10&end=2026-01", "start"), ("territory=abc", "territory"),
     ("start=0001-01", "start"), ("end=9999-12", "end"), ("start=1990-01&end=2026-12", "start")],
)  # fmt: skip
def test_wrong_input_is_said_on_the_form(sales, user, query, field):
    response = _client(user).get(f"/reports/sales/?{query}")
    assert response.status_code == 200
    assert 'class="error"' in _text(response)


def test_the_api_gives_the_same_figures(sales, api):
    _invoice, textile, _dishes = sales
    body = api.get("/reports/sales?rows=item_group&columns=month").json()
    assert body["rows"] == "item_group" and len(body["periods"]) == 12
    first = body["lines"][0]
    assert first["key"] == textile.pk and first["label"] == "Textile"
    assert first["total"] == {
        "quantity": "8", "net": "192.00", "cost": "80.00", "margin": "112.00",
        "margin_pct": "58.3", "invoices": 1,
    }  # fmt: skip
    assert first["previous"]["net"] == "96.00" and first["change_pct"] == "100.0"
    assert body["total"]["net"] == "207.00"
    assert body["totals"][-1]["net"] == "207.00"


@pytest.mark.parametrize(
    "query, code",
    [("rows=colour", "report.unknown_dimension"), ("columns=week", "report.unknown_period"),
     ("start=x", "report.bad_month"), ("salesperson=-1", "report.bad_filter"),
     ("start=0001-01", "report.bad_month")],
)  # fmt: skip
def test_the_api_refuses_a_wrong_dimension_in_json(sales, api, query, code):
    response = api.get(f"/reports/sales?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == code and response.json()["message"]


def test_the_api_hides_the_margins_from_who_may_not_see_them(sales, company):
    from comptoir.core.services import create_token

    seller = make_user("sam", SALES)
    _token, key = create_token(seller, "tests")
    body = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/reports/sales?rows=item").json()
    assert body["total"]["net"] == "207.00"
    assert body["total"]["cost"] is None and body["total"]["margin"] is None


def test_the_menu_leads_to_the_analysis(sales, user):
    page = _text(_client(user).get("/"))
    assert "/reports/sales/" in page and "Analyse des ventes" in page


def test_the_english_page(sales, user, english):
    client = _client(user)
    client.cookies["django_language"] = "en"
    page = _text(client.get("/reports/sales/?rows=item_group", HTTP_ACCEPT_LANGUAGE="en"))
    assert "Sales analysis" in page and "Net sales" in page


def test_the_page_reads_a_fixed_number_of_queries(sales, user, django_assert_max_num_queries):
    """Whatever the number of rows: the rows' sums, the year before's, the cells of the rows
    shown, the columns' totals, the labels, the filters' lists, the session and the user; by
    item, the invoices of the totals counted by customer, this year and the year before."""
    client = _client(user)
    client.get("/reports/sales/?rows=item&columns=month")  # the first request warms up caches
    with django_assert_max_num_queries(18):
        client.get("/reports/sales/?rows=item&columns=month")
