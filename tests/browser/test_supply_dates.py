"""A draft invoice's date of supply, corrected in the browser: a period that ends before it
starts is refused next to its field, with everything typed kept."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from comptoir.billing import services as billing
from comptoir.pricing.engine import LineSpec
from comptoir.sales import services as sales
from comptoir.stock.services import create_deliveries
from tests.browser.conftest import log_in
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = dt.date.today()
MONDAY, THURSDAY = TODAY - dt.timedelta(days=10), TODAY - dt.timedelta(days=7)


def _fr(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def test_a_draft_s_period_of_supply_is_corrected_and_checked(page, clerk):
    chair = ItemFactory(code="CHAISE", name="Chaise hêtre", sale_price=Decimal("45.00"))
    order = sales.confirm_order(
        sales.create_order(CustomerFactory(name="Boulangerie Durand"), [LineSpec(chair, 5)])
    )
    (line,) = order.lines.all()
    create_deliveries([(order, {line.pk: "2"})], day=MONDAY)
    create_deliveries([(order, {line.pk: "3"})], day=THURSDAY)
    draft = billing.invoice_order(order)

    log_in(page)
    page.goto(draft.get_absolute_url())
    facts = page.locator("#supply-dates")
    expect(facts).to_have_text(f"du {_fr(MONDAY)} au {_fr(THURSDAY)}")

    page.goto(f"/invoices/{draft.pk}/edit/")
    expect(page.locator("#id_supply_date")).to_have_value(MONDAY.isoformat())
    expect(page.locator("#id_supply_end_date")).to_have_value(THURSDAY.isoformat())

    # The dates swapped by mistake: said beside the end date as it is typed, refused on
    # saving, the notes typed kept.
    message = (
        f"La période de livraison ou de prestation ne peut pas se terminer avant son début "
        f"({_fr(THURSDAY)})"
    )
    page.fill("#id_supply_date", THURSDAY.isoformat())
    page.fill("#id_supply_end_date", MONDAY.isoformat())
    page.locator("#id_supply_end_date").dispatch_event("change")
    expect(page.locator("#error-supply_end_date")).to_contain_text(message)
    page.fill("#id_notes", "Livraison en deux fois")
    page.click("button[name=save]")
    expect(page.locator("#error-supply_end_date")).to_contain_text(message)
    expect(page.locator("h1")).to_contain_text("Facture")
    expect(page.locator("#id_notes")).to_have_value("Livraison en deux fois")
    expect(page.locator("#id_supply_date")).to_have_value(THURSDAY.isoformat())
    draft.refresh_from_db()
    assert (draft.supply_date, draft.supply_end_date) == (MONDAY, THURSDAY)

    # Corrected: saved, and the invoice page says the new period.
    page.fill("#id_supply_end_date", TODAY.isoformat())
    page.click("button[name=save]")
    expect(facts).to_have_text(f"du {_fr(THURSDAY)} au {_fr(TODAY)}")
    expect(page.locator("dl.facts")).to_contain_text("Période de livraison ou de prestation")
    draft.refresh_from_db()
    assert (draft.supply_date, draft.supply_end_date) == (THURSDAY, TODAY)
    assert draft.notes == "Livraison en deux fois"

    # Emptied, the end leaves one day: the date of supply.
    page.goto(f"/invoices/{draft.pk}/edit/")
    page.fill("#id_supply_end_date", "")
    page.click("button[name=save]")
    expect(facts).to_have_text(_fr(THURSDAY))
    expect(
        page.locator("dl.facts dt", has_text="Date de livraison ou de prestation")
    ).to_be_visible()
