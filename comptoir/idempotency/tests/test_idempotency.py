"""Idempotency-Key on the API's POSTs: a retry gets the first answer, never the work twice."""

import json
import threading
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.utils import timezone

from comptoir.billing.models import Invoice
from comptoir.core.roles import ADMINISTRATOR
from comptoir.core.services import create_token
from comptoir.idempotency import services
from comptoir.idempotency.models import IdempotentRequest
from conftest import make_user
from tests.factories import CustomerFactory, ItemFactory


@pytest.fixture
def payload(company):
    customer, item = CustomerFactory(), ItemFactory()
    return {"customer": customer.code, "lines": [{"item": item.code, "quantity": "2"}]}


def post(api, payload, key=None, path="/invoices"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return api.client.post(
        f"/api{path}", data=json.dumps(payload), content_type="application/json", **headers
    )


def test_a_replay_returns_the_first_answer_and_creates_nothing(api, payload):
    first = post(api, payload, key="order-42")
    assert first.status_code == 201
    again = post(api, payload, key="order-42")
    assert again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Invoice.objects.count() == 1


def test_without_a_key_each_post_does_the_work(api, payload):
    post(api, payload)
    post(api, payload)
    assert Invoice.objects.count() == 2


def test_the_same_key_with_another_body_or_path_is_refused(api, payload):
    assert post(api, payload, key="k1").status_code == 201
    other = dict(payload, lines=[dict(payload["lines"][0], quantity="3")])
    refused = post(api, other, key="k1")
    assert refused.status_code == 422
    assert refused.json()["code"] == "idempotency.key_reused"
    assert refused.json()["field"] == "Idempotency-Key"
    assert refused.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    assert post(api, payload, key="k1", path="/invoices?x=1").status_code == 422
    assert Invoice.objects.count() == 1


def test_keys_belong_to_their_user(api, payload):
    assert post(api, payload, key="one-key").status_code == 201
    _token, key = create_token(make_user("bob", ADMINISTRATOR), "tests")
    bob = type(api)(key)
    assert post(bob, payload, key="one-key").status_code == 201
    assert Invoice.objects.count() == 2


def test_a_key_expires_after_a_day(api, payload):
    assert post(api, payload, key="daily").status_code == 201
    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(hours=25))
    again = post(api, payload, key="daily")
    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again
    assert Invoice.objects.count() == 2
    assert IdempotentRequest.objects.count() == 1  # the expired row was purged
    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert services.purge_expired() == 1


def test_a_refused_request_is_answered_the_same_again(api, company):
    bad = {"customer": "NOPE", "lines": []}
    first = post(api, bad, key="bad")
    assert 400 <= first.status_code < 500
    assert post(api, bad, key="bad").content == first.content
    assert IdempotentRequest.objects.get().status == first.status_code


def test_an_unreadable_key_is_a_clear_400(api, payload):
    response = post(api, payload, key="x" * 300)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency.invalid_key"
    assert Invoice.objects.count() == 0


def test_a_key_under_way_answers_409_once_the_wait_is_over(user, payload):
    IdempotentRequest.objects.create(
        user=user, key="slow", method="POST", path="/api/invoices", body_sha256="0" * 64
    )
    with pytest.raises(services.IdempotencyError) as refused:
        services.claim(user, "slow", "POST", "/api/invoices", "0" * 64, wait=0.1)
    assert refused.value.code == "idempotency.in_progress"
    assert refused.value.status_code == 409


def test_a_session_post_without_token_is_not_mixed_up(user, payload):
    client = Client()
    client.force_login(user)
    body = json.dumps(payload)
    for _ in range(2):
        response = client.post(
            "/api/invoices", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="s1"
        )
        assert response.status_code == 201
    assert Invoice.objects.count() == 1


def test_the_schema_documents_the_header(api):
    schema = api.get("/openapi.json").json()
    operation = schema["paths"]["/api/invoices"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in operation["parameters"]]
    assert "409" in operation["responses"]
    assert "Idempotency-Key" not in str(schema["paths"]["/api/invoices"]["get"])


@pytest.mark.django_db(transaction=True)
def test_retries_racing_with_one_key_do_the_work_once(live_server, user, payload):
    """Eight clients send the same POST with the same key at the same moment to a live
    server: one does the work, the others wait for it and get the same answer."""
    _token, key = create_token(user, "race")
    body = json.dumps(payload).encode()
    barrier = threading.Barrier(8)
    answers, errors = [], []

    def send():
        request = urllib.request.Request(
            f"{live_server.url}/api/invoices",
            data=body,
            method="POST",
            headers={
                "Authorization": f"Bearer {key}",
                "Content-Type": "application/json",
                "Idempotency-Key": "race-1",
            },
        )
        try:
            barrier.wait()
            with urllib.request.urlopen(request, timeout=60) as response:
                answers.append((response.status, response.read()))
        except urllib.error.HTTPError as error:
            answers.append((error.code, error.read()))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()
    assert errors == []
    assert [status for status, _body in answers] == [201] * 8, answers
    assert len({content for _status, content in answers}) == 1
    assert Invoice.objects.count() == 1
    assert IdempotentRequest.objects.get().status == 201
    connection.close()
