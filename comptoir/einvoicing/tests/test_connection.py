"""The platform connection: settings page, API, encrypted secret, administrators only."""

import logging

import pytest
from django.test import Client as WebClient

from comptoir.core.roles import ACCOUNTING
from comptoir.core.services import create_token
from comptoir.einvoicing import services, vault
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
    assert '<option value="Factur-X" selected>Factur-X (PDF)</option>' in page.content.decode()
    form = {**settings_of(pasim), "syntax": "Factur-X", "enabled": "on"}
    saved = web.post("/settings/platform/", form, follow=True)
    html = saved.content.decode()
    assert "Connexion à la plateforme enregistrée." in html
    assert CLIENT_SECRET not in html  # the password field is never filled back
    checked = web.post("/settings/platform/", {**form, "secret": "", "check": "1"})
    assert checked.status_code == 200
    assert "La plateforme répond\u00a0: la connexion fonctionne." in checked.content.decode()


def test_the_button_tests_the_settings_as_typed_without_saving_them(user, company, pasim):
    """The saved settings work; the address typed (not saved) is wrong: the test says so, and
    the other way round, typed settings that work are tested before they are saved."""
    web = WebClient()
    web.force_login(user)
    form = {**settings_of(pasim), "syntax": "Factur-X", "enabled": "on"}
    web.post("/settings/platform/", form)
    typed = {**form, "secret": "", "token_url": f"{pasim}/nowhere", "check": "1"}
    checked = web.post("/settings/platform/", typed).content.decode()
    assert "cette adresse n’existe pas" in checked
    assert f"{pasim}/nowhere" in checked  # what was typed stays in the form
    assert PlatformConnection.get().token_url == f"{pasim}/oauth/token"  # nothing saved

    web.post("/settings/platform/", {**form, "secret": "wrong"})  # saved wrong
    typed = {**form, "check": "1"}  # the right secret, typed
    checked = web.post("/settings/platform/", typed).content.decode()
    assert "la connexion fonctionne avec les réglages saisis" in checked
    assert vault.decrypt(PlatformConnection.get().secret_encrypted) == "wrong"  # not saved

    web.post("/settings/platform/", form)  # saved right; tested again, nothing changed
    checked = web.post("/settings/platform/", {**form, "secret": "", "check": "1"})
    page = checked.content.decode()
    assert "la connexion fonctionne." in page and "pas encore enregistrés" not in page


def test_switching_on_without_a_secret_is_refused_on_the_form(user, company, pasim):
    web = WebClient()
    web.force_login(user)
    form = {**settings_of(pasim), "syntax": "Factur-X", "enabled": "on", "secret": ""}
    for action in ({}, {"check": "1"}):
        answer = web.post("/settings/platform/", {**form, **action})
        assert answer.status_code == 400
        html = answer.content.decode()
        assert "Pour se connecter à la plateforme, indiquez le secret client." in html
        assert f"{pasim}/flow-service" in html  # the rest as typed
    assert PlatformConnection.get().enabled is False


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


@pytest.mark.django_db(transaction=True)
def test_switching_the_connection_on_wakes_the_scheduled_work_now(settings, company, pasim):
    """Off when the worker started, the schedule sleeps an hour: switching on runs the
    platform's job now (its tick is due at once; the sleeping one ends its chain)."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from comptoir.scheduling import services as scheduling
    from comptoir.scheduling.models import ScheduledJob
    from comptoir.scheduling.tests.test_scheduling import DATABASE_TASKS, pending_ticks

    settings.TASKS = DATABASE_TASKS
    DBTaskResult.objects.all().delete()
    ScheduledJob.objects.all().delete()
    scheduling.ensure_ticking()
    in_an_hour = timezone.now() + scheduling.LONGEST_SLEEP  # nothing else due: a long sleep
    ScheduledJob.objects.filter(name=scheduling.TICK).update(next_run_at=in_an_hour)
    pending_ticks().update(run_after=in_an_hour)

    services.save_connection(**settings_of(pasim))
    due = pending_ticks().filter(run_after__lte=timezone.now())
    assert due.count() == 1
    assert ScheduledJob.objects.get(name="einvoicing.platform").next_run_at <= timezone.now()
    assert services.PLATFORM_JOB in scheduling.run_due()
