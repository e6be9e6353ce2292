"""The platform's webhook: authenticated by the secret Comptoir made, it only wakes a read of the
flow it names from the platform (the simulator, over real HTTP), as the polling reads it."""

import hashlib
import json
import time

import pytest
from django.test import Client as WebClient

from comptoir.billing.services import create_invoice, issue_invoice
from comptoir.einvoicing import services
from comptoir.einvoicing.models import LifecycleStatus, PlatformConnection, Submission
from comptoir.einvoicing.tests.conftest import control, french_business, settings_of
from comptoir.einvoicing.webhook import make_webhook_secret
from comptoir.pricing.engine import LineSpec

URL = "/api/einvoicing/webhook"


def call(body, secret: str | None, *, raw: bool = False):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret is not None else {}
    data = body if raw else json.dumps(body)
    return WebClient().post(URL, data=data, content_type="application/json", **headers)


def sent_invoice(chair, capture):
    with capture(execute=True):
        invoice = issue_invoice(create_invoice(french_business(), [LineSpec(chair, "1")]))
    submission = Submission.objects.get(invoice=invoice)
    assert submission.state == Submission.State.SENT, submission.message
    return invoice, submission


def deposited_flow(submission) -> dict:
    """The platform's lifecycle flow saying the invoice was deposited (200): the first one
    after the invoice's own flow."""
    platform = services.client()
    since = platform.flow(submission.flow_id)["submittedAt"]
    found = platform.search(
        {"updatedAfter": since, "flowType": ["CustomerInvoiceLC"], "flowDirection": ["In"]}, 1
    )
    assert found
    return found[0]


@pytest.mark.django_db
def test_a_call_with_the_secret_keeps_the_status_once(
    connected, chair, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    secret = make_webhook_secret()
    invoice, submission = sent_invoice(chair, capture)
    flow = deposited_flow(submission)

    with capture(execute=True):
        answer = call({"flowInfo": flow}, secret)
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"flow_id": flow["flowId"]}
    [kept] = LifecycleStatus.objects.filter(invoice=invoice)
    assert (kept.code, kept.flow_id, kept.sent_by_us) == (200, flow["flowId"], False)

    # The same call again, then the polling: still one status
    with capture(execute=True):
        assert call({"flowInfo": flow}, secret).status_code == 200
    PlatformConnection.objects.update(
        polled_until=services.client().flow(submission.flow_id)["submittedAt"]
    )
    services.poll_lifecycle()
    assert LifecycleStatus.objects.filter(invoice=invoice, code=200).count() == 1


@pytest.mark.django_db
def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_read(
    connected, chair, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    _invoice, submission = sent_invoice(chair, capture)
    body = {"flowInfo": {"flowId": submission.flow_id, "flowType": "CustomerInvoiceLC"}}
    # no secret made yet: every call is refused
    with capture(execute=True):
        answer = call(body, "anything")
    assert answer.status_code == 401 and answer.json()["code"] == "webhook.unauthorized"

    secret = make_webhook_secret()
    stored = PlatformConnection.get().webhook_secret_hash
    assert secret not in stored and stored == hashlib.sha256(secret.encode()).hexdigest()
    for wrong in ("", "nope", secret[:-1], secret + "x"):
        with capture(execute=True) as callbacks:
            answer = call(body, wrong)
        assert answer.status_code == 401, wrong
        assert answer.json()["message"] == "Le secret du webhook est absent ou erroné."
        assert callbacks == []  # nothing woken
    with capture(execute=True):
        assert call(body, None).status_code == 401
        answer = WebClient().post(
            URL, data="{}", content_type="application/json", HTTP_AUTHORIZATION=f"Basic {secret}"
        )
    assert answer.status_code == 401
    assert not LifecycleStatus.objects.exists()

    # A new secret replaces the old one
    new = make_webhook_secret()
    assert call({"flowInfo": {"flowId": "x"}}, secret).status_code == 401
    assert call({"flowInfo": {"flowId": "x"}}, new).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b"{}",
        b'{"flowInfo": 3}',
        b'{"flowInfo": {}}',
        b'{"flowInfo": {"flowId": 12}}',
        b'{"flowInfo": {"flowId": "  "}}',
        json.dumps({"flowInfo": {"flowId": "x" * 37}}).encode(),
        b'{"flowInfo": {"flowId": "a\\u0000b"}}',
        b"\xff\xfe",
        b"",
    ],
)
def test_a_malformed_body_is_a_4xx_json_never_a_500(company, body):
    secret = make_webhook_secret()
    answer = call(body, secret, raw=True)
    assert 400 <= answer.status_code < 500, answer.content
    assert answer["Content-Type"].startswith("application/json")
    assert answer.json()["code"]


@pytest.mark.django_db
def test_the_body_is_not_trusted_the_platform_is_asked(
    connected, chair, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    secret = make_webhook_secret()
    _invoice, submission = sent_invoice(chair, capture)
    # The invoice's own flow, presented as a lifecycle message: the platform says what it is
    lying = {"flowInfo": {"flowId": submission.flow_id, "flowType": "CustomerInvoiceLC"}}
    with capture(execute=True):
        assert call(lying, secret).status_code == 200
    # A flow the platform does not know: answered, nothing kept (the polling catches up)
    with capture(execute=True):
        assert call({"flowInfo": {"flowId": "unknown-flow"}}, secret).status_code == 200
    assert not LifecycleStatus.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_platform_calls_the_webhook_when_a_status_is_emitted(
    connected, chair, pasim, live_server, django_capture_on_commit_callbacks
):
    """The simulator, given the webhook's address and secret, calls it (real HTTP both ways):
    the statuses arrive without waiting for the polling."""
    secret = make_webhook_secret()
    control(pasim, "webhook", url=f"{live_server.url}{URL}", secret=secret)
    try:
        invoice = issue_invoice(create_invoice(french_business(), [LineSpec(chair, "1")]))
        submission = Submission.objects.get(invoice=invoice)
        assert submission.state == Submission.State.SENT, submission.message
        assert wait_for(lambda: codes(invoice) == [200]), codes(invoice)
        control(pasim, "advance", flowId=submission.flow_id)
        assert wait_for(lambda: codes(invoice) == [200, 202]), codes(invoice)
        calls = control(pasim, "webhook-calls")["calls"]
        assert [c["status"] for c in calls[-2:]] == [200, 200]

        # A wrong secret at the platform: refused, nothing kept
        control(pasim, "webhook", url=f"{live_server.url}{URL}", secret="wrong")
        control(pasim, "advance", flowId=submission.flow_id)
        assert wait_for(lambda: control(pasim, "webhook-calls")["calls"][-1]["status"] == 401)
        assert codes(invoice) == [200, 202]
        # the polling then reads it, once (from this invoice's flow on: the simulator still
        # holds earlier tests' invoices of the same number)
        PlatformConnection.objects.update(
            polled_until=services.client().flow(submission.flow_id)["submittedAt"]
        )
        services.poll_lifecycle()
        assert codes(invoice) == [200, 202, 203]
    finally:
        control(pasim, "webhook", url="")


def codes(invoice) -> list[int]:
    return list(LifecycleStatus.objects.filter(invoice=invoice).values_list("code", flat=True))


def wait_for(condition, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.django_db
def test_the_administrator_makes_the_secret_once_on_the_settings_page(company, user, pasim):
    services.save_connection(**settings_of(pasim))
    web = WebClient()
    web.force_login(user)
    page = web.get("/settings/platform/").content.decode()
    assert "/api/einvoicing/webhook" in page
    assert "Pas encore de secret de webhook" in page

    answer = web.post("/settings/platform/webhook/")
    assert answer.status_code == 200
    html = answer.content.decode()
    secret = html.split('data-testid="webhook-secret">')[1].split("<")[0]
    assert len(secret) >= 40
    assert "/api/einvoicing/webhook" in html
    assert call({"flowInfo": {"flowId": "x"}}, secret).status_code == 200
    page = web.get("/settings/platform/").content.decode()
    assert secret not in page and "Un secret a été créé le" in page
    assert web.get("/settings/platform/webhook/").status_code == 302
