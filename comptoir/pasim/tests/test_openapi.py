"""The validating layer catches what drifts from the official OpenAPI files, both ways."""

import json

import pytest

from comptoir.pasim.openapi import Drift, Request, Response, check_request, check_response

TOKEN = {"Authorization": "Bearer abc"}


def search_request(where: dict) -> Request:
    body = json.dumps({"where": where}).encode()
    return Request(
        "POST",
        "/flow-service/v1/flows/search",
        headers={**TOKEN, "Content-Type": "application/json"},
        body=body,
    )


def submission(flow_info: dict, boundary: str = "PaSiM-b0uNdary") -> Request:
    body = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="flowInfo"\r\n'
        "Content-Type: application/json\r\n\r\n"
        f"{json.dumps(flow_info)}\r\n"
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="f.xml"\r\n'
        "Content-Type: application/xml\r\n\r\n"
        f"<x/>\r\n--{boundary}--\r\n"
    ).encode()
    headers = {**TOKEN, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    return Request("POST", "/flow-service/v1/flows", headers=headers, body=body)


def test_a_well_formed_search_and_its_answer_pass():
    request = search_request({"updatedAfter": "2026-01-01T00:00:00Z"})
    check_request(request)
    flow = {"flowId": "f-1", "flowType": "CustomerInvoiceLC", "flowSyntax": "CDAR"}
    check_response(request, Response.json(200, {"limit": 25, "results": [flow]}))


def test_a_response_that_drifts_is_caught():
    request = search_request({"updatedAfter": "2026-01-01T00:00:00Z"})
    wrong_type = {"flowId": "f-1", "flowType": "Invoice"}  # not a FlowType of the file
    with pytest.raises(Drift, match=r"results\[0\]\.flowType"):
        check_response(request, Response.json(200, {"results": [wrong_type]}))
    with pytest.raises(Drift, match="limit"):
        check_response(request, Response.json(200, {"limit": "25"}))  # a string, not an int
    with pytest.raises(Drift):  # an error body without its required errorCode
        check_response(request, Response.json(400, {"message": "bad"}))


def test_an_undeclared_status_drifts_unless_the_simulator_answers_it_itself():
    health = Request("GET", "/flow-service/v1/healthcheck", headers=TOKEN)
    unauthorised = Response.json(401, {"errorCode": "INVALID_TOKEN"})
    with pytest.raises(Drift, match="401"):  # the healthcheck declares no 401
        check_response(health, unauthorised)
    unauthorised.generic = True
    check_response(health, unauthorised)


def test_a_request_that_drifts_is_caught():
    check_request(submission({"flowSyntax": "CII", "trackingId": "t-1"}))
    with pytest.raises(Drift, match="flowSyntax"):
        check_request(submission({"flowSyntax": "PDF"}))
    with pytest.raises(Drift, match="flowSyntax"):  # flowInfo's only required property
        check_request(submission({"trackingId": "t-1"}))
    with pytest.raises(Drift, match="sha256"):
        check_request(submission({"flowSyntax": "CII", "sha256": "not-a-digest"}))
    with pytest.raises(Drift, match="where"):
        check_request(
            Request(
                "POST",
                "/flow-service/v1/flows/search",
                headers={**TOKEN, "Content-Type": "application/json"},
                body=b'{"limit": 5}',
            )
        )
    with pytest.raises(Drift, match="Security"):  # no Bearer token
        check_request(Request("GET", "/flow-service/v1/flows/f-1"))


def test_directory_paths_and_their_parameters_are_checked():
    check_request(Request("GET", "/directory-service/v1/siren/code-insee:552100554", headers=TOKEN))
    with pytest.raises(Drift, match="does not match"):
        check_request(Request("GET", "/directory-service/v1/siren/code-insee:5521", headers=TOKEN))
    request = Request("GET", "/directory-service/v1/siret/code-insee:55210055400013", headers=TOKEN)
    with pytest.raises(Drift, match="facilityType"):
        check_response(
            request, Response.json(200, {"siret": "55210055400013", "facilityType": "X"})
        )
