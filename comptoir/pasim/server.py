"""The simulator's HTTP server: the token URL, the two services, and a control API for tests.

- ``POST /oauth/token``: OAuth 2 client credentials (form fields or HTTP Basic) → a Bearer token.
- ``/flow-service/v1/…`` and ``/directory-service/v1/…``: the AFNOR services, each request and
  response checked against the OpenAPI files (``openapi.py``).
- ``/_control/…`` (no token, for tests and the demo): ``faults`` queues a fault
  (``{"path", "status", "retryAfter", "delay", "times"}``), ``advance`` moves the invoices'
  lifecycles one status on (``{"flowId"}`` for one), ``refuse`` makes a buyer refuse
  (``{"siren"}``; ``"refuse": false`` to accept again), ``tokens`` sets the lifetime of the
  tokens given from then on (``{"lifetime": seconds}``), ``directory`` moves a company's directory
  line to an addressing suffix (``{"siren", "addressingSuffix"}``; ``""`` back to the SIREN alone),
  ``incoming`` makes a supplier's invoice
  arrive as an incoming SupplierInvoice flow (``{"flowSyntax", "name", "content": base64}``),
  ``webhook`` registers the management software's callback (``{"url", "secret"}``: each
  lifecycle status emitted is then POSTed there as ``{"flowInfo": Flow}`` with the secret as
  Bearer; ``""`` to stop), ``webhook-calls`` lists the calls made and the status answered.
"""

import base64
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from comptoir.pasim import openapi, state
from comptoir.pasim.openapi import Drift, Request, Response
from comptoir.pasim.platform import INVOICE_SYNTAXES, Fault, Platform, PlatformError

FLOW = "/flow-service"
DIRECTORY = "/directory-service"


def flow_error(status: int, code: str, message: str = "", **headers) -> Response:
    return Response.json(status, {"errorCode": code, "errorMessage": message}, **headers)


def directory_error(status: int, message: str, **headers) -> Response:
    payload = {"type": "about:blank", "status": status, "message": message}
    return Response.json(status, payload, "application/problem+json", **headers)


def error_for(request: Request, status: int, code: str, message: str, **headers) -> Response:
    if request.path.startswith(DIRECTORY):
        return directory_error(status, message, **headers)
    return flow_error(status, code, message, **headers)


class Simulator:
    """Answers one request: a pure function of the request and the platform's state."""

    def __init__(self, platform: Platform, *, check: bool = True):
        self.platform = platform
        self.check = check

    def changed(self) -> None:
        """Called after each change of the platform's state (see ``serve``'s state file)."""

    def answer(self, request: Request) -> Response:
        if request.path == "/oauth/token" and request.method == "post":
            return self.token(request)
        if request.path.startswith("/_control/") and request.method == "post":
            return self.control(request)
        if openapi.service_of(request.path) is None:
            return flow_error(404, "MISSING_RESOURCE", "no such path")
        response = self.service(request)
        if self.check:
            try:
                openapi.check_response(request, response)
            except Drift as drift:
                print(f"pasim: response drifts from the OpenAPI: {drift}", file=sys.stderr)
                return error_for(request, 500, "RESPONSE_DRIFT", str(drift))
        return response

    def service(self, request: Request) -> Response:
        fault = self.platform.take_fault(request.path)
        if fault and fault.delay:
            time.sleep(fault.delay)
        if fault and fault.status:
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
            response = error_for(
                request, fault.status, f"FAULT_{fault.status}", "simulated", **headers
            )
            response.generic = True
            return response
        token = request.header("Authorization")
        if not (token.startswith("Bearer ") and self.platform.token_valid(token[7:])):
            response = error_for(request, 401, "INVALID_TOKEN", "a valid Bearer token is needed")
            response.generic = True
            return response
        if self.check:
            try:
                openapi.check_request(request)
            except Drift as drift:
                return error_for(request, 400, "INVALID_REQUEST", str(drift))
        try:
            if request.path.startswith(FLOW):
                return self.flow_service(request, request.path[len(FLOW) :])
            return self.directory_service(request, request.path[len(DIRECTORY) :])
        except PlatformError as error:
            return error_for(request, error.status, error.code, error.message)

    # token URL -------------------------------------------------------------------------
    def token(self, request: Request) -> Response:
        form = dict(parse_qsl(request.body.decode("utf-8", "replace")))
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        basic = request.header("Authorization")
        if basic.startswith("Basic "):
            client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
        if form.get("grant_type") != "client_credentials":
            return Response.json(400, {"error": "unsupported_grant_type"})
        try:
            token = self.platform.issue_token(client_id, secret)
        except PlatformError:
            return Response.json(401, {"error": "invalid_client"})
        payload = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.platform.token_lifetime,
        }
        return Response.json(200, payload)

    # control API (tests, demo) -----------------------------------------------------------
    def control(self, request: Request) -> Response:
        body = json.loads(request.body or b"{}")
        action = request.path.removeprefix("/_control/")
        if action == "faults":
            fault = Fault(
                path=body.get("path", ""),
                status=body.get("status"),
                retry_after=body.get("retryAfter"),
                delay=float(body.get("delay", 0)),
                times=int(body.get("times", 1)),
            )
            self.platform.add_fault(fault)
            return Response.json(200, {"queued": True})
        if action == "advance":
            moved = self.platform.advance(body.get("flowId"))
            return Response.json(200, {"moved": [{"flowId": f, "status": s} for f, s in moved]})
        if action == "refuse":  # {"siren": "…", "refuse": false} to accept again
            if body.get("refuse", True):
                self.platform.refusing.add(body["siren"])
            else:
                self.platform.refusing.discard(body["siren"])
            return Response.json(200, {"refusing": sorted(self.platform.refusing)})
        if action == "incoming":  # {"flowSyntax", "name", "content": base64}
            return self.incoming(body)
        if action == "directory":  # {"siren", "addressingSuffix"}: it receives there ("": back)
            suffixes = self.platform.suffixes
            suffixes[body["siren"]] = body.get("addressingSuffix", "")
            return Response.json(200, {"suffixes": {k: v for k, v in suffixes.items() if v}})
        if action == "webhook":  # {"url", "secret"}: called when a lifecycle status is emitted
            url = body.get("url", "")
            self.platform.webhook = (url, body.get("secret", "")) if url else None
            return Response.json(200, {"url": url})
        if action == "webhook-calls":  # the calls made so far: [{"flowId", "status"}]
            with self.platform.lock:
                calls = list(self.platform.webhook_calls)
            return Response.json(200, {"calls": [{"flowId": f, "status": s} for f, s in calls]})
        if action == "tokens":  # {"lifetime": seconds} of the tokens given from now on
            self.platform.token_lifetime = int(body["lifetime"])
            return Response.json(200, {"lifetime": self.platform.token_lifetime})
        return Response.json(404, {"error": "no such control"})

    def incoming(self, body: dict) -> Response:
        """A supplier's invoice dropped into the company's inbox: an incoming SupplierInvoice
        flow, whose metadata is checked against the OpenAPI file as a search would give it.
        Its content is delivered as the supplier sent it (readable or not)."""
        syntax = body.get("flowSyntax", "CII")
        if syntax not in INVOICE_SYNTAXES:
            return flow_error(
                400, "INVALID_SYNTAX", f"an invoice is CII, UBL or Factur-X: {syntax}"
            )
        try:
            content = base64.b64decode(body.get("content", ""), validate=True)
        except ValueError:
            return flow_error(400, "INVALID_CONTENT", "the content is not base64")
        flow = self.platform.receive(syntax, str(body.get("name", ""))[:255], content)
        if self.check:
            metadata = Request("GET", f"{FLOW}/v1/flows/{flow.flow_id}", "docType=Metadata")
            try:
                openapi.check_response(metadata, Response.json(200, flow.info()))
            except Drift as drift:
                self.platform.forget(flow.flow_id)
                return flow_error(400, "RESPONSE_DRIFT", str(drift))
        return Response.json(200, flow.info())

    # Flow Service ------------------------------------------------------------------------
    def flow_service(self, request: Request, path: str) -> Response:
        method = request.method
        if path == "/v1/healthcheck" and method == "get":
            return Response(200)
        if path == "/v1/flows" and method == "post":
            parts = multipart(request)
            if "flowInfo" not in parts or "file" not in parts:
                return flow_error(400, "MISSING_REQUIRED_FIELD", "flowInfo and file are needed")
            info = json.loads(parts["flowInfo"][1])
            flow, _ = self.platform.submit(info, parts["file"][0], parts["file"][1])
            return Response.json(202, flow.full_info())
        if path == "/v1/flows/search" and method == "post":
            search = json.loads(request.body)
            where = search["where"]
            if not where:
                return flow_error(400, "MISSING_CRITERIA", "at least one criterion is needed")
            limit = search.get("limit", 25)
            flows = self.platform.search(where, limit)
            results = [flow.info() for flow in flows]
            return Response.json(200, {"limit": limit, "filters": where, "results": results})
        found = re.fullmatch(r"/v1/flows/([^/]+)", path)
        if found and method == "get":
            flow = self.platform.get(found[1])
            doc_type = request.query_value("docType", "Metadata")
            if doc_type == "Metadata":
                return Response.json(200, flow.info())
            if doc_type == "Original":
                disposition = f"attachment;filename={flow.name or flow.flow_id}"
                headers = {
                    "Content-Type": "application/octet-stream",
                    "Content-Disposition": disposition,
                }
                return Response(200, flow.content, headers)
            return flow_error(404, "MISSING_RESOURCE", f"no {doc_type} document for this flow")
        return flow_error(404, "MISSING_RESOURCE", "no such operation")

    # Directory Service -------------------------------------------------------------------
    def directory_service(self, request: Request, path: str) -> Response:
        method = request.method
        companies = self.platform.companies
        if path == "/v1/healthcheck" and method == "get":
            return Response(200)
        found = re.fullmatch(r"/v1/siren/code-insee:(\d{9})", path)
        if found and method == "get":
            if found[1] not in companies:
                return directory_error(404, "unknown SIREN")
            return Response.json(200, {"siren": found[1], **legal_unit(companies[found[1]])})
        found = re.fullmatch(r"/v1/siret/code-insee:(\d{14})", path)
        if found and method == "get":
            siren = found[1][:9]
            if siren not in companies or companies[siren][1] != found[1]:
                return directory_error(404, "unknown SIRET")
            return Response.json(200, facility(siren, companies[siren]))
        if path == "/v1/directory-line/search" and method == "post":
            filters = json.loads(request.body or b"{}").get("filters", {})
            siren = filters.get("siren", {}).get("value") or ""
            siret = filters.get("siret", {}).get("value") or ""
            address = filters.get("addressingIdentifier", {}).get("value") or ""
            lines = []
            for number, company in sorted(companies.items()):
                line = directory_line(number, company, self.platform.suffixes.get(number, ""))
                # the search's only operator is "contains"
                if (
                    siren in number
                    and siret in company[1]
                    and address in line["addressingIdentifier"]
                ):
                    lines.append(line)
            payload = {"totalNumberOfResults": len(lines), "results": lines}
            return Response.json(200, payload)
        found = re.fullmatch(r"/v1/directory-line/code:([^/]+)", path)
        if found and method == "get":
            siren, _, suffix = found[1].partition("_")
            if siren not in companies or self.platform.suffixes.get(siren, "") != suffix:
                return directory_error(404, "unknown addressing identifier")
            return Response.json(200, directory_line(siren, companies[siren], suffix))
        return directory_error(501, "not implemented by the simulator")


def legal_unit(company: tuple) -> dict:
    return {
        "businessName": company[0],
        "entityType": "PrivateVatRegistered",
        "administrativeStatus": "A",
    }


def facility(siren: str, company: tuple) -> dict:
    name, siret, town = company
    return {
        "siret": siret,
        "siren": siren,
        "name": name[:100],
        "facilityType": "P",
        "diffusible": "O",
        "administrativeStatus": "A",
        "address": {"locality": town, "countryCode": "FR"},
        "legalUnit": legal_unit(company),
    }


def directory_line(siren: str, company: tuple, suffix: str = "") -> dict:
    """The directory line of a company: its electronic address (BT-49: the SIREN, or
    SIREN_suffix at an addressing suffix) and its platform."""
    line = {
        "addressingIdentifier": f"{siren}_{suffix}" if suffix else siren,
        "siren": siren,
        "siret": company[1],
        "platform": {"platformType": "WK", "platformStatus": "Enabled"},
        "legalUnit": legal_unit(company),
    }
    if suffix:
        line["addressingSuffix"] = suffix
    return line


def multipart(request: Request) -> dict[str, tuple[str, bytes]]:
    """The parts of a multipart/form-data body: name → (filename, bytes), bytes kept exact."""
    found = re.search(r'boundary="?([^";]+)"?', request.header("Content-Type"))
    if not found:
        return {}
    parts = {}
    for chunk in request.body.split(b"--" + found[1].encode())[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        disposition = head.decode("utf-8", "replace")
        name = re.search(r'name="([^"]*)"', disposition)
        filename = re.search(r'filename="([^"]*)"', disposition)
        if name:
            parts[name[1]] = (filename[1] if filename else "", data.removesuffix(b"\r\n"))
    return parts


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    wbufsize = 1 << 16  # the headers and the body leave in one write (flushed per request)
    simulator: Simulator  # set on the subclass the server is built with

    def handle_any(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(
            method=self.command,
            path=url.path,
            query=url.query,
            headers=dict(self.headers.items()),
            body=self.rfile.read(length) if length else b"",
        )
        try:
            response = self.simulator.answer(request)
            if request.method != "get" and response.status_code < 300:
                self.simulator.changed()
        except Exception as error:  # the simulator answers, whatever its own bug
            print(f"pasim: {type(error).__name__}: {error}", file=sys.stderr)
            response = error_for(request, 500, "INTERNAL_ERROR", type(error).__name__)
        self.send_response(response.status_code)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.data)))
        self.end_headers()
        self.wfile.write(response.data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    def log_message(self, format, *args):  # one line per request on stderr, as usual
        if not getattr(self.server, "quiet", False):
            super().log_message(format, *args)


def serve(
    simulator: Simulator,
    host: str,
    port: int,
    *,
    auto_advance: float = 0,
    quiet=False,
    state_file: str | None = None,
):
    """Serve until interrupted; print the base URL once listening (a test reads it). With
    ``state_file``, the flows are read from it at start and written to it after each change."""
    if state_file:
        state.load(simulator.platform, state_file)
        simulator.changed = lambda: state.save(simulator.platform, state_file)
    handler = type("BoundHandler", (Handler,), {"simulator": simulator})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    server.quiet = quiet
    if auto_advance:

        def tick():
            while True:
                time.sleep(auto_advance)
                if simulator.platform.advance():
                    simulator.changed()

        threading.Thread(target=tick, daemon=True).start()
    print(f"pasim listening on http://{host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
