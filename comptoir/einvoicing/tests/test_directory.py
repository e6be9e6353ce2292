"""A customer's e-invoicing address, looked up in the platform's directory (the simulator, over
real HTTP): kept on the customer, shown on its page, asked through the API."""

import pytest
from django.test import Client as WebClient

from comptoir.core.roles import READ_ONLY
from comptoir.einvoicing import services
from comptoir.einvoicing.errors import DirectoryError, PlatformError
from comptoir.einvoicing.models import DirectoryEntry
from comptoir.einvoicing.tests.conftest import control, french_business
from comptoir.parties.models import Customer
from comptoir.parties.services import create_customer
from conftest import make_user

pytestmark = pytest.mark.django_db
UNKNOWN_SIREN = "123456782"  # a well-formed SIREN the directory does not know


def test_a_customer_in_the_directory_receives_at_its_address(connected):
    customer = french_business()
    entry = services.look_up_directory(customer)
    assert entry.state == DirectoryEntry.State.FOUND
    assert (entry.electronic_address, entry.platform) == ("732829320", "WK")
    assert entry.looked_up_at and not entry.failure
    assert entry.sentence == (
        "Reçoit ses factures électroniques à l’adresse 732829320 via la plateforme WK."
    )


def test_an_unknown_siren_is_absent_from_the_directory(connected):
    customer = create_customer(name="Inconnue", siren=UNKNOWN_SIREN)
    entry = services.look_up_directory(customer)
    assert entry.state == DirectoryEntry.State.ABSENT and entry.electronic_address == ""
    assert entry.sentence == "Absent de l’annuaire."


def test_a_customer_without_siren_is_said_so(connected):
    entry = services.look_up_directory(create_customer(name="Sans numéro"))
    assert entry.state == DirectoryEntry.State.NO_SIREN
    assert entry.sentence == "Pas de SIREN."


def test_a_malformed_siren_is_a_message_on_the_field(connected, api):
    customer = create_customer(name="Mal saisi", siren=UNKNOWN_SIREN)
    Customer.objects.filter(pk=customer.pk).update(siren="123456789")  # as an old import left it
    customer.refresh_from_db()
    with pytest.raises(DirectoryError) as refused:
        services.look_up_directory(customer)
    assert refused.value.field == "siren" and "123456789" in refused.value.message
    answer = api.post(f"/customers/{customer.pk}/directory")
    assert answer.status_code == 400
    assert answer.json()["code"] == "directory.invalid_siren"
    assert answer.json()["field"] == "siren"
    assert not DirectoryEntry.objects.filter(customer=customer).exists()


def test_a_platform_down_keeps_the_last_answer_and_notes_the_failure(connected, pasim, api):
    customer = french_business()
    services.look_up_directory(customer)
    control(pasim, "faults", path="/directory-service/", status=503)
    with pytest.raises(PlatformError) as fault:
        services.look_up_directory(customer)
    assert fault.value.code == "platform.unavailable"
    entry = DirectoryEntry.objects.get(customer=customer)
    assert entry.state == DirectoryEntry.State.FOUND and entry.electronic_address == "732829320"
    assert entry.failure == fault.value.message and entry.failed_at
    control(pasim, "faults", path="/directory-service/", status=503)
    answer = api.post(f"/customers/{customer.pk}/directory")
    assert answer.status_code == 502 and answer.json()["code"] == "platform.unavailable"
    kept = api.get(f"/customers/{customer.pk}/directory").json()
    assert kept["state"] == "found" and kept["electronic_address"] == "732829320"
    assert kept["failure"]


def test_the_api_looks_up_and_gives_the_entry(connected, api):
    customer = french_business()
    assert api.get(f"/customers/{customer.pk}/directory").status_code == 404
    answer = api.post(f"/customers/{customer.pk}/directory")
    assert answer.status_code == 200, answer.content
    assert answer.json()["state"] == "found"
    assert answer.json()["electronic_address"] == "732829320"
    assert api.get(f"/customers/{customer.pk}/directory").json()["platform"] == "WK"
    assert api.get("/customers/999999/directory").status_code == 404


def test_the_customer_page_shows_it_and_looks_it_up(connected, user, pasim):
    customer = french_business()
    web = WebClient()
    web.force_login(user)
    page = web.get(f"/customers/{customer.pk}/").content.decode()
    assert "Annuaire pas encore consulté." in page and "Consulter l’annuaire" in page
    answer = web.post(f"/customers/{customer.pk}/directory/", follow=True).content.decode()
    assert answer.count("Reçoit ses factures électroniques à l’adresse 732829320") == 2
    control(pasim, "faults", path="/directory-service/", status=503)
    answer = web.post(f"/customers/{customer.pk}/directory/", follow=True).content.decode()
    assert "La plateforme est indisponible (HTTP 503)" in answer
    assert "Dernière consultation échouée le" in answer
    assert "à l’adresse 732829320" in answer  # the last answer, kept


def test_no_button_for_who_may_not_change_the_customer(connected, company):
    customer = french_business()
    web = WebClient()
    web.force_login(make_user("lecteur", READ_ONLY))
    page = web.get(f"/customers/{customer.pk}/").content.decode()
    assert "Consulter l’annuaire" not in page
    assert web.post(f"/customers/{customer.pk}/directory/").status_code == 403
