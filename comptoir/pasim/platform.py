"""The simulated platform's state: flows, lifecycles, the directory, tokens and faults.

Everything is kept in memory, behind one lock (the server answers each request in a thread).
"""

import hashlib
import json
import re
import secrets
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from lxml import etree

from comptoir.pasim.documents import SAFE_PARSER, Invoice, cdar_message, read_invoice

REFERENCE = Path(__file__).parents[1] / "einvoicing" / "reference"  # the project's copies
CDAR_XSD = REFERENCE / "unece-cdar-d22b" / "CrossDomainAcknowledgementAndResponse_100pD22B.xsd"
CDV_RULES = (
    REFERENCE / "afnor-br-fr-cdv-1.4.0.03" / "20260804_BR-FR-CDV-Schematron-CDAR_V1.4.0.03.xslt"
)
FLUX10_XSD = REFERENCE / "dgfip-flux10-xsd-1.8" / "ereporting.xsd"
FLUX10_RULES = REFERENCE / "ppf-flux10-rules-1.0" / "PPF_Flux10_v1_0.xslt"
CLIENT_ID = "comptoir-test"
CLIENT_SECRET = "pasim-secret"  # a fixed test credential of the simulator, not a real one
NOMINAL = [202, 203, 204, 205, 211]  # UC1 after 200 Déposée
REFUSED = [202, 203, 210]  # UC3 after 200 Déposée
REFUSAL = ("TX_TVA_ERR", "Taux de TVA erroné")
INVOICE_SYNTAXES = {"CII", "UBL", "Factur-X"}
# Known test companies: SIREN → business name, SIRET of the head office, town. The seller and
# the French customers of the project's examples and tests, and the parties of the official
# UC1–UC3 examples.
COMPANIES = {
    "552100554": ("Atelier Test SARL", "55210055400013", "Lyon"),
    "732829320": ("Client Francais", "73282932000017", "Paris"),
    "380129866": ("Sous Traitant", "38012986600012", "Paris"),
    "443061841": ("Association Locale", "44306184100015", "Paris"),
    "100000009": ("LE VENDEUR", "10000000900017", "Paris"),
    "200000008": ("LE CLIENT", "20000000800014", "Lyon"),
}


class PlatformError(Exception):
    """A request the platform refuses: HTTP status, error code, message."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class Flow:
    flow_id: str
    flow_type: str
    direction: str
    syntax: str
    content: bytes
    sha256: str
    submitted_at: datetime
    processing_rule: str = "B2B"
    rule_source: str = "Computed"
    tracking_id: str = ""
    name: str = ""
    profile: str = ""
    ack_status: str = "Ok"
    ack_details: list[dict] = field(default_factory=list)
    invoice: Invoice | None = None
    plan: list[int] = field(default_factory=list)  # lifecycle statuses still to come
    updated_at: datetime | None = None

    def info(self) -> dict:
        """The flow as the Flow schema of the OpenAPI file."""
        payload = {
            "flowId": self.flow_id,
            "submittedAt": _stamp(self.submitted_at),
            "updatedAt": _stamp(self.updated_at or self.submitted_at),
            "flowType": self.flow_type,
            "processingRule": self.processing_rule,
            "processingRuleSource": self.rule_source,
            "flowDirection": self.direction,
            "flowSyntax": self.syntax,
            "acknowledgement": {"status": self.ack_status},
        }
        if self.ack_details:
            payload["acknowledgement"]["details"] = self.ack_details
        if self.tracking_id:
            payload["trackingId"] = self.tracking_id
        if self.profile:
            payload["flowProfile"] = self.profile
        return payload

    def full_info(self) -> dict:
        """The flow as the FullFlowInfo schema (the answer to a submission)."""
        payload = {
            "flowId": self.flow_id,
            "submittedAt": _stamp(self.submitted_at),
            "flowSyntax": self.syntax,
            "processingRule": self.processing_rule,
            "sha256": self.sha256,
        }
        for key, value in [("trackingId", self.tracking_id), ("name", self.name)]:
            if value:
                payload[key] = value
        if self.profile:
            payload["flowProfile"] = self.profile
        return payload


@dataclass
class Fault:
    """A fault the next matching requests get: an HTTP error, a slow answer, or both."""

    path: str = ""  # a path prefix; "" for every request
    status: int | None = None
    retry_after: int | None = None
    delay: float = 0.0
    times: int = 1


class Platform:
    def __init__(self, *, validate: bool = True, refusing: set[str] | None = None):
        self.validate = validate
        self.refusing = set(refusing or ())
        self.lock = threading.Lock()
        self.flows: dict[str, Flow] = {}
        self.tracked: dict[str, Flow] = {}  # tracking id → the flow submitted with it
        self.tokens: dict[str, float] = {}  # token → expiry (monotonic)
        self.token_lifetime = 3600
        self.faults: list[Fault] = []
        self.companies = dict(COMPANIES)
        self.suffixes: dict[str, str] = {}  # SIREN → the addressing suffix it receives at
        # The management software's webhook: (URL, secret sent as Bearer), and each call made
        # (flow id, HTTP status answered, or 0 when it could not be reached).
        self.webhook: tuple[str, str] | None = None
        self.webhook_calls: list[tuple[str, int]] = []
        self._last = datetime.now(UTC)

    # clock: strictly increasing, so that updatedAfter pages never skip nor repeat a flow
    def now(self) -> datetime:
        moment = max(datetime.now(UTC), self._last + timedelta(microseconds=1))
        self._last = moment
        return moment

    # tokens ------------------------------------------------------------------------------
    def issue_token(self, client_id: str, client_secret: str) -> str:
        if not (
            secrets.compare_digest(client_id, CLIENT_ID)
            and secrets.compare_digest(client_secret, CLIENT_SECRET)
        ):
            raise PlatformError(401, "invalid_client", "unknown client or wrong secret")
        token = secrets.token_urlsafe(32)
        with self.lock:
            self.tokens[token] = time.monotonic() + self.token_lifetime
        return token

    def token_valid(self, token: str) -> bool:
        with self.lock:
            expiry = self.tokens.get(token)
        return expiry is not None and expiry > time.monotonic()

    # faults ------------------------------------------------------------------------------
    def add_fault(self, fault: Fault) -> None:
        with self.lock:
            self.faults.append(fault)

    def take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if path.startswith(fault.path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    # flows -------------------------------------------------------------------------------
    def submit(self, info: dict, filename: str, content: bytes) -> tuple[Flow, bool]:
        """Keep a submitted flow; the same tracking id and sha256 again gives the first flow."""
        digest = hashlib.sha256(content).hexdigest()
        if info.get("sha256") and info["sha256"] != digest:
            raise PlatformError(422, "CHECKSUM_MISMATCH", "the sha256 given is not the file's")
        tracking_id = info.get("trackingId", "")
        with self.lock:
            if existing := self._sent_before(tracking_id, digest):
                return existing, False
        syntax = info["flowSyntax"]
        flow = Flow(
            flow_id=str(uuid.uuid4()),
            flow_type=self._flow_type(syntax),
            direction="Out",
            syntax=syntax,
            content=content,
            sha256=digest,
            submitted_at=self._last,  # set when kept, below
            processing_rule=info.get("processingRule", "B2B"),
            rule_source="Input" if info.get("processingRule") else "Computed",
            tracking_id=tracking_id,
            name=info.get("name") or filename,
            profile=info.get("flowProfile", ""),
        )
        if not content:
            self._error(flow, "file", "IRR_VID_F", "the file is empty")
        elif syntax in INVOICE_SYNTAXES:
            self._check_invoice(flow)
        elif syntax == "CDAR":
            self._check_cdar(flow)
        elif syntax == "FRR":
            self._check_report(flow, computed_rule=not info.get("processingRule"))
        with self.lock:  # a retry may have come in while this one was checked
            if existing := self._sent_before(tracking_id, digest):
                return existing, False
            flow.submitted_at = self.now()
            self.flows[flow.flow_id] = flow
            if tracking_id:
                self.tracked[tracking_id] = flow
            if flow.invoice:
                self._emit(flow, 200)
                if flow.ack_status == "Error":
                    reason = _in_words(flow.ack_details[0]["reasonMessage"])
                    self._emit(flow, 213, ("REJ_SEMAN", reason))
        return flow, True

    def _sent_before(self, tracking_id: str, digest: str) -> Flow | None:
        """The flow already submitted with this tracking id (lock held), if the same file."""
        flow = self.tracked.get(tracking_id) if tracking_id else None
        if flow is not None and flow.sha256 != digest:
            raise PlatformError(422, "ALREADY_EXISTING_FLOW", "this tracking id has another file")
        return flow

    def _flow_type(self, syntax: str) -> str:
        return {"CDAR": "CustomerInvoiceLC", "FRR": "MultiFlowReport"}.get(
            syntax, "CustomerInvoice"
        )

    def _error(self, flow: Flow, item: str, code: str, message: str) -> None:
        """Acknowledge the flow in error. The reason codes are the French ones (IRR_*, REJ_*),
        which the OpenAPI file allows as extensions: its ReasonCode is a oneOf of its enum and
        any string, so a value of the enum matches both branches and is never valid."""
        flow.ack_status = "Error"
        flow.ack_details.append(
            {"level": "Error", "item": item, "reasonCode": code, "reasonMessage": message}
        )

    def _check_invoice(self, flow: Flow) -> None:
        xml = flow.content
        if flow.syntax == "Factur-X":
            xml = _xml_of_pdf(flow.content)
        flow.invoice = read_invoice(xml) if xml else None
        if flow.invoice is None:
            self._error(flow, "file", "IRR_TYPE_F", f"not a readable {flow.syntax} invoice")
            return
        if flow.invoice.buyer_siren in self.refusing:
            flow.plan = list(REFUSED)
        else:
            flow.plan = list(NOMINAL)
        if self.validate:
            for failure in _blocking_failures(flow.syntax, flow.content):
                code = "IRR_SYNTAX" if failure.ruleset == "XSD" else "REJ_SEMAN"
                self._error(flow, failure.rule or failure.ruleset, code, str(failure)[:1000])
        if flow.ack_status == "Error":
            flow.plan = []

    def _check_cdar(self, flow: Flow) -> None:
        try:
            root = etree.fromstring(flow.content, SAFE_PARSER)
        except etree.XMLSyntaxError as error:
            self._error(flow, "file", "IRR_SYNTAX", f"not well-formed: {error}")
            return
        if not self.validate:
            return
        schema = _cdar_schema()
        if not schema.validate(root):
            for error in list(schema.error_log)[:20]:
                self._error(flow, f"line {error.line}", "IRR_SYNTAX", error.message)
            return
        for failure in cdv_failures(flow.content):
            self._error(flow, failure.rule, "REJ_SEMAN", str(failure)[:1000])

    def _check_report(self, flow: Flow, *, computed_rule: bool) -> None:
        """An e-reporting file (flux 10): its flow type from what it reports, then the flux 10
        XSD and the PPF's flux 10 rules."""
        try:
            root = etree.fromstring(flow.content, SAFE_PARSER)
        except etree.XMLSyntaxError as error:
            self._error(flow, "file", "IRR_SYNTAX", f"not well-formed: {error}")
            return
        flow.flow_type = _report_type(root)
        if computed_rule:
            flow.processing_rule = "B2BInt" if "Unitary" in flow.flow_type else "B2C"
        if not self.validate:
            return
        for failure in flux10_failures(flow.content)[:20]:
            code = "IRR_SYNTAX" if failure.ruleset == "XSD" else "REJ_SEMAN"
            self._error(flow, failure.rule or failure.ruleset, code, str(failure)[:1000])

    def _emit(self, invoice_flow: Flow, status: int, reason: tuple[str, str] | None = None):
        """A lifecycle message about an invoice, as a new incoming flow (lock held)."""
        at = self.now()
        message = cdar_message(invoice_flow.invoice, status, at, reason)
        flow = Flow(
            flow_id=str(uuid.uuid4()),
            flow_type="CustomerInvoiceLC",
            direction="In",
            syntax="CDAR",
            content=message,
            sha256=hashlib.sha256(message).hexdigest(),
            submitted_at=at,
            processing_rule=invoice_flow.processing_rule,
            name=f"{invoice_flow.invoice.number}-CDV-{status}.xml",
        )
        self.flows[flow.flow_id] = flow
        invoice_flow.updated_at = at
        if self.webhook:
            payload = {"flowInfo": flow.info()}
            threading.Thread(target=self._call_webhook, args=(payload,), daemon=True).start()

    def _call_webhook(self, payload: dict) -> None:
        """Tell the management software a lifecycle flow is there (the Flow Service's
        WebhookCallback), its body checked against the OpenAPI file."""
        from comptoir.pasim.openapi import Drift, check_callback

        url, secret = self.webhook
        try:
            check_callback(payload)
        except Drift as drift:  # never sent as it is: the simulator's own bug, said
            print(f"pasim: webhook call drifts from the OpenAPI: {drift}", file=sys.stderr)
            return
        request = urllib.request.Request(
            url,
            data=json.dumps(payload).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {secret}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError as error:
            print(f"pasim: webhook {url} not reached: {error}", file=sys.stderr)
            status = 0
        with self.lock:
            self.webhook_calls.append((payload["flowInfo"]["flowId"], status))

    def receive(self, syntax: str, name: str, content: bytes) -> Flow:
        """A supplier's invoice arriving for the company: an incoming SupplierInvoice flow."""
        with self.lock:
            flow = Flow(
                flow_id=str(uuid.uuid4()),
                flow_type="SupplierInvoice",
                direction="In",
                syntax=syntax,
                content=content,
                sha256=hashlib.sha256(content).hexdigest(),
                submitted_at=self.now(),
                name=name,
            )
            self.flows[flow.flow_id] = flow
        return flow

    def forget(self, flow_id: str) -> None:
        with self.lock:
            self.flows.pop(flow_id, None)

    def advance(self, flow_id: str | None = None) -> list[tuple[str, int]]:
        """Every invoice (or the one named) moves to its next lifecycle status."""
        moved = []
        with self.lock:
            for flow in list(self.flows.values()):
                if flow.plan and flow_id in (None, flow.flow_id):
                    status = flow.plan.pop(0)
                    self._emit(flow, status, REFUSAL if status == 210 else None)
                    moved.append((flow.flow_id, status))
        return moved

    def get(self, flow_id: str) -> Flow:
        with self.lock:
            flow = self.flows.get(flow_id)
        if flow is None:
            raise PlatformError(404, "MISSING_RESOURCE", "no flow has this id")
        return flow

    def search(self, where: dict, limit: int) -> list[Flow]:
        def keep(flow: Flow) -> bool:
            updated = flow.updated_at or flow.submitted_at
            return all(
                [
                    "updatedAfter" not in where or updated > _parse(where["updatedAfter"]),
                    "updatedBefore" not in where or updated < _parse(where["updatedBefore"]),
                    flow.processing_rule in where.get("processingRule", [flow.processing_rule]),
                    flow.flow_type in where.get("flowType", [flow.flow_type]),
                    flow.direction in where.get("flowDirection", [flow.direction]),
                    where.get("trackingId", flow.tracking_id) == flow.tracking_id,
                    where.get("ackStatus", flow.ack_status) == flow.ack_status,
                ]
            )

        with self.lock:
            found = [flow for flow in self.flows.values() if keep(flow)]
        found.sort(key=lambda flow: flow.updated_at or flow.submitted_at)
        return found[:limit]


def _in_words(failure: str) -> str:
    """A rule's failure as the rejection's wording (MDT-114) tells the seller: the rule's own
    sentence (the French rules speak French), without the rule's id, the XML names nor where
    in the file (those stay in the acknowledgement's details)."""
    text = re.sub(r"^\[\w+\] [\w-]+(?: [\w-]+)?: ", "", failure)  # "[fatal] BR-FR BR-FR-03: "
    text = re.sub(r" at /\S*$", "", text)
    text = re.sub(r"^\[?BR-[\w/-]+\]?\s*[:-]?\s*", "", text)  # "BR-FR-03/BT-72 : "
    text = re.sub(r"\s*\((?:\w+:\w+|BT-\d+)\)", "", text)  # "(udt:DateTimeString)", "(BT-112)"
    return text.strip() or failure


def syntax_of(content: bytes) -> str:
    """The flow syntax of an invoice file: Factur-X (a PDF), UBL (an Invoice or CreditNote of
    the UBL namespaces) or CII."""
    if content.startswith(b"%PDF"):
        return "Factur-X"
    return "UBL" if b"urn:oasis:names:specification:ubl:schema:xsd:" in content[:4000] else "CII"


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def _parse(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _xml_of_pdf(pdf: bytes) -> bytes:
    from facturx.facturx import get_xml_from_pdf

    try:
        return get_xml_from_pdf(pdf, check_xsd=False)[1] or b""
    except Exception:  # the package raises plain exceptions on a damaged PDF
        return b""


# Saxon runs one check at a time: the server answers in threads, and the compiled rules are shared.
RULES_LOCK = threading.Lock()


def _blocking_failures(syntax: str, content: bytes) -> list:
    """The project's own e-invoice validator (XSD, EN 16931 and BR-FR rules)."""
    from comptoir.billing.tests.validation import validate_cii, validate_facturx_pdf, validate_ubl

    check = {"Factur-X": validate_facturx_pdf, "UBL": validate_ubl}.get(syntax, validate_cii)
    with RULES_LOCK:
        return [failure for failure in check(content) if failure.blocking]


def _report_type(root) -> str:
    """The FlowType of a flux 10 report: its transactions (10.1 per invoice, 10.3 aggregated)
    or its payments (10.2 per invoice, 10.4 aggregated); both kinds: a MultiFlowReport."""
    kinds = set()
    for report, name in (("TransactionsReport", "Transaction"), ("PaymentsReport", "Payment")):
        for part in root.findall(report):
            if part.find("Invoice") is not None:
                kinds.add(f"UnitaryCustomer{name}Report")
            if part.find("Transactions") is not None or part.find("Invoice") is None:
                kinds.add(f"AggregatedCustomer{name}Report")
    return kinds.pop() if len(kinds) == 1 else "MultiFlowReport"


def flux10_failures(xml: bytes) -> list:
    """What the flux 10 XSD, then the PPF's flux 10 rules, find wrong with a report (blocking
    failures). Read here rather than through Comptoir's own code: the simulator runs without
    Django."""
    from comptoir.billing.tests.validation import Failure, _schematron_failures

    schema = _flux10_schema()
    if not schema.validate(etree.fromstring(xml, SAFE_PARSER)):
        return [
            Failure("XSD", "XSD", "fatal", f"line {error.line}: {error.message}")
            for error in schema.error_log
        ]
    with RULES_LOCK:
        failures = _schematron_failures("FLUX10", FLUX10_RULES, xml)
    return [failure for failure in failures if failure.blocking]


@cache
def _flux10_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(FLUX10_XSD)))


def cdv_failures(xml: bytes) -> list:
    """The French rules of lifecycle messages (BR-FR-CDV) this CDAR breaks, blocking ones."""
    from comptoir.billing.tests.validation import _schematron_failures

    with RULES_LOCK:
        failures = _schematron_failures("BR-FR-CDV", CDV_RULES, xml)
    return [failure for failure in failures if failure.blocking]


def warm_up() -> None:
    """Compile the rules before the first submission needs them (a few seconds)."""
    minimal = (
        '<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:'
        'CrossIndustryInvoice:100" xmlns:ram="urn:un:unece:uncefact:data:standard:'
        'ReusableAggregateBusinessInformationEntity:100"><rsm:ExchangedDocumentContext>'
        "<ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:cen.eu:en16931:2017"
        "</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>"
        "</rsm:ExchangedDocumentContext></rsm:CrossIndustryInvoice>"
    )
    _blocking_failures("CII", minimal.encode())
    cdv_failures(
        cdar_message(Invoice("W", "380", "20260101", "", "", "", ""), 200, datetime.now(UTC))
    )


_SCHEMA = []


def _cdar_schema() -> etree.XMLSchema:
    if not _SCHEMA:
        _SCHEMA.append(etree.XMLSchema(etree.parse(str(CDAR_XSD))))
    return _SCHEMA[0]
