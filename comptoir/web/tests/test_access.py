"""Every page and API operation, walked as each role and as nobody: allowed or refused as the
access table says, never a server error; and the table itself covers every route."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from comptoir import demo
from comptoir.billing.models import Invoice
from comptoir.core import access
from comptoir.core.roles import (
    ACCOUNTING,
    ADMINISTRATOR,
    PURCHASING,
    READ_ONLY,
    ROLES,
    SALES,
    WAREHOUSE,
)
from comptoir.core.services import create_token
from comptoir.web.actions import ACTIONS, MODEL_KEYS
from comptoir.web.tests.routes import (
    API_MODELS,
    MISSING,
    PK_MODELS,
    api_operations,
    page_routes,
    page_url,
)
from conftest import make_user

IDENTITIES = [None, *(role.name for role in ROLES)]

ENDS_SESSION = {"web:logout"}


def test_every_route_is_in_the_access_table_and_the_table_names_only_routes():
    pages = set(page_routes())
    assert pages - set(access.PAGES) == set(), "pages without a permission"
    assert set(access.PAGES) - pages == set(), "permissions of pages that do not exist"
    operations = {operation for _m, _p, operation in api_operations()}
    assert operations - set(access.OPERATIONS) == set(), "API operations without a permission"
    assert set(access.OPERATIONS) - operations == set(), "permissions of missing operations"


def test_every_route_naming_a_record_is_walked_with_a_real_one():
    """A new page or operation taking a key must say which model the key names, so that the
    walks (by role, by owner) open it with a real record, not only with one that is missing."""
    pages = {name for name, pattern in page_routes().items() if "pk" in pattern.converters}
    assert (
        pages - {name for name, rule in access.PAGES.items() if rule is None} - set(PK_MODELS)
        == set()
    ), "add the model of these pages' key to routes.PK_MODELS"
    keyed = {path.removeprefix("/api/").split("/")[0] for _m, path, _o in api_operations()}
    keyed = {part for part in keyed if any(
        p.startswith(f"/api/{part}/{{") for _m, p, _o in api_operations()
    )}  # fmt: skip
    assert keyed - set(API_MODELS) == set(), "add the model of these paths' key to API_MODELS"


def _every_permission() -> list[str]:
    rules = [rule for rule in access.PAGES.values() if rule is not None]
    actions = [action.needs() for model in ACTIONS for action in ACTIONS[model]]
    needs = [
        *[rule.read for rule in rules],
        *[rule.write for rule in rules],
        *access.OPERATIONS.values(),
        *access.DOCUMENT_KINDS.values(),
        *actions,
    ]
    return [one for need in needs for one in (need if isinstance(need, tuple) else (need,))]


@pytest.mark.django_db
def test_every_permission_named_exists():
    known = {
        f"{app}.{codename}"
        for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }
    markers = {access.PUBLIC, access.LOGGED_IN, access.EVERY_CUSTOMER, access.OWN_SECRET}
    names = set(_every_permission()) - markers
    assert names - known == set()


@pytest.fixture
def walk(db):
    demo.load(customers=4)


def _client(identity: str | None) -> tuple[Client, object]:
    client = Client()
    if identity is None:
        return client, None
    user = make_user(identity.lower().replace("-", "_"), identity)
    client.force_login(user)
    return client, user


def _check(response, identity, user, permission, is_api: bool) -> str | None:
    """What is wrong with the response, or None."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if permission == access.OWN_SECRET:  # the walk never holds the operation's own secret
        return None if status == 401 else f"{status} instead of 401 without its secret"
    if identity is None and permission != access.PUBLIC:
        if is_api and status != 401:
            return f"{status} instead of 401"
        if not is_api and not (status == 302 and response["Location"].startswith("/login/")):
            return f"{status} instead of a redirect to the login page"
        return None
    allowed = access.allows(user, permission) if user else permission == access.PUBLIC
    if allowed and status in (401, 403):
        return f"refused ({status}) though {permission} allows it"
    if not allowed and status != 403:
        return f"{status} though {permission} is needed"
    return None


@pytest.mark.parametrize("identity", IDENTITIES, ids=lambda i: i or "anonymous")
def test_every_page_action_and_api_operation_as_each_role(walk, identity):
    client, user = _client(identity)
    problems = [*_pages(client, identity, user), *_actions(client, identity, user)]
    if user is not None:
        problems += _menu(client)
    headers = {}
    if user is not None:
        _token, key = create_token(user, "walk")
        headers = {"Authorization": f"Bearer {key}"}
    problems += _operations(Client(), identity, user, headers)
    assert problems == [], "\n".join(problems)


def _pages(client, identity, user) -> list[str]:
    problems = []
    for name, pattern in sorted(page_routes().items()):
        rule = access.PAGES[name]
        if rule is None:
            continue  # the routes decided by their arguments: below
        url = page_url(name, pattern)
        for method, permission in (("GET", rule.read), ("POST", rule.write)):
            if method == "POST" and name in ENDS_SESSION:
                continue
            response = client.get(url) if method == "GET" else client.post(url, {})
            problem = _check(response, identity, user, permission, is_api=False)
            if problem:
                problems.append(f"{method} {url} ({name}): {problem}")
            elif method == "GET" and response.status_code == 200 and user is not None:
                problems += [f"{url} ({name}) {link}" for link in _refused_links(response, user)]
    return problems


def _refused_links(response, user) -> list[str]:
    """The links of a page that lead to pages the user may not open (a button to a 403)."""
    if not response["Content-Type"].startswith("text/html"):
        return []
    refused = []
    for href in set(re.findall(r'href="(/[^"?#]*)', response.content.decode())):
        try:
            match = resolve(href)
        except Resolver404:
            continue
        rule = access.PAGES.get(match.view_name)
        if rule is not None and not access.allows(user, rule.read):
            refused.append(f"links to {href}, which needs {rule.read}")
    return refused


def _actions(client, identity, user) -> list[str]:
    problems = []
    for model, actions in ACTIONS.items():
        document = model.objects.order_by("pk").first()
        pk = document.pk if document else MISSING
        for action in actions:
            if action.run is None:
                continue  # a link to a form page, walked above
            url = reverse("web:action", args=[MODEL_KEYS[model], MISSING, action.name])
            problem = _check(client.post(url), identity, user, action.needs(), is_api=False)
            if problem:
                problems.append(f"{action.name} on {MODEL_KEYS[model]}: {problem}")
        kind = MODEL_KEYS[model]
        if kind in access.DOCUMENT_KINDS:
            url = reverse("billing:document_pdf", args=[kind, pk])
            permission = access.DOCUMENT_KINDS[kind]
            problem = _check(client.get(url), identity, user, permission, is_api=False)
            if problem:
                problems.append(f"PDF of {kind}: {problem}")
    return problems


def _operations(client, identity, user, headers) -> list[str]:
    """Each operation by its path, with a key naming nothing and an empty body; as the
    bearer token's user (the API reads no session here)."""
    problems = []
    for method, path, operation in api_operations():
        url = re.sub(r"{\w+}", str(MISSING), path)
        response = client.generic(method, url, "{}", "application/json", headers=headers)
        problem = _check(response, identity, user, access.OPERATIONS[operation], is_api=True)
        if problem:
            problems.append(f"{method} {path} ({operation}): {problem}")
    return problems


# What each role may do, as the roles are described to users: checked against the shipped
# permissions (not against the access table, which the walks above check the routes against).
CAPABILITIES = {
    "parties.add_customer": {ADMINISTRATOR, SALES},
    "sales.add_quotation": {ADMINISTRATOR, SALES},
    "sales.change_salesorder": {ADMINISTRATOR, SALES},
    "sales.view_salesorder": {ADMINISTRATOR, SALES, WAREHOUSE, PURCHASING, ACCOUNTING, READ_ONLY},
    "stock.add_deliverynote": {ADMINISTRATOR, WAREHOUSE},
    "stock.add_stockmove": {ADMINISTRATOR, WAREHOUSE},
    "billing.view_invoice": {ADMINISTRATOR, SALES, ACCOUNTING, READ_ONLY},
    "billing.add_invoice": {ADMINISTRATOR, ACCOUNTING},
    "billing.issue_invoice": {ADMINISTRATOR, ACCOUNTING},
    "billing.credit_invoice": {ADMINISTRATOR, ACCOUNTING},
    "payments.add_payment": {ADMINISTRATOR, ACCOUNTING},
    "payments.export_accounting": {ADMINISTRATOR, ACCOUNTING},
    "imports.add_importbatch": {ADMINISTRATOR, ACCOUNTING},
    "auth.change_user": {ADMINISTRATOR},
    "core.change_company": {ADMINISTRATOR},
    "core.view_apitoken": {ADMINISTRATOR},
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", [role.name for role in ROLES])
def test_each_role_may_do_what_it_is_described_to_do(role):
    user = make_user("someone", role)
    granted = {permission for permission, roles in CAPABILITIES.items() if role in roles}
    assert {permission for permission in CAPABILITIES if user.has_perm(permission)} == granted
    if role == READ_ONLY:
        assert not any(p.split(".")[1].startswith(("add_", "change_", "delete_")) for p in
                       user.get_all_permissions())  # fmt: skip


def _menu(client) -> list[str]:
    """Each link of the menu opens (a role is never shown a page it may not open)."""
    home = client.get("/").content.decode()
    menu = re.search(r'<nav class="areas".*?</nav>', home, re.S)
    hrefs = set(re.findall(r'href="(/[^"#?]*)"', menu.group(0))) if menu else set()
    if not hrefs:
        return ["the menu has no link"]
    statuses = {href: client.get(href).status_code for href in sorted(hrefs)}
    return [f"menu link {href}: {status}" for href, status in statuses.items() if status != 200]


@pytest.mark.django_db
def test_warehouse_cannot_issue_an_invoice_and_does_not_see_the_button(walk):
    invoice = Invoice.objects.filter(status="draft").first() or pytest.fail("a draft invoice")
    client, user = _client(WAREHOUSE)
    _token, key = create_token(user, "t")
    response = client.post(
        f"/api/invoices/{invoice.pk}/issue", headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    accounting, _user = _client(ACCOUNTING)
    issue = reverse("web:action", args=["invoice", invoice.pk, "issue"])
    assert issue in accounting.get(invoice.get_absolute_url()).content.decode()
    warehouse_page = client.get(invoice.get_absolute_url())
    assert warehouse_page.status_code == 403
    sales, _user = _client(SALES)
    page = sales.get(invoice.get_absolute_url())
    assert page.status_code == 200 and issue not in page.content.decode()
    assert sales.post(issue).status_code == 403
    invoice.refresh_from_db()
    assert invoice.status == "draft"
