"""The simulator as a real process, talked to over real HTTP: nothing is patched.

The invoices submitted are the project's own: issued through the services and written by
comptoir.billing.facturx, as the platform connection will send them.
"""

import base64
import hashlib
import json
import time
import urllib.error
import urllib.request
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from comptoir.pasim.platform import CDAR_XSD, CLIENT_ID, CLIENT_SECRET, REFERENCE, cdv_failures
from comptoir.pasim.testing import REFUSING_BUYER, running_simulator

CDAR = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}


def call(method, url, *, body=b"", headers=None, timeout=60):
    """(status, headers, body) of one HTTP exchange."""
    request = urllib.request.Request(url, data=body or None, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def token(base, client_id=CLIENT_ID, secret=CLIENT_SECRET):
    form = f"grant_type=client_credentials&client_id={client_id}&client_secret={secret}"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return call("POST", f"{base}/oauth/token", body=form.encode(), headers=headers)


@pytest.fixture
def bearer(pasim):
    status, _, body = token(pasim)
    assert status == 200
    return {"Authorization": f"Bearer {json.loads(body)['access_token']}"}


def api(base, bearer, method, path, payload=None, **kwargs):
    headers = dict(bearer)
    body = b""
    if payload is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(payload).encode()
    status, response_headers, data = call(method, base + path, body=body, headers=headers, **kwargs)
    return status, response_headers, data


def submit(base, bearer, content: bytes, flow_info: dict):
    boundary = uuid.uuid4().hex
    body = b"".join(
        [
            f"--{boundary}\r\n".encode(),
            b'Content-Disposition: form-data; name="flowInfo"\r\n',
            b"Content-Type: application/json\r\n\r\n",
            json.dumps(flow_info).encode(),
            f"\r\n--{boundary}\r\n".encode(),
            b'Content-Disposition: form-data; name="file"; filename="invoice.xml"\r\n',
            b"Content-Type: application/xml\r\n\r\n",
            content,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    headers = {**bearer, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    status, _, data = call("POST", f"{base}/flow-service/v1/flows", body=body, headers=headers)
    return status, json.loads(data)


def search(base, bearer, where: dict, limit=100):
    payload = {"where": where, "limit": limit}
    status, _, data = api(base, bearer, "POST", "/flow-service/v1/flows/search", payload)
    assert status == 200, data
    return json.loads(data)["results"]


def lifecycle(base, bearer, invoice_flow: dict, number: str) -> list[int]:
    """The statuses the platform sent about one invoice since its submission, from the CDAR
    flows (each is checked against the CDAR XSD and the French CDV rules)."""
    since = invoice_flow["submittedAt"]
    statuses = []
    for flow in search(base, bearer, {"updatedAfter": since, "flowType": ["CustomerInvoiceLC"]}):
        path = f"/flow-service/v1/flows/{flow['flowId']}?docType=Original"
        status, _, cdar = api(base, bearer, "GET", path)
        assert status == 200
        root = etree.fromstring(cdar)
        assert etree.XMLSchema(etree.parse(str(CDAR_XSD))).validate(root), cdar.decode()
        assert not cdv_failures(cdar), [str(failure) for failure in cdv_failures(cdar)]
        if root.findtext(".//ram:IssuerAssignedID", namespaces=CDAR) == number:
            statuses.append(int(root.findtext(".//ram:ProcessConditionCode", namespaces=CDAR)))
    return statuses


def a_moment_ago() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))


_INVOICES = {}


@pytest.fixture
def invoices(request):
    """The CII XML of two issued invoices: to a French customer, to a refusing one."""
    if not _INVOICES:
        request.getfixturevalue("company")
        from comptoir.billing.facturx import build_xml
        from comptoir.billing.services import create_invoice, issue_invoice
        from comptoir.parties.services import create_customer
        from comptoir.pricing.engine import LineSpec
        from examples.facturx import PARIS, catalogue, seller

        seller()
        chair = catalogue()["chair"]
        for key, name, siren in [
            ("accepted", "Client Francais", "732829320"),
            ("refused", "Sous Traitant", REFUSING_BUYER),
        ]:
            customer = create_customer(
                name=name, email="compta@client.fr", siren=siren, addresses=PARIS
            )
            invoice = issue_invoice(create_invoice(customer, [LineSpec(chair, Decimal("2"))]))
            _INVOICES[key] = (invoice.number, build_xml(invoice))
    return _INVOICES


def test_a_token_is_given_for_the_test_credentials_only(pasim):
    status, _, body = token(pasim)
    assert status == 200
    assert json.loads(body)["token_type"] == "Bearer"
    assert token(pasim, secret="wrong")[0] == 401
    for headers in [{}, {"Authorization": "Bearer not-a-token"}]:
        status, _, body = call("GET", f"{pasim}/flow-service/v1/healthcheck", headers=headers)
        assert status == 401
        assert json.loads(body)["errorCode"] == "INVALID_TOKEN"


def test_a_token_expires(pasim):
    call("POST", f"{pasim}/_control/tokens", body=b'{"lifetime": 1}')
    _, _, body = token(pasim)
    call("POST", f"{pasim}/_control/tokens", body=b'{"lifetime": 3600}')
    assert json.loads(body)["expires_in"] == 1
    bearer = {"Authorization": f"Bearer {json.loads(body)['access_token']}"}
    assert api(pasim, bearer, "GET", "/flow-service/v1/healthcheck")[0] == 200
    time.sleep(1.1)
    assert api(pasim, bearer, "GET", "/flow-service/v1/healthcheck")[0] == 401


def test_healthchecks_answer(pasim, bearer):
    assert api(pasim, bearer, "GET", "/flow-service/v1/healthcheck")[0] == 200
    assert api(pasim, bearer, "GET", "/directory-service/v1/healthcheck")[0] == 200


@pytest.mark.django_db
def test_submit_keep_and_download_a_flow(pasim, bearer, invoices):
    _, xml = invoices["accepted"]
    tracking = f"submit-{uuid.uuid4().hex[:12]}"
    digest = hashlib.sha256(xml).hexdigest()
    status, flow = submit(
        pasim, bearer, xml, {"flowSyntax": "CII", "trackingId": tracking, "sha256": digest}
    )
    assert status == 202, flow
    assert flow["trackingId"] == tracking and flow["sha256"] == digest
    status, headers, data = api(
        pasim, bearer, "GET", f"/flow-service/v1/flows/{flow['flowId']}?docType=Original"
    )
    assert status == 200 and data == xml
    assert headers["Content-Disposition"] == "attachment;filename=invoice.xml"
    status, _, data = api(pasim, bearer, "GET", f"/flow-service/v1/flows/{flow['flowId']}")
    metadata = json.loads(data)
    assert metadata["flowType"] == "CustomerInvoice" and metadata["flowDirection"] == "Out"
    assert metadata["acknowledgement"] == {"status": "Ok"}
    assert api(pasim, bearer, "GET", "/flow-service/v1/flows/no-such-flow")[0] == 404


@pytest.mark.django_db
def test_a_duplicate_submission_returns_the_first_flow(pasim, bearer, invoices):
    _, xml = invoices["accepted"]
    info = {"flowSyntax": "CII", "trackingId": f"dup-{uuid.uuid4().hex[:12]}"}
    first = submit(pasim, bearer, xml, info)
    again = submit(pasim, bearer, xml, info)
    assert first[0] == again[0] == 202
    assert again[1]["flowId"] == first[1]["flowId"]
    assert len(search(pasim, bearer, {"trackingId": info["trackingId"]})) == 1
    status, error = submit(pasim, bearer, xml + b"\n", info)  # same tracking id, other file
    assert status == 422 and error["errorCode"] == "ALREADY_EXISTING_FLOW"
    status, error = submit(pasim, bearer, xml, {**info, "sha256": "0" * 64})
    assert status == 422 and error["errorCode"] == "CHECKSUM_MISMATCH"


def test_a_submission_that_drifts_from_the_openapi_is_refused(pasim, bearer):
    status, error = submit(pasim, bearer, b"<x/>", {"flowSyntax": "PDF"})
    assert status == 400
    assert error["errorCode"] == "INVALID_REQUEST" and "flowSyntax" in error["errorMessage"]
    status, _, _ = api(pasim, bearer, "POST", "/flow-service/v1/flows/search", {"where": {}})
    assert status == 400  # at least one criterion


@pytest.mark.django_db
def test_search_pages_with_updated_after(pasim, bearer, invoices):
    _, xml = invoices["accepted"]
    since = a_moment_ago()
    for _ in range(3):
        submit(pasim, bearer, xml, {"flowSyntax": "CII", "trackingId": uuid.uuid4().hex})
    seen = []
    cursor = since
    while page := search(pasim, bearer, {"updatedAfter": cursor, "flowDirection": ["Out"]}, 1):
        seen.append(page[0]["flowId"])
        cursor = page[0]["updatedAt"]
    assert len(seen) >= 3 and len(set(seen)) == len(seen)


@pytest.mark.django_db
def test_an_invoice_plays_the_nominal_lifecycle(pasim, bearer, invoices):
    number, xml = invoices["accepted"]
    status, flow = submit(pasim, bearer, xml, {"flowSyntax": "CII", "trackingId": uuid.uuid4().hex})
    assert status == 202
    assert lifecycle(pasim, bearer, flow, number) == [200]
    for _ in range(6):  # one more than the statuses to come: the last advance moves nothing
        call(
            "POST",
            f"{pasim}/_control/advance",
            body=json.dumps({"flowId": flow["flowId"]}).encode(),
        )
    assert lifecycle(pasim, bearer, flow, number) == [200, 202, 203, 204, 205, 211]


@pytest.mark.django_db
def test_a_configured_buyer_refuses(pasim, bearer, invoices):
    number, xml = invoices["refused"]
    status, flow = submit(pasim, bearer, xml, {"flowSyntax": "CII", "trackingId": uuid.uuid4().hex})
    assert status == 202
    for _ in range(4):
        call(
            "POST",
            f"{pasim}/_control/advance",
            body=json.dumps({"flowId": flow["flowId"]}).encode(),
        )
    assert lifecycle(pasim, bearer, flow, number) == [200, 202, 203, 210]


@pytest.mark.django_db
def test_an_invalid_invoice_is_rejected_213(pasim, bearer, invoices):
    number, xml = invoices["accepted"]
    root = etree.fromstring(xml)
    total = root.find(".//{*}GrandTotalAmount")
    total.text = str(Decimal(total.text) + 1)  # BR-CO-15: the total is no longer the sum
    status, flow = submit(
        pasim, bearer, etree.tostring(root), {"flowSyntax": "CII", "trackingId": uuid.uuid4().hex}
    )
    assert status == 202
    _, _, data = api(pasim, bearer, "GET", f"/flow-service/v1/flows/{flow['flowId']}")
    acknowledgement = json.loads(data)["acknowledgement"]
    assert acknowledgement["status"] == "Error"
    assert "BR-CO-15" in {detail["item"] for detail in acknowledgement["details"]}
    assert lifecycle(pasim, bearer, flow, number) == [200, 213]
    where = {"trackingId": flow["trackingId"], "ackStatus": "Error"}
    assert [found["flowId"] for found in search(pasim, bearer, where)] == [flow["flowId"]]


def test_the_directory_gives_a_receiving_address(pasim, bearer):
    status, _, data = api(pasim, bearer, "GET", "/directory-service/v1/siren/code-insee:732829320")
    assert status == 200 and json.loads(data)["businessName"] == "Client Francais"
    path = "/directory-service/v1/siret/code-insee:73282932000017"
    status, _, data = api(pasim, bearer, "GET", path)
    assert status == 200 and json.loads(data)["siren"] == "732829320"
    filters = {"filters": {"siren": {"op": "contains", "value": "732829320"}}}
    status, _, data = api(
        pasim, bearer, "POST", "/directory-service/v1/directory-line/search", filters
    )
    lines = json.loads(data)["results"]
    assert status == 200 and [line["addressingIdentifier"] for line in lines] == ["732829320"]
    assert lines[0]["platform"] == {"platformType": "WK", "platformStatus": "Enabled"}
    status, _, data = api(pasim, bearer, "GET", "/directory-service/v1/siren/code-insee:999999999")
    assert status == 404
    assert api(pasim, bearer, "GET", "/directory-service/v1/siren/code-insee:12")[0] == 400


def fault(base, **spec):
    status, _, _ = call("POST", f"{base}/_control/faults", body=json.dumps(spec).encode())
    assert status == 200


@pytest.mark.parametrize("status", [401, 500, 503])
def test_an_error_fault_is_answered_once(pasim, bearer, status):
    fault(pasim, path="/flow-service/v1/flows/search", status=status)
    answer, _, data = api(
        pasim, bearer, "POST", "/flow-service/v1/flows/search", {"where": {"ackStatus": "Ok"}}
    )
    assert answer == status and json.loads(data)["errorCode"] == f"FAULT_{status}"
    assert (
        api(pasim, bearer, "POST", "/flow-service/v1/flows/search", {"where": {"ackStatus": "Ok"}})[
            0
        ]
        == 200
    )


def test_too_many_requests_says_when_to_retry(pasim, bearer):
    fault(pasim, path="/directory-service/", status=429, retryAfter=7, times=2)
    path = "/directory-service/v1/siren/code-insee:732829320"
    for _ in range(2):
        status, headers, _ = api(pasim, bearer, "GET", path)
        assert status == 429 and headers["Retry-After"] == "7"
    assert api(pasim, bearer, "GET", path)[0] == 200


def test_a_slow_answer_is_slow(pasim, bearer):
    fault(pasim, path="/flow-service/v1/healthcheck", delay=1.5)
    started = time.monotonic()
    assert api(pasim, bearer, "GET", "/flow-service/v1/healthcheck")[0] == 200
    assert time.monotonic() - started >= 1.5
    fault(pasim, path="/flow-service/v1/healthcheck", delay=2)
    with pytest.raises(TimeoutError):  # what a client with a short timeout sees
        api(pasim, bearer, "GET", "/flow-service/v1/healthcheck", timeout=0.5)


def test_a_lifecycle_message_sent_is_checked_by_the_xsd_and_the_cdv_rules(pasim, bearer):
    """The seller's own statuses (212 Encaissée) go to the platform as CDAR flows."""
    cashed = (
        Path(__file__).resolve().parents[2]
        / "einvoicing"
        / "reference"
        / "afnor-cdar-examples-1.4.0.03"
        / "UC1_F202500003_07-CDV-212_Encaissee.xml"
    ).read_bytes()
    wrong_code = cashed.replace(b"<ram:StatusCode>47<", b"<ram:StatusCode>10<")
    not_cdar = cashed.replace(
        b"<rsm:AcknowledgementDocument>", b"<rsm:AcknowledgementDocument><ram:X/>"
    )
    acknowledgements = {}
    for name, content in [("ok", cashed), ("rules", wrong_code), ("xsd", not_cdar)]:
        status, flow = submit(
            pasim, bearer, content, {"flowSyntax": "CDAR", "trackingId": uuid.uuid4().hex}
        )
        assert status == 202
        _, _, data = api(pasim, bearer, "GET", f"/flow-service/v1/flows/{flow['flowId']}")
        acknowledgements[name] = json.loads(data)["acknowledgement"]
    assert acknowledgements["ok"] == {"status": "Ok"}
    assert acknowledgements["rules"]["status"] == "Error"
    assert acknowledgements["rules"]["details"][0]["item"] == "BR-FR-CDV-CL-05"
    assert acknowledgements["xsd"]["status"] == "Error"
    assert acknowledgements["xsd"]["details"][0]["reasonCode"] == "IRR_SYNTAX"


@pytest.mark.django_db
def test_without_validation_every_flow_is_taken(invoices):
    """For timings (the benchmark) the checks can be switched off: then nothing is refused."""
    with running_simulator("--no-validation") as base:
        bearer = {"Authorization": f"Bearer {json.loads(token(base)[2])['access_token']}"}
        _, xml = invoices["accepted"]
        broken = xml.replace(b"<ram:GrandTotalAmount>", b"<ram:GrandTotalAmount>9")
        assert broken != xml
        status, flow = submit(base, bearer, broken, {"flowSyntax": "CII", "trackingId": "t"})
        assert status == 202
        _, _, data = api(base, bearer, "GET", f"/flow-service/v1/flows/{flow['flowId']}")
        assert json.loads(data)["acknowledgement"] == {"status": "Ok"}


def test_a_supplier_invoice_arrives_as_an_incoming_flow(pasim, bearer):
    original = b"<Invoice>from a supplier</Invoice>"
    payload = {
        "flowSyntax": "UBL",
        "name": "F1.xml",
        "content": base64.b64encode(original).decode(),
    }
    status, _, data = call("POST", f"{pasim}/_control/incoming", body=json.dumps(payload).encode())
    arrived = json.loads(data)
    assert status == 200 and arrived["flowDirection"] == "In"
    where = {"flowType": ["SupplierInvoice"], "flowDirection": ["In"]}
    assert arrived["flowId"] in {flow["flowId"] for flow in search(pasim, bearer, where)}
    path = f"/flow-service/v1/flows/{arrived['flowId']}?docType=Original"
    assert api(pasim, bearer, "GET", path)[2] == original


def test_the_simulator_can_start_with_supplier_invoices_in_the_inbox():
    folder = REFERENCE / "afnor-xp-z12-014-examples-1.2"
    files = [folder / f"UC1_F202500003_00-INV_20250701_{syntax}.xml" for syntax in ("CII", "UBL")]
    with running_simulator(*[f"--inbox={path}" for path in files]) as base:
        _, _, body = token(base)
        own = {"Authorization": f"Bearer {json.loads(body)['access_token']}"}
        where = {"flowType": ["SupplierInvoice"], "flowDirection": ["In"]}
        found = search(base, own, where)
        assert [flow["flowSyntax"] for flow in found] == ["CII", "UBL"]
        path = f"/flow-service/v1/flows/{found[1]['flowId']}?docType=Original"
        assert api(base, own, "GET", path)[2] == files[1].read_bytes()


def test_the_inbox_takes_only_invoice_syntaxes(pasim):
    payload = {"flowSyntax": "CDAR", "content": base64.b64encode(b"<x/>").decode()}
    status, _, data = call("POST", f"{pasim}/_control/incoming", body=json.dumps(payload).encode())
    assert status == 400 and json.loads(data)["errorCode"] == "INVALID_SYNTAX"
