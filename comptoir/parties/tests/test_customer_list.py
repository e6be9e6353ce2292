"""Keyset pagination of a list: every row once, in order, forwards and backwards."""

import base64
import io
import json

import pytest
from django.db.models import F
from openpyxl import load_workbook

from comptoir.billing.views import InvoiceListing
from comptoir.core.roles import SALES
from comptoir.parties.models import Customer, CustomerGroup
from comptoir.parties.views import CustomerListing
from conftest import make_user
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers():
    # Three names only: most rows tie on the sort key, which the id must break. A third of
    # them have no group: rows without a sort value come last.
    groups = [CustomerGroup.objects.create(name=n) for n in ("Commerce", "Industrie")]
    return [
        CustomerFactory(name=["Durand", "Martin", "Petit"][n % 3], group=[*groups, None][n % 3])
        for n in range(130)
    ]


def walk(params: dict, direction: str):
    pages = []
    while True:
        page = CustomerListing(params).page()
        pages.append([row.obj.pk for row in page.rows])
        cursor = page.next_cursor if direction == "after" else page.previous_cursor
        if not cursor:
            return pages
        params = {**params, direction: cursor}
        params.pop("before" if direction == "after" else "after", None)


@pytest.mark.parametrize("sort", ["name", "-name", "code", "-code", "group", "-group"])
def test_pages_cover_every_row_once_in_order(customers, sort):
    field = {"group": "group__name"}.get(sort.lstrip("-"), sort.lstrip("-"))
    descending = sort.startswith("-")
    key = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    expected = list(
        Customer.objects.order_by(key, "-pk" if descending else "pk").values_list("pk", flat=True)
    )
    pages = walk({"sort": sort}, "after")
    assert [len(p) for p in pages] == [50, 50, 30]
    assert [pk for page in pages for pk in page] == expected
    # From the last page, "previous" walks back through the same pages.
    last = CustomerListing({"sort": sort}).page()
    params = {"sort": sort}
    while last.next_cursor:
        params["after"] = last.next_cursor
        last = CustomerListing(params).page()
    back = walk({"sort": sort, "after": params["after"]}, "before")
    assert back == list(reversed(pages))


def test_search_and_count(customers):
    page = CustomerListing({"q": "mart"}).page()
    assert page.count == 43 == len(page.rows)


def test_a_forged_cursor_is_ignored(customers):
    page = CustomerListing({"after": "not-a-cursor!!"}).page()
    assert page.count == 130 and len(page.rows) == 50
    forged = base64.urlsafe_b64encode(json.dumps(["not a date", 3]).encode()).decode()
    page = InvoiceListing({"after": forged}).page()
    assert page.count == 0


def test_xlsx_export_has_every_filtered_row(client, customers, django_user_model):
    client.force_login(make_user("u", SALES))
    response = client.get("/customers/", {"q": "petit", "export": "xlsx"})
    sheet = load_workbook(filename=io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Code", "Nom")
    assert len(rows) == 1 + 43
    assert {row[1] for row in rows[1:]} == {"Petit"}
