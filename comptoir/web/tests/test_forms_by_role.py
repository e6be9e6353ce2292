"""Every page, opened as each role: each form on it sends to something the role may submit,
and each button too (the access table decides), so no role is shown a form or a button that
would only be refused once used."""

from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from django.test import Client

from comptoir import demo
from comptoir.core import access
from comptoir.core.roles import ROLES
from comptoir.web.tests.routes import page_routes, page_url
from conftest import make_user

ENDS_SESSION = {"web:logout"}


class Targets(HTMLParser):
    """What a page sends to: (method, URL, what sends it) for each form and each button."""

    def __init__(self, page: str):
        super().__init__()
        self.page = page
        self.targets: list[tuple[str, str, str]] = []
        self.forms: list[tuple[str, str]] = []  # the open forms: (method, action)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        url = lambda value: urljoin(self.page, value or self.page)  # noqa: E731
        if tag == "form":
            method = (attributes.get("method") or "get").upper()
            action = url(attributes.get("action"))
            self.forms.append((method, action))
            self.targets.append((method, action, "a form"))
        for attribute, method in (("hx-post", "POST"), ("hx-get", "GET"), ("hx-delete", "POST")):
            if attribute in attributes:
                self.targets.append((method, url(attributes[attribute]), f"<{tag} {attribute}>"))
        if tag in ("button", "input") and "formaction" in attributes:
            method = (attributes.get("formmethod") or "").upper()
            method = method or (self.forms[-1][0] if self.forms else "GET")
            self.targets.append((method, url(attributes["formaction"]), "a button"))

    def handle_endtag(self, tag):
        if tag == "form" and self.forms:
            self.forms.pop()


def targets(page: str, html: str) -> list[tuple[str, str, str]]:
    parser = Targets(page)
    parser.feed(html)
    return parser.targets


@pytest.fixture
def walk(db):
    demo.load(customers=4)


@pytest.mark.parametrize("role", [role.name for role in ROLES])
def test_every_form_and_button_on_every_page_sends_to_what_the_role_may_submit(walk, role):
    user = make_user(role.lower().replace("-", "_"), role)
    client = Client()
    client.force_login(user)
    problems = []
    for name, pattern in sorted(page_routes().items()):
        if access.PAGES[name] is None or name in ENDS_SESSION:
            continue
        url = page_url(name, pattern)
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        for method, target, what in targets(url, response.content.decode()):
            path = target.split("?")[0]
            if path.startswith("/admin/"):
                continue
            allowed = (
                access.may_submit(user, path)
                if method == "POST"
                else access.may_open_url(user, path)
            )
            if not allowed:
                problems.append(f"{url} ({name}): {what} sends {method} to {path}, refused")
    assert problems == [], "\n".join(problems)


def test_the_walk_finds_forms_and_buttons():
    html = """<form method="post" action="/x/"><button formaction="/y/">y</button></form>
    <form><input name="q"></form><button hx-post="/z/">z</button>"""
    assert targets("/page/", html) == [
        ("POST", "/x/", "a form"),
        ("POST", "/y/", "a button"),
        ("GET", "/page/", "a form"),
        ("POST", "/z/", "<button hx-post>"),
    ]


@pytest.mark.django_db
def test_a_read_only_user_sees_the_company_settings_without_a_form(company):
    reader = Client()
    reader.force_login(make_user("lecture", "Read-only"))
    page = reader.get("/settings/company/").content.decode()
    assert company.legal_name in page and "disabled" in page
    assert targets("/settings/company/", page).count(("POST", "/settings/company/", "a form")) == 0
    assert reader.post("/settings/company/", {"name": "Autre"}).status_code == 403
    administrator = Client()
    administrator.force_login(make_user("admin", "Administrator"))
    page = administrator.get("/settings/company/").content.decode()
    assert ("POST", "/settings/company/", "a form") in targets("/settings/company/", page)
