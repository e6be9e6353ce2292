"""Supplier invoices through the approved platform (the simulator, over HTTP): the platform job
fetches the invoices dropped into the company's inbox since its last run and receives each
once; a flow it cannot download or read is kept with what went wrong; the buyer's decisions
go back as lifecycle flows, once each, retried after a fault."""

import base64
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from comptoir.core.errors import BusinessError
from comptoir.einvoicing.client import forget_tokens
from comptoir.einvoicing.services import run_platform_work, save_connection
from comptoir.einvoicing.tests.conftest import control, settings_of
from comptoir.pasim.tests.test_simulator import api, bearer, search  # noqa: F401
from comptoir.supplierinvoices import services
from comptoir.supplierinvoices.models import (
    Decision,
    IncomingFlow,
    ReceptionSettings,
    SupplierInvoice,
)
from comptoir.supplierinvoices.tests.test_reading import USE_CASES, example
from comptoir.supplierinvoices.tests.test_services import order_for_use_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(company, pasim):
    """The company connected to the simulator, reading only the flows dropped from now on
    (the simulator of the module keeps those of the tests before)."""
    forget_tokens()
    save_connection(**settings_of(pasim))
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    ReceptionSettings.objects.update_or_create(pk=1, defaults={"fetched_until": now})

    def drop(content: bytes, syntax: str = "CII", name: str = "facture.xml") -> str:
        payload = {"flowSyntax": syntax, "name": name}
        flow = control(pasim, "incoming", content=base64.b64encode(content).decode(), **payload)
        return flow["flowId"]

    return drop


@pytest.mark.parametrize("syntax", ["CII", "UBL"])
@pytest.mark.parametrize("case", USE_CASES)
def test_the_use_cases_arrive_from_the_inbox_matched_with_the_orders_made_for_them(
    vendeur,
    inbox,
    case,
    syntax,
):
    order = order_for_use_case(vendeur)
    flow_id = inbox(example(case, syntax), syntax, f"{case}.xml")
    run_platform_work()
    invoice = SupplierInvoice.objects.get()
    number, _rate, vat, gross = USE_CASES[case]
    assert (invoice.number, invoice.source, invoice.flow_id) == (number, "platform", flow_id)
    assert (invoice.total_vat, invoice.total_gross) == (Decimal(vat), Decimal(gross))
    assert (invoice.purchase_order, invoice.match, invoice.status) == (order, "matched", "received")
    assert [line.order_line for line in invoice.lines.all()] == list(order.lines.all())
    assert all(line.problems == [] for line in invoice.lines.all())
    assert IncomingFlow.objects.get().state == "received"


def test_a_flow_fetched_twice_makes_one_invoice(vendeur, inbox):
    cursor = ReceptionSettings.get().fetched_until
    inbox(example("UC1_F202500003", "CII"))
    run_platform_work()
    run_platform_work()
    ReceptionSettings.objects.update(fetched_until=cursor)  # as if the cursor were lost
    assert services.fetch_invoices() == 0
    assert SupplierInvoice.objects.count() == 1 and IncomingFlow.objects.count() == 1
    # the same invoice as UBL, in a second flow: kept, held as the duplicate of the first
    inbox(example("UC1_F202500003", "UBL"))
    assert services.fetch_invoices() == 1
    first, second = SupplierInvoice.objects.order_by("pk")
    assert (second.held_because, second.duplicate_of) == ("duplicate", first)


def test_an_unreadable_flow_is_kept_with_its_reason_and_never_lost(vendeur, inbox):
    garbage = b"<html>not an invoice</html>"
    flow_id = inbox(garbage, "UBL", "broken.xml")
    run_platform_work()
    flow = IncomingFlow.objects.get(flow_id=flow_id)
    assert (flow.state, bytes(flow.content), flow.syntax) == ("unreadable", garbage, "UBL")
    assert "facture" in flow.reason  # the reading's own words
    assert not SupplierInvoice.objects.exists()
    run_platform_work()
    assert IncomingFlow.objects.count() == 1


def test_a_flow_that_could_not_be_downloaded_is_asked_again(vendeur, inbox, pasim):
    flow_id = inbox(example("UC2_F202500004", "UBL"), "UBL")
    control(pasim, "faults", path=f"/flow-service/v1/flows/{flow_id}", status=503)
    run_platform_work()
    flow = IncomingFlow.objects.get(flow_id=flow_id)
    assert flow.state == "failed" and "indisponible" in flow.reason
    assert not SupplierInvoice.objects.exists()
    run_platform_work()  # the cursor moved on, the flow is asked again by its id
    flow.refresh_from_db()
    assert (flow.state, flow.attempts, flow.reason) == ("received", 2, "")
    assert flow.invoice == SupplierInvoice.objects.get()


def test_a_decision_is_sent_once_as_a_lifecycle_flow(vendeur, inbox, pasim, bearer):  # noqa: F811
    invoice = services.receive_supplier_invoice(example("UC1_F202500003", "CII"), source="upload")
    decision = services.decide(invoice.invoice, 205)
    assert services.due_decisions() == [decision.pk]
    run_platform_work()
    decision.refresh_from_db()
    assert decision.sent_at is not None and decision.flow_id and decision.attempts == 1
    run_platform_work()
    decision.refresh_from_db()
    assert decision.attempts == 1  # never twice
    token = bearer
    flows = search(pasim, token, {"trackingId": decision.tracking_id})
    assert len(flows) == 1 and flows[0]["flowSyntax"] == "CDAR"
    assert flows[0]["acknowledgement"]["status"] == "Ok"  # the CDAR passes the platform's checks
    path = f"/flow-service/v1/flows/{decision.flow_id}?docType=Original"
    assert api(pasim, token, "GET", path)[2] == bytes(decision.message)


def test_a_decision_the_platform_could_not_take_is_retried_later(vendeur, inbox, pasim):
    invoice = services.receive_supplier_invoice(example("UC1_F202500003", "CII"), source="upload")
    decision = services.decide(invoice.invoice, 207, reason_code="QTE_ERR")
    control(pasim, "faults", path="/flow-service/v1/flows", status=503, retryAfter=120)
    decision = services.send_decision(decision.pk)
    assert decision.sent_at is None and "indisponible" in decision.failure
    assert decision.retry_at is not None and services.due_decisions() == []
    assert services.due_decisions(now=decision.retry_at) == [decision.pk]
    Decision.objects.filter(pk=decision.pk).update(retry_at=decision.retry_at.replace(year=2000))
    run_platform_work()
    decision.refresh_from_db()
    assert (decision.attempts, decision.failure) == (2, "")
    assert decision.sent_at is not None


def test_a_decision_is_sent_as_soon_as_it_is_taken(
    vendeur, inbox, django_capture_on_commit_callbacks
):
    invoice = services.receive_supplier_invoice(example("UC3_F202500005", "UBL"), source="upload")
    with django_capture_on_commit_callbacks(execute=True):
        decision = services.decide(invoice.invoice, 210, reason_code="CMD_ERR")
    decision.refresh_from_db()
    assert decision.sent_at is not None and decision.attempts == 1
    assert services.due_decisions() == []


def test_without_a_platform_a_decision_waits_to_be_sent(
    vendeur, django_capture_on_commit_callbacks
):
    invoice = services.receive_supplier_invoice(example("UC3_F202500005", "UBL"), source="upload")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        decision = services.decide(invoice.invoice, 205)
    assert callbacks == [] and decision.attempts == 0
    assert services.due_decisions() == [decision.pk]


def test_a_decision_the_platform_refused_is_sent_again_on_request(
    vendeur, inbox, pasim, user, client, django_capture_on_commit_callbacks
):
    invoice = services.receive_supplier_invoice(example("UC1_F202500003", "UBL"), source="upload")
    decision = services.decide(invoice.invoice, 205)
    control(pasim, "faults", path="/flow-service/v1/flows", status=400)
    decision = services.send_decision(decision.pk)
    assert decision.sent_at is None and decision.retry_at is None
    assert "La plateforme a refusé la demande" in decision.failure
    assert services.due_decisions() == []  # trying again alone cannot help
    client.force_login(user)
    page = client.get(f"/supplier-invoices/{invoice.invoice.pk}/").content.decode()
    assert "non envoyée\u00a0: La plateforme a refusé" in page and "Envoyer à nouveau" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/supplier-invoices/decisions/{decision.pk}/send/")
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.sent_at is not None and decision.attempts == 2
    with pytest.raises(BusinessError) as refused:
        services.send_decision_again(decision)
    assert refused.value.code == "supplier_invoice.decision_sent"
