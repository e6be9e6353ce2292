"""A user whose roles do not show prices sees none: not in pages, list exports, document PDFs
or API answers; a salesperson sees prices but cost prices and margins only if allowed."""

import io
import re
from decimal import Decimal

import pytest
from django.test import Client
from pypdf import PdfReader

from comptoir import demo
from comptoir.core import access, audit
from comptoir.core.roles import READ_ONLY, SALES, WAREHOUSE
from comptoir.core.services import create_token
from comptoir.web.tests.routes import api_operations, page_routes, page_url
from conftest import make_user

# Money in a page or a PDF, as the application writes it in French ("1 234,50 €", a unit price
# "0,0333 €"), or in a form's money field; and a price's raw value in a record's history
# ("sale_price: 12.5000").
MONEY = re.compile(
    r"\d[\d\u202f\u00a0 ]*,\d{2,4}\u00a0?€"
    r'|name="(?:sale_price|cost_price|unit_price|price|unit_cost|credit_limit)" value="[^"]'
    r"|\b\d+\.\d{4}\b"
)
# Money in an API answer, by the names the schemas give it: null for who may not see it.
SELLING_KEYS = {
    "sale_price",
    "price",
    "unit_price",
    "net_amount",
    "taxable_amount",
    "tax_amount",
    "total_net",
    "total_vat",
    "total_gross",
    "total_lines",
    "total_allowances",
    "total_charges",
    "credit_limit",
    "amount",
    "amount_paid",
    "amount_credited",
    "balance",
    "file_total",
    "created_total",
}
COST_KEYS = {"cost_price", "unit_cost", "cost_amount", "average_cost"}


@pytest.fixture
def shop(db):
    from comptoir.catalog.models import Item
    from comptoir.catalog.services import update_item

    demo.load(customers=4)
    with audit.acting(name="admin"):  # a price change, kept in the item's history
        update_item(Item.objects.order_by("pk").first(), sale_price=Decimal("123.4567"))


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pages(client, user):
    """(url, response) of every page the user may open, naming real objects."""
    for name, pattern in sorted(page_routes().items()):
        rule = access.PAGES[name]
        if rule is None or not access.allows(user, rule.read) or name == "web:logout":
            continue
        url = page_url(name, pattern)
        response = client.get(url)
        if response.status_code == 200:
            yield url, response


def _text(response) -> str:
    if response["Content-Type"].startswith("application/pdf"):
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig", "replace")
    return response.content.decode("utf-8-sig", "replace")


def _document_pdfs(client, user):
    from django.urls import reverse

    from comptoir.sales.models import SalesOrder
    from comptoir.stock.models import DeliveryNote

    for kind, model in (("order", SalesOrder), ("delivery", DeliveryNote)):
        if not access.allows(user, access.DOCUMENT_KINDS[kind]):
            continue
        url = reverse("billing:document_pdf", args=[kind, model.objects.order_by("pk").first().pk])
        response = client.get(url)
        assert response.status_code == 200, url
        yield url, response


def test_a_warehouse_user_sees_no_price_in_any_page_export_or_pdf(shop):
    user = make_user("magasin", WAREHOUSE)
    client = _client(user)
    seen, leaks = 0, []
    for url, response in [*_pages(client, user), *_document_pdfs(client, user)]:
        seen += 1
        # The share capital in a document's legal mentions is not a price.
        found = MONEY.findall(re.sub(r"capital de [\d\u202f\u00a0 ,]+€", "", _text(response)))
        if found:
            leaks.append(f"{url}: {found[:3]}")
    assert seen > 20
    assert leaks == [], "\n".join(leaks)


def test_who_may_see_prices_sees_them_in_pages_and_history(shop):
    from comptoir.catalog.models import Item
    from comptoir.sales.models import SalesOrder

    reader = make_user("lecteur", READ_ONLY)
    page = _text(_client(reader).get(f"/items/{Item.objects.order_by('pk').first().pk}/"))
    assert 'name="sale_price" value="123,4567"' in page
    assert "123,4567" in page.split("Historique")[1]
    order = SalesOrder.objects.order_by("pk").first()
    assert MONEY.search(_text(_client(reader).get(order.get_absolute_url())))


def test_list_exports_leave_out_the_money_columns(shop):
    warehouse, reader = make_user("magasin", WAREHOUSE), make_user("lecteur", READ_ONLY)
    for user, shown in ((warehouse, False), (reader, True)):
        export = _client(user).get("/sales/orders/?export=csv")
        assert export.status_code == 200
        header = _text(export).splitlines()[0]
        assert ("HT" in header) is shown and ("TTC" in header) is shown


def _answers(user):
    """(operation, JSON) of every read operation the user's token may call, on real objects."""
    from comptoir.web.tests.routes import api_object_path

    _token, key = create_token(user, "prices")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    for method, path, operation in api_operations():
        if method != "GET" or not access.allows(user, access.OPERATIONS[operation]):
            continue
        url = api_object_path(path)
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("application/json"):
            yield operation, response.json()


def _money(value, keys: set, path="") -> list[str]:
    """Where a non-null value sits under one of these keys."""
    found = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in keys and inner is not None:
                found.append(f"{path}.{key}")
            found += _money(inner, keys, f"{path}.{key}")
    elif isinstance(value, list):
        for inner in value:
            found += _money(inner, keys, f"{path}[]")
    return found


def test_the_api_answers_null_where_the_token_user_may_not_see_money(shop):
    warehouse, seller = make_user("magasin", WAREHOUSE), make_user("vendeur", SALES)
    answered, leaks = 0, []
    for operation, body in _answers(warehouse):
        answered += 1
        leaks += [f"{operation}: {where}" for where in _money(body, SELLING_KEYS | COST_KEYS)]
    assert answered > 10 and leaks == []

    shown = []
    for operation, body in _answers(seller):
        leaks += [f"{operation}: {where}" for where in _money(body, COST_KEYS)]
        shown += _money(body, SELLING_KEYS)
    assert leaks == [] and shown  # prices, not costs


def test_a_salesperson_allowed_to_see_margins_sees_cost_prices(shop):
    from django.contrib.auth.models import Permission

    seller = make_user("vendeur", SALES)
    seller.user_permissions.add(Permission.objects.get(codename="see_costs"))
    costs = [where for _op, body in _answers(seller) for where in _money(body, COST_KEYS)]
    assert costs
