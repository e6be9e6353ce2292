"""E-reporting files sent to the platform simulator as flows, tracked like invoices: the job
worker sends them once (tracking id, sha256, retries with backoff), the polling reads whether
the platform accepted or rejected them, and the page, the API and the command say so."""

import hashlib
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from comptoir.core.errors import BusinessError
from comptoir.einvoicing import services as platform_services
from comptoir.einvoicing.client import forget_tokens
from comptoir.einvoicing.models import Submission
from comptoir.einvoicing.tests.conftest import control, settings_of
from comptoir.einvoicing.tests.killing import SEND, kill_while_sending
from comptoir.ereporting import services
from comptoir.ereporting.errors import EreportingError
from comptoir.ereporting.models import Report
from comptoir.ereporting.periods import PAYMENTS, TRANSACTIONS

from .conftest import DAY1

pytestmark = pytest.mark.django_db


@pytest.fixture
def connected(sales, pasim):
    """The sales of the examples made first (their invoices are not this test's flows), then
    the company connected to the simulator."""
    forget_tokens()
    yield platform_services.save_connection(**settings_of(pasim))
    forget_tokens()


def sent(report: Report, django_capture_on_commit_callbacks) -> Report:
    """Queue the report as the page does; the job worker sends it once the queuing commits."""
    with django_capture_on_commit_callbacks(execute=True):
        services.send_report(report)
    return Report.objects.select_related("submission").get(pk=report.pk)


def flows_of(submission: Submission) -> list[dict]:
    return platform_services.client().search({"trackingId": submission.tracking_id})


def test_a_report_goes_as_one_flow_then_the_platform_accepts_it(
    connected, django_capture_on_commit_callbacks
):
    report = sent(services.prepare_report(TRANSACTIONS, DAY1), django_capture_on_commit_callbacks)
    submission = report.submission
    assert submission.state == Submission.State.SENT and submission.attempts == 1
    assert submission.sha256 == report.sha256 and submission.syntax == "FRR"
    assert report.state == Report.State.SENT and report.flow_id == submission.flow_id
    [flow] = flows_of(submission)
    # Consumer sales per day (10.3) and sales to businesses abroad one by one (10.1).
    assert flow["flowType"] == "MultiFlowReport" and flow["flowSyntax"] == "FRR"
    assert flow["flowId"] == submission.flow_id
    assert report.progress[0] == "sent"

    platform_services.run_platform_work()  # the scheduled job's polling
    report.refresh_from_db()
    report.submission.refresh_from_db()
    assert report.submission.acknowledgement == Submission.Acknowledgement.OK
    with translation.override("en"):
        assert report.progress == ("accepted", "Accepted by the platform", "")


def test_a_payments_report_has_its_own_flow_type(
    connected, people, django_capture_on_commit_callbacks
):
    report = sent(services.prepare_report(PAYMENTS, DAY1), django_capture_on_commit_callbacks)
    [flow] = flows_of(report.submission)
    assert flow["flowType"] == "AggregatedCustomerPaymentReport"


def test_a_report_is_never_sent_twice(connected, django_capture_on_commit_callbacks):
    report = sent(services.prepare_report(TRANSACTIONS, DAY1), django_capture_on_commit_callbacks)
    with pytest.raises(BusinessError) as error:
        services.send_report(report)
    assert error.value.code == EreportingError.ALREADY_SENT
    with pytest.raises(BusinessError) as error:
        services.prepare_report(TRANSACTIONS, DAY1)
    assert error.value.code == EreportingError.ALREADY_SENT
    # A worker that stopped after the platform took the file sends it again: the same flow.
    Submission.objects.filter(pk=report.submission.pk).update(state=Submission.State.TO_SEND)
    again = platform_services.send_submission(report.submission.pk)
    assert again.flow_id == report.flow_id and len(flows_of(again)) == 1


def test_a_draft_or_a_disconnected_platform_is_refused(sales, items):
    draft = services.prepare_report(TRANSACTIONS)  # the last period over: ready
    with pytest.raises(BusinessError) as error:
        services.send_report(draft)
    assert error.value.code == "platform.not_configured"
    assert not Submission.objects.exists()
    current = services.prepare_report(TRANSACTIONS, timezone.localdate())
    assert current.state == Report.State.DRAFT
    with pytest.raises(BusinessError) as error:
        services.send_report(current)
    assert error.value.code == EreportingError.NOT_OVER


def test_a_platform_down_is_tried_again_later_with_the_same_file(
    connected, pasim, django_capture_on_commit_callbacks
):
    control(pasim, "faults", path="/flow-service/v1/flows", status=503, times=1)
    report = sent(services.prepare_report(TRANSACTIONS, DAY1), django_capture_on_commit_callbacks)
    submission = report.submission
    assert submission.state == Submission.State.ERROR and submission.retry_at
    assert report.state == Report.State.READY and report.progress[0] == "retrying"
    assert "indisponible pour le moment" in report.progress[2]
    Submission.objects.filter(pk=submission.pk).update(retry_at=submission.created_at)
    platform_services.run_platform_work()
    report.refresh_from_db()
    submission.refresh_from_db()
    assert submission.state == Submission.State.SENT and submission.attempts == 2
    assert report.state == Report.State.SENT and len(flows_of(submission)) == 1


def test_a_rejected_report_says_why_and_may_be_prepared_and_sent_again(
    connected, django_capture_on_commit_callbacks
):
    report = services.prepare_report(TRANSACTIONS, DAY1)
    broken = bytes(report.content).replace(b"<TypeCode>IN</TypeCode>", b"<TypeCode>XX</TypeCode>")

    Report.objects.filter(pk=report.pk).update(
        content=broken, sha256=hashlib.sha256(broken).hexdigest()
    )
    report = sent(report, django_capture_on_commit_callbacks)
    assert report.state == Report.State.SENT  # taken, then checked
    platform_services.poll_acknowledgements()
    report = Report.objects.select_related("submission").get(pk=report.pk)
    with translation.override("en"):
        code, words, reason = report.progress
    assert (code, words) == ("rejected", "Rejected by the platform")
    # The PPF's flux 10 rules, run by the simulator: the type of transmission is IN or RE.
    assert reason.startswith("The file breaks a rule of the reform (")
    assert "Le type de transmission doit être IN (initiale) ou RE" in reason
    assert report.rejected

    with pytest.raises(BusinessError) as error:
        services.send_report(report)
    assert error.value.code == EreportingError.REJECTED
    again = services.prepare_report(TRANSACTIONS, DAY1)
    assert again.state == Report.State.READY and again.submission is None
    again = sent(again, django_capture_on_commit_callbacks)
    assert again.submission.tracking_id != report.submission.tracking_id
    platform_services.poll_acknowledgements()
    again = Report.objects.select_related("submission").get(pk=again.pk)
    assert again.progress[0] == "accepted"


def test_the_page_sends_and_says_in_french_where_the_file_stands(
    client, user, connected, django_capture_on_commit_callbacks
):
    client.force_login(user)
    report = services.prepare_report(TRANSACTIONS, DAY1)
    page = client.get("/ereporting/").content.decode()
    assert "Envoyer à la plateforme" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/ereporting/{report.pk}/send/")
    assert response.status_code == 302
    page = client.get("/ereporting/").content.decode()
    assert "Envoyé, en attente des contrôles de la plateforme" in page
    assert "Envoyer à la plateforme" not in page
    platform_services.poll_acknowledgements()
    page = client.get("/ereporting/").content.decode()
    assert "Accepté par la plateforme" in page
    response = client.post(f"/ereporting/{report.pk}/send/", follow=True)
    assert "Ce fichier est déjà envoyé ou en cours d’envoi." in response.content.decode()


def test_the_api_and_the_command_send(api, connected, django_capture_on_commit_callbacks):
    report = services.prepare_report(TRANSACTIONS, DAY1)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/ereporting/reports/{report.pk}/send", {})
    assert response.status_code == 202
    assert response.json()["progress"] == "to_send" and response.json()["tracking_id"]
    listed = api.get("/ereporting/reports").json()[0]
    assert listed["progress"] == "sent" and listed["flow_id"]
    response = api.post(f"/ereporting/reports/{report.pk}/send", {})
    assert response.status_code == 400 and response.json()["code"] == "ereporting.already_sent"
    assert api.post("/ereporting/reports/999999/send", {}).status_code == 404

    services.prepare_report(PAYMENTS, DAY1)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "ereporting", "send", "--kind", "payments", "--period", "05/10/2026", stdout=out
        )
    assert "payments 01/10/2026–31/10/2026: to_send" in out.getvalue()
    with pytest.raises(CommandError) as error:
        call_command("ereporting", "send", "--kind", "payments", "--period", "05/10/2026")
    assert error.value.returncode == 2
    with pytest.raises(CommandError) as error:
        call_command("ereporting", "send", "--period", "05/08/2026")
    assert error.value.returncode == 2 and "prepare it first" in str(error.value)


@pytest.mark.django_db(transaction=True)
def test_kill_9_while_the_platform_takes_a_report_makes_one_flow(sales, pasim):
    forget_tokens()
    platform_services.save_connection(**settings_of(pasim))
    report = services.prepare_report(TRANSACTIONS, DAY1)
    # Queued as send_report queues it, without sending it here at once (no test transaction).
    submission = Submission.objects.create(syntax="FRR", state=Submission.State.TO_SEND)
    Report.objects.filter(pk=report.pk).update(submission=submission)
    control(pasim, "faults", path="/flow-service/v1/flows", delay=3)
    kill_while_sending(SEND, [submission])
    killed = Submission.objects.get(pk=submission.pk)
    assert killed.state == Submission.State.TO_SEND and killed.attempts == 1
    assert len(flows_of(killed)) == 1

    again = platform_services.send_submission(submission.pk)
    assert again.state == Submission.State.SENT and again.attempts == 2
    [flow] = flows_of(again)
    assert flow["flowId"] == again.flow_id == Report.objects.get(pk=report.pk).flow_id
    forget_tokens()
