"""An invoice of the platform fully paid: Comptoir sends its 212 Encaissée to the platform (the
simulator, over real HTTP) as a CDAR flow of its own, once, and withdraws it when the payment
is cancelled before it leaves."""

import subprocess
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client as WebClient
from django.utils import timezone
from lxml import etree

from comptoir.billing.services import create_invoice, credit_invoice, issue_invoice
from comptoir.einvoicing import services
from comptoir.einvoicing.cdar import NS, parse_cdar
from comptoir.einvoicing.models import LifecycleStatus, OutgoingStatus, Submission
from comptoir.einvoicing.payment_statuses import (
    due_payment_statuses,
    received_by_rate,
    send_payment_status,
)
from comptoir.einvoicing.tests.conftest import control, french_business
from comptoir.einvoicing.tests.test_cdar import CHECK_FACTURX
from comptoir.einvoicing.tests.validation import validate_cdar
from comptoir.payments.services import cancel_payment, register_payment
from comptoir.pricing.engine import LineSpec

pytestmark = pytest.mark.django_db


def sent_invoice(chair, capture, quantity="2"):
    with capture(execute=True):
        invoice = issue_invoice(create_invoice(french_business(), [LineSpec(chair, quantity)]))
    assert Submission.objects.get(invoice=invoice).state == Submission.State.SENT
    return invoice


def pay(invoice, amount, capture, *, execute=True, **fields):
    with capture(execute=execute):
        return register_payment(invoice.customer, amount, allocations=[(invoice, amount)], **fields)


def status_flows(row) -> list[dict]:
    """The flows the platform holds with the row's tracking id."""
    return services.client().search({"trackingId": row.tracking_id})


def test_a_fully_paid_invoice_sends_its_212_once(
    connected, chair, user, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    invoice = sent_invoice(chair, capture)
    half = (invoice.total_gross / 2).quantize(Decimal("0.01"))
    pay(invoice, half, capture)
    assert not OutgoingStatus.objects.exists()  # partly paid: nothing to say yet

    pay(invoice, invoice.total_gross - half, capture)
    row = OutgoingStatus.objects.get(invoice=invoice)
    assert row.state == OutgoingStatus.State.SENT, row.message
    assert row.code == 212 and row.attempts == 1 and row.amount == invoice.total_gross
    [flow] = status_flows(row)
    assert flow["flowId"] == row.flow_id
    assert (flow["flowSyntax"], flow["flowType"], flow["flowDirection"]) == (
        "CDAR",
        "CustomerInvoiceLC",
        "Out",
    )
    assert flow["acknowledgement"]["status"] == "Ok"  # the simulator checked XSD and CDV rules
    content = services.client().download(row.flow_id)
    assert content == bytes(row.content)
    assert not [str(f) for f in validate_cdar(content) if f.blocking]
    message = parse_cdar(content)
    assert (message.status, message.invoice_number, message.invoice_date) == (
        212,
        invoice.number,
        invoice.date,
    )
    assert sum(a.amount for a in message.amounts) == invoice.total_gross
    assert {a.type for a in message.amounts} == {"MEN"}
    assert [r.role for r in message.recipients] == ["BY", "DFH"]
    assert message.recipients[0].address == "732829320"  # as the directory gave it
    assert message.seller_id == "552100554"

    # In the invoice's lifecycle, as sent by us
    [kept] = LifecycleStatus.objects.filter(invoice=invoice, code=212)
    assert kept.sent_by_us and kept.flow_id == row.flow_id
    web = WebClient()
    web.force_login(user)
    html = web.get(invoice.get_absolute_url()).content.decode()
    assert 'data-status="212"' in html and "Encaissée" in html and "envoyé par nous" in html

    answer = WebClient()
    answer.force_login(user)
    platform = answer.get(f"/api/invoices/{invoice.pk}/platform").json()
    assert [(s["code"], s["sent_by_us"]) for s in platform["statuses"]][-1] == (212, True)
    [sent] = platform["payment_statuses"]
    assert (sent["code"], sent["state"], sent["flow_id"]) == (212, "sent", row.flow_id)
    assert sent["amount"] == str(invoice.total_gross)

    # Never twice: the job, a retry and a new settlement send nothing more
    assert send_payment_status(row.pk).flow_id == row.flow_id
    services.run_platform_work()
    from comptoir.billing.services import refresh_settlements

    with capture(execute=True):
        refresh_settlements([invoice.pk])
    assert len(status_flows(row)) == 1
    assert OutgoingStatus.objects.count() == 1
    assert LifecycleStatus.objects.filter(invoice=invoice, code=212).count() == 1


def test_the_amount_received_is_shared_out_per_vat_rate(connected, chair):
    from comptoir.billing.models import Invoice

    invoice = Invoice(
        amount_paid=Decimal("100.00"),
        vat_breakdown=[
            {"category": "S", "rate": "20.00", "taxable_amount": "50.00", "tax_amount": "10.00"},
            {"category": "S", "rate": "5.50", "taxable_amount": "30.00", "tax_amount": "1.65"},
            {"category": "Z", "rate": "0.00", "taxable_amount": "0.00", "tax_amount": "0.00"},
        ],
    )
    shares = received_by_rate(invoice)
    assert shares == {Decimal("5.50"): Decimal("34.53"), Decimal("20.00"): Decimal("65.47")}
    assert sum(shares.values()) == Decimal("100.00")


def test_a_payment_cancelled_before_sending_withdraws_the_212(
    connected, chair, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    invoice = sent_invoice(chair, capture)
    payment = pay(invoice, invoice.total_gross, capture, execute=False)  # not sent yet
    row = OutgoingStatus.objects.get(invoice=invoice)
    assert row.state == OutgoingStatus.State.TO_SEND and row.content
    first_tracking = row.tracking_id

    with capture(execute=True):
        cancel_payment(payment, reason="Saisie en double")
    row.refresh_from_db()
    assert row.state == OutgoingStatus.State.WITHDRAWN and row.withdrawn_at
    assert row.pk not in due_payment_statuses(timezone.now() + timedelta(hours=1))
    assert send_payment_status(row.pk).state == OutgoingStatus.State.WITHDRAWN
    assert status_flows(row) == []  # nothing reached the platform

    # Paid again (on an earlier day): a new message, dated so, sent with a new tracking id
    paid_on = timezone.localdate() - timedelta(days=3)
    pay(invoice, invoice.total_gross, capture, date=paid_on)
    row.refresh_from_db()
    assert row.state == OutgoingStatus.State.SENT and row.tracking_id != first_tracking
    assert timezone.localtime(row.status_at).date() == paid_on
    assert parse_cdar(bytes(row.content)).status_at.date() == paid_on
    assert OutgoingStatus.objects.filter(invoice=invoice).count() == 1


def test_a_payment_cancelled_after_sending_sends_nothing_back_and_says_so(
    connected, chair, user, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    invoice = sent_invoice(chair, capture)
    payment = pay(invoice, invoice.total_gross, capture)
    row = OutgoingStatus.objects.get(invoice=invoice)
    assert row.state == OutgoingStatus.State.SENT

    with capture(execute=True):
        cancel_payment(payment, reason="Chèque impayé")
    row.refresh_from_db()
    assert row.state == OutgoingStatus.State.SENT  # no status undoes a 212
    assert "déjà" in row.message
    assert len(status_flows(row)) == 1
    web = WebClient()
    web.force_login(user)
    html = web.get(invoice.get_absolute_url()).content.decode()
    assert row.message.replace("'", "&#x27;") in html

    # Paid again: the platform already knows; nothing is sent twice
    pay(invoice, invoice.total_gross, capture)
    assert len(status_flows(row)) == 1 and OutgoingStatus.objects.count() == 1


def test_a_platform_fault_is_retried_later_with_the_same_flow(
    connected, chair, pasim, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    invoice = sent_invoice(chair, capture)
    control(pasim, "faults", path="/flow-service/v1/flows", status=503, retryAfter=60)
    pay(invoice, invoice.total_gross, capture)
    row = OutgoingStatus.objects.get(invoice=invoice)
    assert row.state == OutgoingStatus.State.ERROR and row.attempts == 1
    assert 50 < (row.retry_at - timezone.now()).total_seconds() <= 60
    assert row.pk not in due_payment_statuses()
    assert row.pk in due_payment_statuses(row.retry_at)

    row = send_payment_status(row.pk)
    assert row.state == OutgoingStatus.State.SENT and row.attempts == 2
    # A retry of a status that did reach the platform (its answer lost) finds the same flow
    OutgoingStatus.objects.filter(pk=row.pk).update(state=OutgoingStatus.State.ERROR)
    again = send_payment_status(row.pk)
    assert again.flow_id == row.flow_id and len(status_flows(row)) == 1
    assert LifecycleStatus.objects.filter(invoice=invoice, code=212).count() == 1


def test_the_212_waits_for_its_invoice_to_reach_the_platform(
    connected, chair, pasim, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    control(pasim, "faults", path="/flow-service/v1/flows", status=503, times=1)
    with capture(execute=True):
        invoice = issue_invoice(create_invoice(french_business(), [LineSpec(chair, "1")]))
    submission = Submission.objects.get(invoice=invoice)
    assert submission.state == Submission.State.ERROR

    pay(invoice, invoice.total_gross, capture)
    row = OutgoingStatus.objects.get(invoice=invoice)
    assert row.state == OutgoingStatus.State.TO_SEND and row.attempts == 0
    assert row.retry_at and "Attend" in row.message

    # The job, once both waits are over: the invoice first, then its 212
    Submission.objects.filter(pk=submission.pk).update(retry_at=timezone.now())
    OutgoingStatus.objects.filter(pk=row.pk).update(retry_at=timezone.now())
    services.run_platform_work()
    submission.refresh_from_db()
    row.refresh_from_db()
    assert submission.state == Submission.State.SENT
    assert row.state == OutgoingStatus.State.SENT and len(status_flows(row)) == 1


def test_nothing_is_sent_for_an_invoice_not_sent_to_the_platform(
    company, chair, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        invoice = issue_invoice(create_invoice(french_business(), [LineSpec(chair, "1")]))
    pay(invoice, invoice.total_gross, capture)
    assert not OutgoingStatus.objects.exists()


def test_the_message_written_passes_the_xsd_and_the_cdv_rules_for_several_rates(
    connected, chair, django_capture_on_commit_callbacks, tmp_path
):
    from comptoir.catalog.models import Item

    capture = django_capture_on_commit_callbacks
    book = Item.objects.get(code="LIVRE")  # at 5,5 %, of the same catalogue as the chair
    lines = [LineSpec(chair, "1"), LineSpec(book, "3")]
    with capture(execute=True):
        invoice = issue_invoice(create_invoice(french_business(), lines))
    pay(invoice, invoice.total_gross, capture, date=date.today())
    row = OutgoingStatus.objects.get(invoice=invoice)
    assert not [str(f) for f in validate_cdar(bytes(row.content)) if f.blocking]
    root = etree.fromstring(bytes(row.content))
    rates = root.findall(".//ram:SpecifiedDocumentCharacteristic/ram:ValuePercent", NS)
    assert sorted(r.text for r in rates) == ["20.00", "5.50"]
    if CHECK_FACTURX.exists():  # the shared validator's second opinion, when beside
        (tmp_path / "212.xml").write_bytes(bytes(row.content))
        result = subprocess.run(
            [str(CHECK_FACTURX), "--fr", str(tmp_path)], capture_output=True, text=True, timeout=600
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_an_invoice_cancelled_by_its_credit_note_sends_no_212(
    connected, chair, django_capture_on_commit_callbacks
):
    """Paid in part, then cancelled by a credit note of the whole invoice: the settlement says
    nothing is due, but nothing was « encaissée » either (what was paid is owed back)."""
    capture = django_capture_on_commit_callbacks
    invoice = sent_invoice(chair, capture)
    pay(invoice, (invoice.total_gross / 2).quantize(Decimal("0.01")), capture)
    with capture(execute=True):
        issue_invoice(credit_invoice(invoice, reason="Annulée"))
    invoice.refresh_from_db()
    assert invoice.amount_due <= 0  # settled, by the credit note
    assert not OutgoingStatus.objects.exists()


def test_a_refused_invoice_paid_in_full_sends_no_212(
    connected, chair, pasim, django_capture_on_commit_callbacks
):
    """The buyer refused the invoice (210) yet paid it: the platform is not told « Encaissée »
    for an invoice its buyer refused; the refusal stays what the invoice page shows."""
    from comptoir.parties.services import create_customer
    from comptoir.pasim.testing import REFUSING_BUYER
    from examples.facturx import PARIS

    capture = django_capture_on_commit_callbacks
    refusing = create_customer(name="Sous Traitant", siren=REFUSING_BUYER, addresses=PARIS)
    with capture(execute=True):
        invoice = issue_invoice(create_invoice(refusing, [LineSpec(chair, Decimal("2"))]))
    for _ in range(3):
        control(pasim, "advance")
    services.poll_lifecycle()
    assert list(invoice.lifecycle.values_list("code", flat=True))[-1] == 210

    pay(invoice, invoice.total_gross, capture)

    assert not OutgoingStatus.objects.exists()
    assert list(invoice.lifecycle.values_list("code", flat=True))[-1] == 210
