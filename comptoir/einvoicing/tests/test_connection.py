"""The platform connection: settings page, API, encrypted secret, administrators only."""

import logging

import pytest
from django.test import Client as WebClient

from comptoir.core.roles import ACCOUNTING
from comptoir.core.services import create_token
from comptoir.einvoicing import vault
from comptoir.einvoicing.models import PlatformConnection
from comptoir.einvoicing.tests.conftest import settings_of
from comptoir.pasim.platform import CLIENT_ID, CLIENT_SECRET
from conftest import ApiClient, make_user

pytestmark = pytest.mark.django_db


def test_the_secret_is_stored_encrypted_and_never_given_back(api, pasim, caplog):
    caplog.set_level(logging.DEBUG)
    answer = api.patch("/einvoicing/connection", settings_of(pasim))
    assert answer.status_code == 200, answer.content
    assert answer.json()["has_secret"] is True
    assert CLIENT_SECRET not in answer.content.decode()
    stored = PlatformConnection.get().secret_encrypted
    assert stored and CLIENT_SECRET not in stored
    assert vault.decrypt(stored) == CLIENT_SECRET
    assert vault.key_path().stat().st_mode & 0o077 == 0  # the key file: its owner only
    assert CLIENT_SECRET not in api.get("/einvoicing/connection").content.decode()
    # A change without a secret keeps the one stored.
    assert api.patch("/einvoicing/connection", {"client_id": CLIENT_ID}).json()["has_secret"]
    assert vault.decrypt(PlatformConnection.get().secret_encrypted) == CLIENT_SECRET
    assert api.post("/einvoicing/connection/check").json() == {"ok": True}
    assert CLIENT_SECRET not in caplog.text


def test_switching_on_needs_the_secret(api, english):
    answer = api.patch(
        "/einvoicing/connection",
        {
            "enabled": True,
            "flow_url": "https://pa.example.fr/flow-service",
            "token_url": "https://pa.example.fr/token",
        },
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "platform.incomplete"
    assert answer.json()["field"] == "client_id"
    assert PlatformConnection.get().enabled is False


def test_a_wrong_secret_is_a_clear_fault(api, pasim):
    api.patch("/einvoicing/connection", settings_of(pasim, secret="wrong"))
    answer = api.post("/einvoicing/connection/check")
    assert answer.status_code == 502
    assert answer.json()["code"] == "platform.unauthorized"
    assert "l’identifiant client ou le secret" in answer.json()["message"]


def test_only_administrators_see_the_connection(company):
    _token, key = create_token(make_user("compta", ACCOUNTING), "tests")
    accountant = ApiClient(key)
    assert accountant.get("/einvoicing/connection").status_code == 403
    assert accountant.patch("/einvoicing/connection", {"enabled": False}).status_code == 403
    web = WebClient()
    web.force_login(make_user("compta2", ACCOUNTING))
    assert web.get("/settings/platform/").status_code == 403


def test_the_settings_page_saves_and_tests_the_connection(user, company, pasim):
    web = WebClient()
    web.force_login(user)
    page = web.get("/settings/platform/")
    assert page.status_code == 200
    assert "Plateforme agréée" in page.content.decode()
    form = {**settings_of(pasim), "syntax": "Factur-X", "enabled": "on"}
    saved = web.post("/settings/platform/", form, follow=True)
    html = saved.content.decode()
    assert "Connexion à la plateforme enregistrée." in html
    assert CLIENT_SECRET not in html  # the password field is never filled back
    checked = web.post("/settings/platform/", {"check": "1"}, follow=True).content.decode()
    assert "La plateforme répond : la connexion fonctionne." in checked
    web.post("/settings/platform/", {**form, "secret": "", "token_url": f"{pasim}/nowhere"})
    checked = web.post("/settings/platform/", {"check": "1"}, follow=True).content.decode()
    assert "La plateforme a refusé" in checked


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("flow_url", "pas une adresse"),
        ("flow_url", "ftp://platform.fr/flow-service"),
        ("token_url", "https://p.fr/" + "x" * 400),
        ("client_id", "x" * 300),
        ("client_id", "a\x00b"),
        ("secret", "s" * 5000),
        ("syntax", "PDF"),
    ],
)
def test_bad_settings_are_a_clear_400(api, field, value):
    answer = api.patch("/einvoicing/connection", {field: value})
    assert answer.status_code in (400, 422), answer.content
    assert answer.json()["field"] == field or field == "syntax"
    assert PlatformConnection.get().client_id == ""
