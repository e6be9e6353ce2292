"""When the company keeps salespeople to their own customers, a salesperson finds, opens and
exports only the customers they are in charge of and those customers' documents; the other
roles, and every salesperson when the setting is off, see them all."""

from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from comptoir.core.roles import ACCOUNTING, SALES
from comptoir.core.services import create_token, update_company
from comptoir.sales import services as sales
from comptoir.sales.services import LineSpec
from conftest import make_user
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(company):
    anne, bruno = make_user("anne", SALES), make_user("bruno", SALES)
    item = ItemFactory(code="CAFE")
    customers = {
        "anne": CustomerFactory(code="A1", name="Chez Anne", salesperson=anne),
        "bruno": CustomerFactory(code="B1", name="Chez Bruno", salesperson=bruno),
        "nobody": CustomerFactory(code="N1", name="Chez Personne"),
    }
    orders = {who: sales.create_order(c, [LineSpec(item, D("1"))]) for who, c in customers.items()}
    update_company(own_customers_only=True)
    return anne, customers, orders


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_salesperson_sees_only_their_customers_and_their_documents(book):
    anne, customers, orders = book
    client = _client(anne)
    listing = client.get("/customers/").content.decode()
    assert "Chez Anne" in listing and "Chez Bruno" not in listing and "Personne" not in listing
    export = b"".join(client.get("/customers/?export=csv").streaming_content).decode("utf-8-sig")
    assert "Chez Anne" in export and "Chez Bruno" not in export
    options = client.get("/customers/options/?q=Chez").content.decode()
    assert "Chez Anne" in options and "Chez Bruno" not in options
    assert client.get(customers["anne"].get_absolute_url()).status_code == 200
    assert client.get(customers["bruno"].get_absolute_url()).status_code == 404
    assert client.get(f"/customers/{customers['bruno'].pk}/edit/").status_code == 404

    order_list = client.get("/sales/orders/").content.decode()
    assert orders["anne"].number in order_list and orders["bruno"].number not in order_list
    assert client.get(orders["anne"].get_absolute_url()).status_code == 200
    assert client.get(orders["bruno"].get_absolute_url()).status_code == 404
    assert client.get(f"/documents/order/{orders['bruno'].pk}/pdf/").status_code == 404
    assert client.post(f"/actions/order/{orders['bruno'].pk}/confirm/").status_code == 404
    orders["bruno"].refresh_from_db()
    assert orders["bruno"].status == "draft"


def test_the_api_answers_a_salesperson_with_their_customers_only(book):
    anne, customers, orders = book
    _token, key = create_token(anne, "own")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    codes = [c["code"] for c in api.get("/api/customers").json()["items"]]
    assert codes == ["A1"]
    assert api.get(f"/api/customers/{customers['bruno'].pk}/balance").status_code == 404
    numbers = [o["number"] for o in api.get("/api/orders").json()["items"]]
    assert numbers == [orders["anne"].number]
    assert api.get(f"/api/orders/{orders['bruno'].pk}").status_code == 404
    assert api.get(f"/api/customers/{customers['bruno'].pk}").status_code == 404
    response = api.patch(
        f"/api/customers/{customers['bruno'].pk}", {"name": "Pris"}, content_type="application/json"
    )
    assert response.status_code == 404
    customers["bruno"].refresh_from_db()
    assert customers["bruno"].name == "Chez Bruno"
    quote = {"customer": "B1", "lines": [{"item": "CAFE", "quantity": "1"}]}
    response = api.post("/api/quotations", quote, content_type="application/json")
    assert response.status_code == 404 and response.json()["field"] == "customer"
    quote["customer"] = "A1"
    assert api.post("/api/quotations", quote, content_type="application/json").status_code == 201


def test_a_salesperson_acts_on_no_other_customers_documents(book):
    """Every operation on a document by its id, not only reading it, finds only the documents
    of the salesperson's customers: the others answer 404 and are left as they were."""
    from comptoir.billing.models import Invoice
    from comptoir.billing.services import create_invoice

    anne, customers, orders = book
    sales.confirm_order(orders["bruno"])
    invoice = create_invoice(customers["bruno"], [LineSpec(ItemFactory(), D("1"))])
    address = customers["bruno"].addresses.create(kind="billing", line1="1 rue B", city="Lyon")
    allowed = ("issue_invoice", "delete_invoice", "add_invoice", "credit_invoice")
    allowed += ("add_deliverynote", "delete_address")
    anne.user_permissions.add(*Permission.objects.filter(codename__in=allowed))
    anne = type(anne).objects.get(pk=anne.pk)  # the permissions read afresh
    _token, key = create_token(anne, "own")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.post(f"/api/invoices/{invoice.pk}/issue").status_code == 404
    assert api.delete(f"/api/invoices/{invoice.pk}").status_code == 404
    assert api.get(f"/api/invoices/{invoice.pk}/pdf").status_code == 404
    assert api.post(f"/api/orders/{orders['bruno'].pk}/invoices").status_code == 404
    assert (
        api.post(f"/api/orders/{orders['bruno'].pk}/deliveries", {}, "application/json").status_code
        == 404
    )
    path = f"/api/customers/{customers['bruno'].pk}/addresses/{address.pk}"
    assert api.delete(path).status_code == 404
    client = _client(anne)
    assert client.get(f"/invoices/{invoice.pk}/credit/").status_code == 404
    assert client.get(f"/orders/{orders['bruno'].pk}/deliver/").status_code == 404
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.DRAFT
    assert customers["bruno"].addresses.filter(pk=address.pk).exists()


def test_a_salesperson_downloads_no_file_of_another_salespersons_customer(book):
    from comptoir.billing.services import create_invoice, issue_invoice

    anne, customers, _orders = book
    invoice = issue_invoice(create_invoice(customers["bruno"], [LineSpec(ItemFactory(), D("1"))]))
    client = _client(anne)
    assert client.get(invoice.get_absolute_url()).status_code == 404
    assert client.get(f"/invoices/{invoice.pk}/pdf/").status_code == 404
    assert client.get(f"/invoices/{invoice.pk}/factur-x.xml").status_code == 404
    assert client.get(f"/invoices/{invoice.pk}/ubl.xml").status_code == 404
    _token, key = create_token(anne, "own")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get(f"/api/invoices/{invoice.pk}/xml").status_code == 404
    assert api.get(f"/api/invoices/{invoice.pk}/ubl").status_code == 404
    accountant = _client(make_user("compta", ACCOUNTING))
    xml = accountant.get(f"/invoices/{invoice.pk}/factur-x.xml")
    assert xml.status_code == 200 and b"Chez Bruno" in xml.content
    ubl = accountant.get(f"/invoices/{invoice.pk}/ubl.xml")
    assert ubl.status_code == 200 and b"Chez Bruno" in ubl.content


def test_other_roles_and_allowed_salespeople_see_every_customer(book):
    anne, _customers, _orders = book
    accountant = make_user("compta", ACCOUNTING)
    assert "Chez Bruno" in _client(accountant).get("/customers/").content.decode()
    anne.user_permissions.add(Permission.objects.get(codename="see_all_customers"))
    anne = type(anne).objects.get(pk=anne.pk)  # permissions are cached on the instance
    assert "Chez Bruno" in _client(anne).get("/customers/").content.decode()


def test_without_the_setting_a_salesperson_sees_every_customer(book):
    anne, _customers, _orders = book
    update_company(own_customers_only=False)
    assert "Chez Bruno" in _client(anne).get("/customers/").content.decode()


def test_the_salesperson_is_given_through_the_api(api):
    seller = make_user("vendeuse", SALES)
    created = api.post("/customers", {"name": "Chez Claire", "salesperson_id": seller.pk})
    assert created.status_code == 201, created.content
    assert created.json()["salesperson_id"] == seller.pk
    missing = api.post("/customers", {"name": "Chez X", "salesperson_id": 999999})
    assert missing.status_code == 400


def test_the_dashboard_ranks_only_the_salespersons_customers(book):
    from comptoir.billing.services import create_invoice, issue_invoice
    from comptoir.catalog.models import Item

    anne, customers, _orders = book
    item = Item.objects.get(code="CAFE")
    for who in ("anne", "bruno"):
        issue_invoice(create_invoice(customers[who], [LineSpec(item, D("5"))]))
    home = _client(anne).get("/").content.decode()
    assert "Chez Anne" in home and "Chez Bruno" not in home
    accountant = make_user("compta", ACCOUNTING)
    assert "Chez Bruno" in _client(accountant).get("/").content.decode()


# The walk: every route, every download ---------------------------------------------------------


@pytest.fixture
def stranger(db):
    """The demo's books, kept to each salesperson's own customers, and a salesperson in charge
    of none of them who holds every permission but *Can see all customers*: whatever route
    they open or send to, no customer of anyone else may show."""
    from comptoir import demo

    demo.load(customers=4)
    update_company(own_customers_only=True)
    user = make_user("anne")
    user.user_permissions.set(Permission.objects.exclude(codename="see_all_customers"))
    return type(user).objects.get(pk=user.pk)


def _readable(response) -> str:
    """What a user reads in the answer, whatever its format: page, CSV, XML, JSON, PDF, XLSX."""
    import html
    import io

    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if kind.startswith("application/pdf"):
        from pypdf import PdfReader

        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        return " ".join(
            str(value) for sheet in book for row in sheet.iter_rows(values_only=True)
            for value in row
        )  # fmt: skip
    return html.unescape(content.decode("utf-8", "replace"))


def _leaks(response, names) -> list[str]:
    text = _readable(response)
    return [name for name in names if name in text]


def _customer_bound(model) -> bool:
    from comptoir.parties.models import Customer

    if model is None:
        return False
    model = model if isinstance(model, type) else model.model
    return model is Customer or any(f.name == "customer" for f in model._meta.fields)


def test_no_route_shows_or_changes_another_salespersons_customer(stranger):
    """Every page and download the URL resolver knows (PDFs, Factur-X XML, list exports in CSV
    and XLSX, import files, the FEC), every document action and every API operation, read and
    sent to as the salesperson: a record of another's customer answers 404 (a whole-company
    file, 403), and no answer names another's customer."""
    from django.urls import reverse

    from comptoir.core import access
    from comptoir.parties.models import Customer
    from comptoir.web.actions import ACTIONS, MODEL_KEYS
    from comptoir.web.tests import routes

    names = list(Customer.objects.values_list("name", flat=True))
    client = _client(stranger)
    problems = []

    def check(method, url, response, bound):
        status = response.status_code
        if status >= 500:
            problems.append(f"{method} {url}: server error {status}")
        elif bound and status not in (403, 404, 405):
            problems.append(f"{method} {url}: {status} for another salesperson's record")
        elif status < 300 and (leaked := _leaks(response, names)):
            problems.append(f"{method} {url}: shows {', '.join(leaked)}")

    for name, pattern in sorted(routes.page_routes().items()):
        if access.PAGES[name] is None or name in ("web:logout", "set_language"):
            continue
        url = routes.page_url(name, pattern)
        bound = "pk" in pattern.converters and _customer_bound(routes.PK_MODELS.get(name))
        bound = bound or _customer_bound(routes.QUERY_MODELS.get(name))
        response = client.get(url)
        check("GET", url, response, bound)
        for export in _export_links(response):
            check("GET", export, client.get(export), False)
        check("POST", url, client.post(url, {}), bound)
    for model, actions in ACTIONS.items():
        kind, document = MODEL_KEYS[model], routes.first(model)
        pk = document.pk if document else routes.MISSING
        if kind in access.DOCUMENT_KINDS:
            url = reverse("billing:document_pdf", args=[kind, pk])
            check("GET", url, client.get(url), True)
        for action in actions:
            url = reverse("web:action", args=[kind, pk, action.name])
            check("POST", url, client.post(url), _customer_bound(model))

    _token, key = create_token(stranger, "walk")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    for method, path, _operation in routes.api_operations():
        url = routes.api_object_path(path)
        part = path.removeprefix("/api/").split("/")[0]
        bound = "{" in path and _customer_bound(routes.API_MODELS.get(part))
        response = api.generic(method, url, "{}", "application/json")
        check(method, url, response, bound and response.status_code != 422)
    assert problems == [], "\n".join(problems)


def _export_links(response) -> list[str]:
    """The list exports a page links to (``?export=csv``, ``?export=xlsx``)."""
    import html
    import re

    if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
        return []
    page = response.wsgi_request.path
    hrefs = re.findall(r'href="([^"]*export=[^"]*)"', response.content.decode())
    return sorted({html.unescape(href if href.startswith("/") else page + href) for href in hrefs})
