"""The owner looks her customer up in the platform's directory from the customer's page."""

import pytest
from playwright.sync_api import expect

from comptoir.einvoicing import services
from comptoir.einvoicing.client import forget_tokens
from comptoir.einvoicing.tests.conftest import control, french_business, settings_of
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_looking_a_customer_up_in_the_directory(page, clerk, pasim, screenshot):
    forget_tokens()
    services.save_connection(**settings_of(pasim))
    customer = french_business()
    log_in(page)
    page.goto(f"/customers/{customer.pk}/")
    facts = page.locator("#directory")
    expect(facts).to_contain_text("Annuaire pas encore consulté.")
    facts.get_by_role("button", name="Consulter l’annuaire").click()
    expect(page.locator(".messages")).to_contain_text(
        "Reçoit ses factures électroniques à l’adresse 732829320 via une plateforme agréée"
    )
    expect(facts).to_contain_text("à l’adresse 732829320")
    expect(facts).to_contain_text("Annuaire consulté le")
    screenshot("customer-directory")
    control(pasim, "faults", path="/directory-service/", status=503)
    facts.get_by_role("button", name="Consulter l’annuaire").click()
    expect(page.locator(".messages")).to_contain_text("indisponible")
    expect(facts).to_contain_text("Dernière consultation échouée le")
    expect(facts).to_contain_text("à l’adresse 732829320")  # the last answer, kept
