"""The date of supply (« date de livraison ou d'exécution de la prestation », BT-72) of an
invoice is the shipping day of the deliveries it bills, or their period (BG-14) when they shipped
over several days; a down-payment invoice supplies nothing yet and states no delivery date (at
most an expected one, said to be expected). A draft's dates can be corrected; issued, they are
frozen. Checked on the real PDF and the real XML, by the project's validator and, when it sits
beside the project, by ../shared's."""

import datetime as dt
import subprocess
from decimal import Decimal

import pytest
from lxml import etree

from comptoir.billing import services
from comptoir.billing.facturx import build_xml
from comptoir.billing.pdf import render_facturx
from comptoir.billing.tests.test_facturx import CHECKER, NS, pdf_text
from comptoir.billing.tests.validation import assert_valid, validate_cii, validate_facturx_pdf
from comptoir.core.errors import BusinessError
from comptoir.parties.services import create_customer
from comptoir.pricing.engine import LineSpec
from comptoir.sales import services as sales
from comptoir.stock.services import create_deliveries
from examples.facturx import PARIS

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
MONDAY, THURSDAY = TODAY - dt.timedelta(days=10), TODAY - dt.timedelta(days=7)
PERIOD = ".//ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod"
ACTUAL = ".//ram:ApplicableHeaderTradeDelivery/ram:ActualDeliverySupplyChainEvent"


def _words(content: bytes) -> str:
    """The PDF's text, its lines joined."""
    return " ".join(pdf_text(content).split())


def _fr(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _cii(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


@pytest.fixture
def buyer(items):
    return create_customer(
        name="Client Francais",
        siren="732829320",
        vat_id="FR44732829320",
        email="compta@client.fr",
        addresses=PARIS,
    )


def _order(buyer, items, chairs="5", books="2"):
    lines = [LineSpec(items["chair"], Decimal(chairs)), LineSpec(items["book"], Decimal(books))]
    return sales.confirm_order(sales.create_order(buyer, lines))


def _xml_dates(invoice) -> tuple[str | None, str | None, str | None]:
    tree = etree.fromstring(build_xml(invoice))
    text = "ram:{}/udt:DateTimeString"
    namespaces = {**NS, "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"}
    return (
        tree.findtext(f"{ACTUAL}/{text.format('OccurrenceDateTime')}", namespaces=namespaces),
        tree.findtext(f"{PERIOD}/{text.format('StartDateTime')}", namespaces=namespaces),
        tree.findtext(f"{PERIOD}/{text.format('EndDateTime')}", namespaces=namespaces),
    )


def test_deliveries_shipped_on_two_days_print_their_period(buyer, items):
    order = _order(buyer, items)
    chair, book = order.lines.order_by("position")
    create_deliveries([(order, {chair.pk: "2", book.pk: "2"})], day=MONDAY)
    create_deliveries([(order, {chair.pk: "3"})], day=THURSDAY)

    draft = services.invoice_order(order)
    assert (draft.supply_date, draft.supply_end_date) == (MONDAY, THURSDAY)
    invoice = services.issue_invoice(draft)
    assert (invoice.supply_date, invoice.supply_end_date) == (MONDAY, THURSDAY)

    assert _xml_dates(invoice) == (None, _cii(MONDAY), _cii(THURSDAY))
    assert_valid(validate_cii(build_xml(invoice)), invoice.number)
    content = render_facturx(invoice)
    assert_valid(validate_facturx_pdf(content), invoice.number)
    text = _words(content)
    period = f"Période de livraison ou de prestation : du {_fr(MONDAY)} au {_fr(THURSDAY)}"
    assert period in text, text
    assert f"Date de livraison ou de prestation : {_fr(TODAY)}" not in text


def test_one_delivery_prints_its_shipping_day(buyer, items):
    order = _order(buyer, items)
    create_deliveries([(order, None)], day=THURSDAY)
    invoice = services.issue_invoice(services.invoice_order(order))
    assert (invoice.date, invoice.supply_date, invoice.supply_end_date) == (TODAY, THURSDAY, None)
    assert _xml_dates(invoice) == (_cii(THURSDAY), None, None)
    assert_valid(validate_cii(build_xml(invoice)), invoice.number)
    text = _words(render_facturx(invoice))
    assert f"Date de livraison ou de prestation : {_fr(THURSDAY)}" in text


def test_a_note_prepared_earlier_ships_on_the_day_it_ships(buyer, items):
    """A delivery note made on Monday and shipped today: its goods left today, the date its
    note takes and its invoice states."""
    from comptoir.stock.services import ship_delivery

    order = _order(buyer, items)
    (note,) = create_deliveries([(order, None)], day=MONDAY, ship=False)
    note = ship_delivery(note)
    assert note.date == TODAY
    invoice = services.invoice_order(order)
    assert (invoice.supply_date, invoice.supply_end_date) == (TODAY, None)


def test_a_later_invoice_of_the_order_bills_the_later_deliveries_only(buyer, items):
    """Deliveries are billed in the order they shipped: the second invoice of an order bills
    the goods shipped after the first, and says their day, not the first delivery's."""
    order = _order(buyer, items)
    chair, book = order.lines.order_by("position")
    create_deliveries([(order, {chair.pk: "2"})], day=MONDAY)
    first = services.issue_invoice(services.invoice_order(order))
    assert (first.supply_date, first.supply_end_date) == (MONDAY, None)
    create_deliveries([(order, {chair.pk: "3", book.pk: "2"})], day=THURSDAY)
    second = services.invoice_order(order)
    assert (second.supply_date, second.supply_end_date) == (THURSDAY, None)


def test_invoicing_deliveries_in_bulk_gives_each_invoice_its_period(buyer, items):
    early, late = _order(buyer, items), _order(buyer, items, "1", "1")
    create_deliveries([(early, None)], day=MONDAY)
    create_deliveries([(late, None)], day=THURSDAY)
    (invoice,) = services.invoice_deliveries(up_to=TODAY, customer=buyer)
    assert (invoice.supply_date, invoice.supply_end_date) == (MONDAY, THURSDAY)


def test_the_page_says_how_many_invoices_it_made_or_that_none_was_due(buyer, items, client, user):
    client.force_login(user)
    create_deliveries([(_order(buyer, items), None)], day=MONDAY)
    made = client.post("/invoices/from-deliveries/", {"up_to": str(TODAY)}, follow=True)
    assert "1 facture brouillon établie à partir des livraisons." in made.content.decode()
    again = client.post("/invoices/from-deliveries/", {"up_to": str(TODAY)})
    assert again.status_code == 400  # nothing made: said on the form, not « 0 factures »
    assert "Aucune livraison expédiée à cette date ne reste à facturer." in again.content.decode()


def test_without_shipped_goods_the_supply_date_is_the_invoice_day(buyer, items):
    """Services, or goods invoiced as ordered before they ship: the day of the invoice."""
    invoice = services.create_invoice(buyer, [LineSpec(items["service"], Decimal("1"))])
    assert invoice.supply_date is None
    invoice = services.issue_invoice(invoice)
    assert (invoice.supply_date, invoice.supply_end_date) == (TODAY, None)


def test_a_down_payment_states_no_delivery_date(buyer, items):
    """Nothing is delivered when a down payment is invoiced: no date of supply on the PDF nor
    in the XML (neither BT-72 nor BG-14), and the e-invoice stays valid."""
    order = _order(buyer, items)
    down = services.issue_invoice(services.create_down_payment(order, percent=Decimal("30")))
    assert (down.supply_date, down.supply_end_date) == (None, None)
    assert _xml_dates(down) == (None, None, None)
    assert_valid(validate_cii(build_xml(down)), down.number)
    text = _words(render_facturx(down))
    assert "Date de livraison" not in text and "Période de livraison" not in text
    # Nor does the credit note that cancels it.
    credit_note = services.issue_invoice(services.credit_invoice(down, reason="Annulée"))
    assert (credit_note.supply_date, _xml_dates(credit_note)) == (None, (None, None, None))
    assert_valid(validate_cii(build_xml(credit_note)), credit_note.number)

    # An expected date, typed on the draft, is printed as expected: never as a delivery.
    draft = services.create_down_payment(order, percent=Decimal("10"))
    services.update_invoice(draft, supply_date=THURSDAY + dt.timedelta(days=30))
    expected = services.issue_invoice(draft)
    day = THURSDAY + dt.timedelta(days=30)
    assert _xml_dates(expected) == (None, _cii(day), _cii(day))
    assert_valid(validate_cii(build_xml(expected)), expected.number)
    text = _words(render_facturx(expected))
    assert f"Date prévue de livraison ou de prestation : {_fr(day)}" in text
    assert "Date de livraison ou de prestation" not in text


def test_a_draft_s_period_is_corrected_and_checked(buyer, items):
    order = _order(buyer, items)
    create_deliveries([(order, None)], day=THURSDAY)
    draft = services.invoice_order(order)

    draft = services.update_invoice(draft, supply_date=MONDAY, supply_end_date=THURSDAY)
    assert (draft.supply_date, draft.supply_end_date) == (MONDAY, THURSDAY)
    with pytest.raises(BusinessError) as refused:
        services.update_invoice(draft, supply_date=THURSDAY, supply_end_date=MONDAY)
    assert (refused.value.code, refused.value.field) == ("invoice.supply_period", "supply_end_date")
    with pytest.raises(BusinessError) as refused:
        services.update_invoice(draft, supply_date=None, supply_end_date=THURSDAY)
    assert (refused.value.code, refused.value.field) == ("invoice.supply_period", "supply_date")
    draft.refresh_from_db()
    assert (draft.supply_date, draft.supply_end_date) == (MONDAY, THURSDAY)  # nothing half-saved

    # A period of one day is that day.
    draft = services.update_invoice(draft, supply_date=MONDAY, supply_end_date=MONDAY)
    assert (draft.supply_date, draft.supply_end_date) == (MONDAY, None)

    issued = services.issue_invoice(draft)
    with pytest.raises(BusinessError) as refused:
        services.update_invoice(issued, supply_date=THURSDAY)
    assert refused.value.code == "invoice.not_draft"


def test_the_api_corrects_a_draft_s_period_and_refuses_bad_dates(buyer, items, api):
    order = _order(buyer, items)
    create_deliveries([(order, None)], day=THURSDAY)
    draft = services.invoice_order(order)
    url = f"/invoices/{draft.pk}"

    good = {"supply_date": MONDAY.isoformat(), "supply_end_date": THURSDAY.isoformat()}
    response = api.patch(url, good)
    assert response.status_code == 200, response.content
    assert response.json()["supply_date"] == MONDAY.isoformat()
    assert response.json()["supply_end_date"] == THURSDAY.isoformat()

    backwards = {"supply_date": THURSDAY.isoformat(), "supply_end_date": MONDAY.isoformat()}
    response = api.patch(url, backwards)
    assert response.status_code == 400
    assert response.json()["code"] == "invoice.supply_period"
    assert response.json()["field"] == "supply_end_date"
    for wrong in ("1900-01-01", "2026-02-30", "soon", 20261207):
        response = api.patch(url, {"supply_end_date": wrong})
        assert 400 <= response.status_code < 500, (wrong, response.content)
    assert api.patch(url, {"supply_end_date": None}).json()["supply_end_date"] is None

    response = api.post(
        "/invoices",
        {
            "customer": buyer.code,
            "lines": [{"item": "INSTALL", "quantity": "1"}],
            **backwards,
        },
    )
    assert response.status_code == 400 and response.json()["field"] == "supply_end_date"

    assert api.post(f"/invoices/{draft.pk}/issue").status_code == 200
    response = api.patch(url, good)
    assert response.status_code == 400 and response.json()["code"] == "invoice.not_draft"


def test_correcting_the_dates_keeps_the_lines_billed_from_the_orders(buyer, items):
    """The form sends a draft's lines back with its header: lines billed from orders (even
    from several, the invoice then naming no one order) are kept with their lineage when they
    come back as they are, and refused when changed."""
    early, late = _order(buyer, items), _order(buyer, items, "1", "1")
    create_deliveries([(early, None)], day=MONDAY)
    create_deliveries([(late, None)], day=THURSDAY)
    (draft,) = services.invoice_deliveries(up_to=TODAY, customer=buyer)
    assert draft.order_id is None
    lines = list(draft.lines.order_by("position"))
    same = [
        LineSpec(x.item, x.quantity, x.unit_price, x.discount_pct, x.description, x.tax)
        for x in lines
    ]
    services.update_invoice(draft, lines=same, supply_date=THURSDAY, supply_end_date=None)
    draft.refresh_from_db()
    assert (draft.supply_date, draft.supply_end_date) == (THURSDAY, None)
    assert list(draft.lines.order_by("position")) == lines
    assert all(x.source_line_id for x in draft.lines.all())

    same[0].quantity += 1
    with pytest.raises(BusinessError) as refused:
        services.update_invoice(draft, lines=same)
    assert refused.value.field == "lines"
    assert draft.lines.get(position=1).quantity == lines[0].quantity


def test_an_intra_community_down_payment_needs_its_expected_date(items):
    """EN 16931 (BR-IC-11) wants the date or period of an intra-community supply: its down
    payment is issued once the expected date is given, and its XML is then valid."""
    from comptoir.pricing.models import Tax
    from examples.facturx import MILANO

    italia = create_customer(
        name="Cliente Italia",
        vat_id="IT00743110157",
        email="contabilita@italia.it",
        addresses=MILANO,
        default_tax=Tax.objects.get(code="INTRACOM"),
    )
    order = sales.confirm_order(sales.create_order(italia, [LineSpec(items["chair"], 10)]))
    draft = services.create_down_payment(order, percent=Decimal("30"))
    with pytest.raises(BusinessError) as refused:
        services.issue_invoice(draft)
    assert (refused.value.code, refused.value.field) == ("invoice.supply_period", "supply_date")
    draft.refresh_from_db()
    assert draft.status == "draft" and not draft.number

    day = TODAY + dt.timedelta(days=20)
    down = services.issue_invoice(services.update_invoice(draft, supply_date=day))
    assert _xml_dates(down) == (None, _cii(day), _cii(day))
    assert_valid(validate_cii(build_xml(down)), down.number)


def test_the_second_opinion_agrees(buyer, items, tmp_path):
    """../shared/validation/check-facturx --fr on the Factur-X PDFs: a period, one day, a down
    payment without a date and one with an expected date, all valid."""
    if not CHECKER.exists():
        pytest.skip(f"no second opinion: {CHECKER} is not beside the project (CI has it)")
    order = _order(buyer, items)
    chair, book = order.lines.order_by("position")
    create_deliveries([(order, {chair.pk: "2", book.pk: "2"})], day=MONDAY)
    create_deliveries([(order, {chair.pk: "3"})], day=THURSDAY)
    down = services.issue_invoice(services.create_down_payment(order, percent=Decimal("30")))
    expected = services.create_down_payment(order, percent=Decimal("10"))
    expected = services.issue_invoice(services.update_invoice(expected, supply_date=TODAY))
    period = services.issue_invoice(services.invoice_order(order))
    other = _order(buyer, items)
    create_deliveries([(other, None)], day=THURSDAY)
    one_day = services.issue_invoice(services.invoice_order(other))
    for invoice in (period, one_day, down, expected):
        (tmp_path / f"{invoice.number}.pdf").write_bytes(render_facturx(invoice))
    command = [str(CHECKER), "--fr", "--quiet", str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "4/4 valid" in result.stdout, result.stdout[-6000:]
