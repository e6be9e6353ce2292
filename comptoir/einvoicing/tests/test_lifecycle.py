"""The statuses of sent invoices, read from the platform (the simulator, over real HTTP) by the
scheduled job, kept and shown on the invoice page as a timeline."""

from decimal import Decimal

import pytest
from django.test import Client as WebClient
from django.utils import timezone

from comptoir.billing.services import create_invoice, issue_invoice
from comptoir.einvoicing.models import LifecycleStatus, PlatformConnection, Submission
from comptoir.einvoicing.tests.conftest import control, french_business
from comptoir.parties.services import create_customer
from comptoir.pasim.testing import REFUSING_BUYER
from comptoir.pricing.engine import LineSpec
from comptoir.scheduling.services import run_due

pytestmark = pytest.mark.django_db


def codes(invoice) -> list[int]:
    return list(LifecycleStatus.objects.filter(invoice=invoice).values_list("code", flat=True))


def issued(customer, chair, capture):
    with capture(execute=True):
        invoice = issue_invoice(create_invoice(customer, [LineSpec(chair, Decimal("2"))]))
    submission = Submission.objects.get(invoice=invoice)
    assert submission.state == Submission.State.SENT, submission.message
    return invoice, submission


def test_an_invoice_goes_from_deposited_to_approved(
    connected, chair, pasim, user, api, django_capture_on_commit_callbacks
):
    from examples.facturx import PARIS

    invoice, submission = issued(french_business(), chair, django_capture_on_commit_callbacks)
    refusing = create_customer(name="Sous Traitant", siren=REFUSING_BUYER, addresses=PARIS)
    refused, refused_submission = issued(refusing, chair, django_capture_on_commit_callbacks)
    assert "einvoicing.platform" in run_due()  # the scheduled job reads the platform
    assert codes(invoice) == [200]
    deposited = LifecycleStatus.objects.get(invoice=invoice, code=200).at
    assert abs((deposited - timezone.now()).total_seconds()) < 120  # French time, read right
    for _ in range(4):
        control(pasim, "advance", flowId=submission.flow_id)
        control(pasim, "advance", flowId=refused_submission.flow_id)
    from comptoir.einvoicing.services import poll_lifecycle

    poll_lifecycle()
    assert codes(invoice) == [200, 202, 203, 204, 205]
    assert codes(refused) == [200, 202, 203, 210]
    refusal = LifecycleStatus.objects.get(invoice=refused, code=210)
    assert refusal.reason_code == "TX_TVA_ERR" and refusal.reason == "Taux de TVA erroné"
    assert poll_lifecycle() == 0  # read once: nothing new, nothing twice
    assert LifecycleStatus.objects.filter(invoice=invoice).count() == 5

    answer = api.get(f"/invoices/{refused.pk}/platform").json()
    assert answer["submission"]["state"] == "sent"
    assert answer["submission"]["flow_id"] == refused_submission.flow_id
    assert [s["code"] for s in answer["statuses"]] == [200, 202, 203, 210]
    assert answer["statuses"][-1]["reason_code"] == "TX_TVA_ERR"
    assert answer["statuses"][-1]["label"] == "Refusée"

    web = WebClient()
    web.force_login(user)
    html = web.get(invoice.get_absolute_url()).content.decode()
    assert 'id="lifecycle"' in html
    for code in (200, 202, 203, 204, 205):
        assert f'data-status="{code}"' in html
    # The badge follows the latest status, not the sending's « Envoyée »; no code shown.
    badge = html.split('id="platform-state"')[1].split("</span>")[0]
    assert badge.endswith("Approuvée") and "Envoyée" not in badge
    assert "205 Approuvée" not in html and "200 Déposée" not in html
    html = web.get(refused.get_absolute_url()).content.decode()
    assert "Refusée" in html and "Taux de TVA erroné" in html and "TX_TVA_ERR" not in html


def test_an_invalid_invoice_is_rejected_213(
    connected, chair, pasim, django_capture_on_commit_callbacks
):
    from comptoir.einvoicing import services

    services.save_connection(syntax="CII")
    with django_capture_on_commit_callbacks(execute=False):
        invoice = issue_invoice(create_invoice(french_business(), [LineSpec(chair, 1)]))
    submission = Submission.objects.get(invoice=invoice)
    # The total no longer the sum of the lines (BR-CO-15): the platform rejects it.
    from comptoir.billing.files import read, store_files

    xml = read(store_files(invoice), "xml")
    total = xml.split(b"<ram:GrandTotalAmount>")[1].split(b"<")[0]
    broken = xml.replace(
        b"<ram:GrandTotalAmount>" + total,
        b"<ram:GrandTotalAmount>" + str(Decimal(total.decode()) + 1).encode(),
    )
    platform = services.client()
    flow = platform.submit(
        broken, {"flowSyntax": "CII", "trackingId": submission.tracking_id}, "x.xml"
    )
    Submission.objects.filter(pk=submission.pk).update(state="sent", flow_id=flow["flowId"])
    # From this flow on: the simulator still holds earlier tests' invoices of the same number.
    PlatformConnection.objects.update(polled_until=flow["submittedAt"])
    services.poll_lifecycle()
    assert codes(invoice) == [200, 213]
    assert LifecycleStatus.objects.get(invoice=invoice, code=213).reason_code == "REJ_SEMAN"
