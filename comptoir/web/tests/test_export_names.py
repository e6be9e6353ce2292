"""A list exported is named as the user reads the list, with the day: factures-2026-12-07.csv
in French, invoices-2026-12-07.csv in English."""

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone

from comptoir.core.roles import ADMINISTRATOR
from conftest import make_user


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "path", "name"),
    [
        ("fr", "/invoices/", "factures"),
        ("en", "/invoices/", "invoices"),
        ("fr", "/stock/moves/", "mouvements-de-stock"),
        ("fr", "/sales/quotations/", "devis"),
    ],
)
def test_a_list_export_is_named_in_the_users_language(company, language, path, name):
    client = Client()
    client.cookies["django_language"] = language  # the language chosen in the menu
    client.force_login(make_user("admin", ADMINISTRATOR))
    today = timezone.localdate().isoformat()
    for kind in ("csv", "xlsx"):
        response = client.get(f"{path}?export={kind}")
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="{name}-{today}.{kind}"'


def test_every_page_names_the_icon_served_by_comptoir(client, db):
    page = client.get("/login/")
    href = page.content.decode().split('<link rel="icon" href="')[1].split('"')[0]
    assert href.startswith("/static/") and href.endswith(".svg")
    assert finders.find(href.removeprefix("/static/"))  # a file of Comptoir's, no CDN
    assert "img-src 'self'" in page["Content-Security-Policy"]
