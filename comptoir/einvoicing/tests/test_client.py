"""The platform client, over real HTTP against the platform simulator (nothing patched)."""

import socket
import time
import urllib.parse
import urllib.request
import uuid

import pytest
from django.utils import translation

from comptoir.einvoicing.client import Client, forget_tokens
from comptoir.einvoicing.errors import PlatformError
from comptoir.einvoicing.tests.conftest import control
from comptoir.pasim import openapi
from comptoir.pasim.platform import CLIENT_ID, CLIENT_SECRET


def client_of(base: str, secret: str = CLIENT_SECRET, **options) -> Client:
    return Client(
        f"{base}/flow-service",
        f"{base}/oauth/token",
        CLIENT_ID,
        secret,
        directory_url=f"{base}/directory-service",
        **options,
    )


@pytest.fixture(autouse=True)
def fresh_tokens():
    forget_tokens()
    yield
    forget_tokens()


CDAR = (
    openapi.REFERENCE.parent
    / "afnor-cdar-examples-1.4.0.03"
    / "UC1_F202500003_05-CDV-205_Approuvee.xml"
).read_bytes()


def test_submit_search_and_download(pasim):
    client = client_of(pasim)
    client.healthcheck()
    tracking = uuid.uuid4().hex
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
    flow = client.submit(CDAR, {"flowSyntax": "CDAR", "trackingId": tracking}, "status.xml")
    assert flow["trackingId"] == tracking and flow["flowId"]
    found = client.search({"updatedAfter": since, "trackingId": tracking})
    assert [f["flowId"] for f in found] == [flow["flowId"]]
    assert client.download(flow["flowId"]) == CDAR


def test_every_exchange_matches_the_official_openapi_files(pasim):
    """Fails when a request the client sends, or an answer it accepts, drifts from the Flow
    or Directory Service's OpenAPI file (checked by the same code the simulator uses)."""
    exchanges = []
    client = client_of(pasim, observe=exchanges.append)
    client.healthcheck()
    flow = client.submit(CDAR, {"flowSyntax": "CDAR", "trackingId": uuid.uuid4().hex}, "s.xml")
    client.search({"updatedAfter": flow["submittedAt"], "flowType": ["CustomerInvoiceLC"]})
    client.download(flow["flowId"])
    assert client.company("732829320")["businessName"] == "Client Francais"
    assert client.company("999999999") is None  # unknown: a 404, which is an answer here
    [line] = client.directory_lines("732829320")
    assert line["addressingIdentifier"] == "732829320"
    assert len(exchanges) == 8
    for exchange in exchanges:
        url = urllib.parse.urlsplit(exchange.url)
        request = openapi.Request(
            exchange.method, url.path, url.query, exchange.headers, exchange.body
        )
        response = openapi.Response(
            exchange.status, exchange.response_body, exchange.response_headers
        )
        openapi.check_request(request)
        openapi.check_response(request, response)


def test_a_drift_is_caught_by_the_contract_check():
    """The check above can fail: a search without its required ``where``."""
    request = openapi.Request(
        "POST",
        "/flow-service/v1/flows/search",
        headers={"Content-Type": "application/json", "Authorization": "Bearer x"},
        body=b'{"limit": 10}',
    )
    with pytest.raises(openapi.Drift):
        openapi.check_request(request)


def test_the_token_is_kept_and_taken_again_once_on_a_401(pasim):
    client = client_of(pasim)
    client.healthcheck()
    first = client._token()
    client.healthcheck()
    assert client._token() == first  # kept while it lives
    control(pasim, "faults", path="/flow-service/v1/healthcheck", status=401)
    client.healthcheck()  # refused once: a new token, and the request again
    assert client._token() != first
    control(pasim, "faults", path="/flow-service/v1/healthcheck", status=401, times=2)
    with pytest.raises(PlatformError) as refused:
        client.healthcheck()
    assert refused.value.code == "platform.unauthorized" and not refused.value.retryable


def test_an_expired_token_is_taken_again(pasim):
    control(pasim, "tokens", lifetime=1)
    try:
        client = client_of(pasim)
        client.healthcheck()
        first = client._token()
        time.sleep(1.1)
        client.healthcheck()
        assert client._token() != first
    finally:
        control(pasim, "tokens", lifetime=3600)


def test_a_wrong_secret_is_refused_for_good(pasim, english):
    with pytest.raises(PlatformError) as refused:
        client_of(pasim, secret="wrong").healthcheck()
    assert refused.value.code == "platform.unauthorized" and not refused.value.retryable
    assert "wrong" not in refused.value.message


@pytest.mark.parametrize(
    ("status", "code", "retryable"),
    [
        (400, "platform.refused", False),
        (429, "platform.too_many_requests", True),
        (500, "platform.unavailable", True),
        (503, "platform.unavailable", True),
    ],
)
def test_faults_say_whether_to_try_again(pasim, status, code, retryable):
    control(pasim, "faults", path="/flow-service/v1/flows/search", status=status, retryAfter=7)
    with pytest.raises(PlatformError) as fault:
        client_of(pasim).search({"ackStatus": "Ok"})
    assert fault.value.code == code and fault.value.retryable is retryable
    if status in (429, 500, 503):
        assert fault.value.retry_after == 7


def test_a_refused_submission_gives_the_platform_s_reason(pasim):
    with pytest.raises(PlatformError) as refused:
        client_of(pasim).submit(b"<x/>", {"flowSyntax": "PDF"}, "x.pdf")
    assert refused.value.code == "platform.refused" and not refused.value.retryable
    assert "flowSyntax" in refused.value.message  # its words, without its error code
    assert "INVALID_REQUEST" not in refused.value.message
    assert "400" not in refused.value.message  # no HTTP status on screen


def test_a_slow_platform_times_out_and_may_be_tried_again(pasim):
    client = client_of(pasim, timeout=0.5)
    client.healthcheck()
    control(pasim, "faults", path="/flow-service/v1/healthcheck", delay=1.5)
    with pytest.raises(PlatformError) as fault:
        client.healthcheck()
    assert fault.value.code == "platform.unavailable" and fault.value.retryable


def test_a_platform_that_is_down_may_be_tried_again():
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    with pytest.raises(PlatformError) as fault, translation.override("fr"):
        client_of(f"http://127.0.0.1:{port}").healthcheck()
    assert fault.value.code == "platform.unavailable" and fault.value.retryable
    # The address the user typed, in words; never the system's English (« [Errno 111] »).
    assert f"Rien ne répond à l’adresse http://127.0.0.1:{port}" in fault.value.message
    assert "Errno" not in fault.value.message


def test_directory_faults_say_whether_to_try_again(pasim):
    control(pasim, "faults", path="/directory-service/v1/siren", status=503, retryAfter=5)
    with pytest.raises(PlatformError) as fault:
        client_of(pasim).company("732829320")
    assert fault.value.code == "platform.unavailable" and fault.value.retryable
    assert fault.value.retry_after == 5
    control(pasim, "faults", path="/directory-service/v1/directory-line", status=400)
    with pytest.raises(PlatformError) as refused:
        client_of(pasim).directory_lines("732829320")
    assert refused.value.code == "platform.refused" and not refused.value.retryable
