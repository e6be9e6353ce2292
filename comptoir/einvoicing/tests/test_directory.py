"""A customer's e-invoicing address, looked up in the platform's directory (the simulator, over
real HTTP): kept on the customer, shown on its page, asked through the API."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client as WebClient
from django.utils import timezone
from lxml import etree

from comptoir.billing import facturx, ubl
from comptoir.billing.files import read, store_files
from comptoir.billing.services import create_invoice, issue_invoice
from comptoir.billing.tests.validation import assert_valid, validate_cii, validate_ubl
from comptoir.core.roles import READ_ONLY
from comptoir.einvoicing import services
from comptoir.einvoicing.errors import DirectoryError, PlatformError
from comptoir.einvoicing.models import DirectoryEntry, Submission
from comptoir.einvoicing.tests.conftest import control, french_business
from comptoir.parties.models import Customer
from comptoir.parties.services import create_customer
from comptoir.pricing.engine import LineSpec
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
        "Reçoit ses factures électroniques à l’adresse 732829320 via une plateforme agréée."
    )


def test_an_unknown_siren_is_absent_from_the_directory(connected, api):
    customer = create_customer(name="Inconnue", siren=UNKNOWN_SIREN)
    entry = services.look_up_directory(customer)
    assert entry.state == DirectoryEntry.State.ABSENT and entry.electronic_address == ""
    assert entry.sentence.startswith("Absent de l’annuaire\u00a0: ce client n’a pas encore désigné")
    answer = api.post(f"/customers/{customer.pk}/directory")  # the API says it in words too
    assert answer.status_code == 200 and answer.json()["sentence"] == entry.sentence


def test_a_customer_without_siren_is_said_so(connected, api):
    customer = create_customer(name="Sans numéro")
    entry = services.look_up_directory(customer)
    assert entry.state == DirectoryEntry.State.NO_SIREN
    assert entry.sentence.startswith("Pas de SIREN\u00a0: ajoutez le SIREN du client")
    answer = api.post(f"/customers/{customer.pk}/directory")
    assert answer.status_code == 200 and answer.json()["sentence"] == entry.sentence


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
    assert "La plateforme est indisponible pour le moment" in answer and "503" not in answer
    assert "Dernière consultation échouée le" in answer
    assert "à l’adresse 732829320" in answer  # the last answer, kept


def test_no_button_for_who_may_not_change_the_customer(connected, company):
    customer = french_business()
    web = WebClient()
    web.force_login(make_user("lecteur", READ_ONLY))
    page = web.get(f"/customers/{customer.pk}/").content.decode()
    assert "Consulter l’annuaire" not in page
    assert web.post(f"/customers/{customer.pk}/directory/").status_code == 403


# Before sending -----------------------------------------------------------------------------

SUFFIXED = "732829320_FACTURES"


@pytest.fixture
def receives_at_a_suffix(pasim):
    """The French business of the tests receives at SIREN_FACTURES rather than its SIREN."""
    control(pasim, "directory", siren="732829320", addressingSuffix="FACTURES")
    yield SUFFIXED
    control(pasim, "directory", siren="732829320", addressingSuffix="")


def issue(customer, chair, capture):
    with capture(execute=True):
        return issue_invoice(create_invoice(customer, [LineSpec(chair, Decimal("2"))]))


def buyer_address(xml: bytes) -> tuple[str, str]:
    root = etree.fromstring(xml)
    found = root.xpath(
        "//ram:BuyerTradeParty/ram:URIUniversalCommunication/ram:URIID"
        " | //cac:AccountingCustomerParty/cac:Party/cbc:EndpointID",
        namespaces={**facturx.NSMAP, **ubl.NSMAP},
    )
    return found[0].text, found[0].get("schemeID")


def test_sending_looks_the_directory_up_and_the_xml_states_the_address_found(
    connected, chair, receives_at_a_suffix, django_capture_on_commit_callbacks
):
    customer = french_business()
    invoice = issue(customer, chair, django_capture_on_commit_callbacks)
    submission = Submission.objects.get(invoice=invoice)
    assert submission.state == Submission.State.SENT, submission.message
    assert submission.electronic_address == SUFFIXED and not submission.directory_note
    assert DirectoryEntry.objects.get(customer=customer).electronic_address == SUFFIXED
    xml = read(store_files(invoice), "xml")
    assert buyer_address(xml) == (SUFFIXED, "0225")
    assert_valid(validate_cii(xml), "the CII with the address found")  # EN 16931 and BR-FR
    sent = services.client().download(submission.flow_id)
    assert sent == read(store_files(invoice), "pdf")  # the stored Factur-X, address and all
    assert buyer_address(ubl.build_ubl(invoice)) == (SUFFIXED, "0225")
    assert_valid(validate_ubl(ubl.build_ubl(invoice)), "the UBL with the address found")


def test_an_entry_younger_than_the_setting_is_not_asked_again(
    connected, chair, pasim, settings, django_capture_on_commit_callbacks
):
    customer = french_business()
    services.look_up_directory(customer)  # at the SIREN
    control(pasim, "directory", siren="732829320", addressingSuffix="FACTURES")
    try:
        first = issue(customer, chair, django_capture_on_commit_callbacks)
        assert Submission.objects.get(invoice=first).electronic_address == "732829320"
        DirectoryEntry.objects.filter(customer=customer).update(
            looked_up_at=timezone.now() - timedelta(hours=settings.COMPTOIR_DIRECTORY_MAX_AGE_HOURS)
        )
        second = issue(customer, chair, django_capture_on_commit_callbacks)
        assert Submission.objects.get(invoice=second).electronic_address == SUFFIXED
        assert buyer_address(read(store_files(second), "xml"))[0] == SUFFIXED
        assert buyer_address(read(store_files(first), "xml"))[0] == "732829320"  # unchanged
    finally:
        control(pasim, "directory", siren="732829320", addressingSuffix="")


def test_a_directory_down_never_blocks_sending(
    connected, chair, pasim, user, api, receives_at_a_suffix, django_capture_on_commit_callbacks
):
    customer = french_business()
    services.look_up_directory(customer)
    DirectoryEntry.objects.filter(customer=customer).update(
        looked_up_at=timezone.now() - timedelta(days=3)
    )
    control(pasim, "faults", path="/directory-service/", status=503)
    invoice = issue(customer, chair, django_capture_on_commit_callbacks)
    submission = Submission.objects.get(invoice=invoice)
    assert submission.state == Submission.State.SENT, submission.message
    assert submission.electronic_address == SUFFIXED  # the last known one
    assert "L’annuaire n’a pas pu être consulté" in submission.directory_note
    assert "La plateforme est indisponible pour le moment" in submission.directory_note
    assert DirectoryEntry.objects.get(customer=customer).failure
    assert buyer_address(read(store_files(invoice), "xml"))[0] == SUFFIXED
    web = WebClient()
    web.force_login(user)
    page = web.get(f"/invoices/{invoice.pk}/").content.decode()
    assert f"À l’adresse électronique {SUFFIXED}, selon l’annuaire" in page
    assert "L’annuaire n’a pas pu être consulté" in page
    answer = api.get(f"/invoices/{invoice.pk}/platform").json()["submission"]
    assert answer["electronic_address"] == SUFFIXED and "indisponible" in answer["directory_note"]


def test_a_customer_absent_from_the_directory_keeps_its_siren_as_address(
    connected, chair, django_capture_on_commit_callbacks
):
    customer = create_customer(name="Absente", siren=UNKNOWN_SIREN)
    invoice = issue(customer, chair, django_capture_on_commit_callbacks)
    submission = Submission.objects.get(invoice=invoice)
    assert submission.electronic_address == "" and submission.address_settled_at, (
        submission.directory_note,
        submission.message,
    )
    assert DirectoryEntry.objects.get(customer=customer).state == DirectoryEntry.State.ABSENT
    assert buyer_address(read(store_files(invoice), "xml")) == (UNKNOWN_SIREN, "0225")


def test_an_answer_about_a_former_siren_is_not_used(
    connected, chair, user, receives_at_a_suffix, django_capture_on_commit_callbacks
):
    from comptoir.parties.services import update_customer

    customer = french_business()
    services.look_up_directory(customer)
    customer = update_customer(customer, siren=UNKNOWN_SIREN)
    assert services.directory_entry(customer) is None
    web = WebClient()
    web.force_login(user)
    page = web.get(f"/customers/{customer.pk}/").content.decode()
    assert "Annuaire pas encore consulté." in page and SUFFIXED not in page
    invoice = issue(customer, chair, django_capture_on_commit_callbacks)
    assert Submission.objects.get(invoice=invoice).electronic_address == ""
    assert services.directory_entry(customer).state == DirectoryEntry.State.ABSENT


def test_without_a_connected_directory_the_lookup_says_so(api, company):
    customer = french_business()
    answer = api.post(f"/customers/{customer.pk}/directory")
    assert answer.status_code == 400
    assert answer.json()["code"] == "platform.not_configured"
    assert "annuaire" in answer.json()["message"]


def test_a_customer_absent_from_the_directory_is_information_not_a_success(connected, user):
    customer = create_customer(name="Inconnue", siren=UNKNOWN_SIREN)
    web = WebClient()
    web.force_login(user)
    page = web.post(f"/customers/{customer.pk}/directory/", follow=True).content.decode()
    assert '<li class="info">Absent de l’annuaire\u00a0: ce client n’a pas encore' in page
    assert 'class="success">Absent' not in page
    found = web.post(f"/customers/{french_business().pk}/directory/", follow=True)
    assert '<li class="success">Reçoit ses factures' in found.content.decode()
