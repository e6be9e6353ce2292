"""Issuing sends the invoice to the platform (the simulator, over real HTTP) in the background;
a retry never makes a second flow."""

import hashlib
import time
from decimal import Decimal

import pytest
from django.test import Client as WebClient

from comptoir.billing.files import read, store_files
from comptoir.billing.services import create_invoice, credit_invoice, issue_invoice
from comptoir.core.roles import ADMINISTRATOR, READ_ONLY
from comptoir.einvoicing import services
from comptoir.einvoicing.models import PlatformConnection, Submission
from comptoir.einvoicing.tests.conftest import control, french_business
from comptoir.parties.services import create_customer
from comptoir.pasim.platform import CLIENT_SECRET
from comptoir.pricing.engine import LineSpec
from conftest import make_user

pytestmark = pytest.mark.django_db


def issue(customer, chair, capture):
    with capture(execute=True):
        return issue_invoice(create_invoice(customer, [LineSpec(chair, Decimal("2"))]))


def flows_tracked(platform, submission) -> list[dict]:
    return platform.search({"trackingId": submission.tracking_id})


def test_an_issued_invoice_to_a_french_business_is_sent_as_factur_x(
    connected, chair, django_capture_on_commit_callbacks
):
    invoice = issue(french_business(), chair, django_capture_on_commit_callbacks)
    submission = Submission.objects.get(invoice=invoice)
    assert submission.state == Submission.State.SENT, submission.message
    assert submission.channel == "B2B" and submission.syntax == "Factur-X"
    assert submission.attempts == 1 and submission.flow_id
    pdf = read(store_files(invoice), "pdf")
    assert submission.sha256 == hashlib.sha256(pdf).hexdigest()
    platform = services.client()
    [flow] = flows_tracked(platform, submission)
    assert flow["flowId"] == submission.flow_id and flow["flowSyntax"] == "Factur-X"
    assert platform.download(submission.flow_id) == pdf


def test_a_credit_note_is_sent_too_and_in_the_format_chosen(
    connected, chair, django_capture_on_commit_callbacks
):
    services.save_connection(syntax=PlatformConnection.Syntax.CII)
    invoice = issue(french_business(), chair, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        credit_note = issue_invoice(credit_invoice(invoice, reason="Retour"))
    submission = Submission.objects.get(invoice=credit_note)
    assert submission.state == Submission.State.SENT and submission.syntax == "CII"
    xml = read(store_files(credit_note), "xml")
    assert services.client().download(submission.flow_id) == xml


def test_ubl_is_sent_when_chosen(connected, chair, django_capture_on_commit_callbacks):
    from comptoir.billing.ubl import build_ubl

    services.save_connection(syntax=PlatformConnection.Syntax.UBL)
    invoice = issue(french_business(), chair, django_capture_on_commit_callbacks)
    submission = Submission.objects.get(invoice=invoice)
    assert submission.state == Submission.State.SENT and submission.syntax == "UBL"
    assert services.client().download(submission.flow_id) == build_ubl(invoice)


def test_consumers_and_businesses_abroad_are_to_report_not_sent(
    connected, chair, django_capture_on_commit_callbacks
):
    from examples.facturx import MILANO

    consumer = create_customer(name="Jeanne Martin", kind="individual")
    abroad = create_customer(name="Cliente Italia", vat_id="IT00743110157", addresses=MILANO)
    for customer, channel in [(consumer, "B2C"), (abroad, "B2BInt")]:
        submission = Submission.objects.get(
            invoice=issue(customer, chair, django_capture_on_commit_callbacks)
        )
        assert submission.channel == channel
        assert submission.state == Submission.State.TO_REPORT
        assert submission.attempts == 0 and not submission.flow_id


def test_an_invoice_issued_while_switched_off_leaves_once_switched_on(
    connected, chair, django_capture_on_commit_callbacks
):
    """Switched off for a while (a platform change, a fault): what is issued meanwhile waits,
    and is sent when the connection is switched on again, never silently lost."""
    capture = django_capture_on_commit_callbacks
    services.save_connection(enabled=False)
    with capture(execute=True):  # what the commit starts runs: nothing is tried
        invoice = issue_invoice(create_invoice(french_business(), [LineSpec(chair, 1)]))
    waiting = Submission.objects.get(invoice=invoice)
    assert waiting.state == Submission.State.TO_SEND and waiting.attempts == 0

    with capture(execute=True):
        services.save_connection(enabled=True)

    sent = Submission.objects.get(invoice=invoice)
    assert sent.state == Submission.State.SENT and sent.flow_id


def test_nothing_waits_for_a_platform_never_set_up(chair, django_capture_on_commit_callbacks):
    """A company that has not chosen its platform yet issues as before: nothing is queued."""
    from examples.facturx import seller

    seller()
    invoice = issue(french_business(), chair, django_capture_on_commit_callbacks)
    assert not Submission.objects.filter(invoice=invoice).exists()


def test_a_retry_after_a_timeout_finds_the_flow_the_platform_already_holds(
    connected, chair, pasim, django_capture_on_commit_callbacks
):
    """The platform takes the invoice but answers too late: the submission waits, then its
    retry sends the same tracking id and file, and the platform holds one flow."""
    control(pasim, "faults", path="/flow-service/v1/flows", delay=2)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        invoice = issue_invoice(create_invoice(french_business(), [LineSpec(chair, 1)]))
    assert queued  # the sending waits for the commit
    submission = Submission.objects.get(invoice=invoice)
    failed = services.send_submission(submission.pk, platform=services.client(timeout=0.5))
    assert failed.state == Submission.State.ERROR and failed.retry_at is not None
    assert "n’a pas répondu à temps" in failed.message
    platform = services.client()
    deadline = time.monotonic() + 60  # the platform finishes taking it meanwhile (2 s, or more
    while not flows_tracked(platform, submission) and time.monotonic() < deadline:  # if loaded)
        time.sleep(0.2)
    assert len(flows_tracked(platform, submission)) == 1
    assert services.due_submissions(now=failed.retry_at) == [submission.pk]
    web = WebClient()
    web.force_login(make_user("gerante", ADMINISTRATOR))
    page = web.get(invoice.get_absolute_url()).content.decode()
    assert '<span class="badge to_send">En attente d’un nouvel essai</span>' in page
    sent = services.send_submission(submission.pk)
    assert sent.state == Submission.State.SENT and sent.attempts == 2
    assert sent.sha256 == failed.sha256
    [flow] = flows_tracked(platform, submission)
    assert flow["flowId"] == sent.flow_id


def test_a_worker_killed_before_recording_the_answer_makes_no_second_flow(
    connected, chair, django_capture_on_commit_callbacks
):
    invoice = issue(french_business(), chair, django_capture_on_commit_callbacks)
    submission = Submission.objects.get(invoice=invoice)
    first_flow = submission.flow_id
    # As a worker killed between sending and recording leaves it: still to send.
    Submission.objects.filter(pk=submission.pk).update(state="to_send", flow_id="")
    assert services.due_submissions() == []  # not before the worker had its chance
    again = services.send_submission(submission.pk)
    assert again.state == Submission.State.SENT and again.flow_id == first_flow
    assert len(flows_tracked(services.client(), submission)) == 1


def test_a_refused_submission_is_not_retried(
    connected, chair, pasim, django_capture_on_commit_callbacks
):
    control(pasim, "faults", path="/flow-service/v1/flows", status=400)
    invoice = issue(french_business(), chair, django_capture_on_commit_callbacks)
    submission = Submission.objects.get(invoice=invoice)
    assert submission.state == Submission.State.ERROR and submission.retry_at is None
    assert submission.message == "La plateforme a refusé la demande\u00a0: simulated"  # no code
    control(pasim, "faults", path="/flow-service/v1/flows", status=429, retryAfter=30)
    Submission.objects.filter(pk=submission.pk).update(state="to_send")
    waiting = services.send_submission(submission.pk)
    assert waiting.state == Submission.State.ERROR and waiting.retry_at is not None
    assert 25 <= (waiting.retry_at - waiting.created_at).total_seconds() <= 60


def test_a_submission_refused_for_a_wrong_secret_goes_once_the_secret_is_corrected(
    connected, chair, django_capture_on_commit_callbacks
):
    """The platform refuses the secret: the submission waits for no retry of its own; saving
    the corrected connection makes it due again, and the scheduled work sends it."""
    services.save_connection(secret="wrong")
    invoice = issue(french_business(), chair, django_capture_on_commit_callbacks)
    submission = Submission.objects.get(invoice=invoice)
    assert submission.state == Submission.State.ERROR and submission.retry_at is None
    assert "l’identifiant client ou le secret" in submission.message
    assert services.due_submissions() == []
    with django_capture_on_commit_callbacks(execute=True):
        services.save_connection(secret=CLIENT_SECRET)
    assert services.due_submissions() == [submission.pk]
    services.run_platform_work()
    submission.refresh_from_db()
    assert submission.state == Submission.State.SENT and submission.attempts == 2


def test_a_failed_submission_is_resent_from_the_invoice_page_once(
    connected, chair, pasim, user, django_capture_on_commit_callbacks
):
    control(pasim, "faults", path="/flow-service/v1/flows", status=400)
    invoice = issue(french_business(), chair, django_capture_on_commit_callbacks)
    submission = Submission.objects.get(invoice=invoice)
    assert submission.state == Submission.State.ERROR
    control(pasim, "faults")  # the platform takes it now

    reader = WebClient()
    reader.force_login(make_user("lecture", READ_ONLY))
    resend_url = f"/invoices/{invoice.pk}/platform/resend/"
    assert resend_url not in reader.get(invoice.get_absolute_url()).content.decode()
    assert reader.post(resend_url).status_code == 403
    assert Submission.objects.get(pk=submission.pk).state == Submission.State.ERROR

    web = WebClient()
    web.force_login(user)
    page = web.get(invoice.get_absolute_url()).content.decode()
    assert resend_url in page and "Renvoyer" in page
    with django_capture_on_commit_callbacks(execute=True):
        answer = web.post(resend_url, follow=True).content.decode()
    assert "La facture est renvoyée à la plateforme." in answer
    sent = Submission.objects.get(pk=submission.pk)
    assert sent.state == Submission.State.SENT and sent.attempts == 2 and not sent.message
    assert resend_url not in answer  # nothing left to resend
    with django_capture_on_commit_callbacks(execute=True) as again:
        answer = web.post(resend_url, follow=True).content.decode()
    assert not again  # a second click sends nothing
    assert "La facture est déjà envoyée à la plateforme" in answer
    assert len(flows_tracked(services.client(), sent)) == 1


def test_a_business_without_siren_is_not_sent_and_says_why(
    connected, chair, pasim, django_capture_on_commit_callbacks
):
    """A French business whose SIREN is not known cannot be addressed on the platform: the
    submission fails at once, in words, and is not tried again by itself."""
    from examples.facturx import PARIS

    customer = create_customer(name="Société sans SIREN", addresses=PARIS)
    assert customer.kind == "company" and not customer.siren
    invoice = issue(customer, chair, django_capture_on_commit_callbacks)
    submission = Submission.objects.get(invoice=invoice)
    assert submission.channel == Submission.Channel.B2B
    assert submission.state == Submission.State.ERROR and submission.retry_at is None
    assert submission.message.startswith("Le client n’a pas de SIREN\u00a0:")
    assert services.client().search({"trackingId": submission.tracking_id}) == []
