"""Validation of the simulator's requests and responses against the official OpenAPI files.

The only liberty taken with the files: their ``servers`` name a production host
(``https://{sub-domain}.{domain}/flow-service``); the simulator serves each service under the same
path prefix on its own host, so ``servers`` is read as that prefix alone.
"""

import json
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from urllib.parse import parse_qsl

# openapi-core (a development dependency) is imported only to validate: the demo's simulator
# runs without it, its validation switched off.

REFERENCE = Path(__file__).parents[1] / "einvoicing" / "reference" / "afnor-xp-z12-013-1.1.0"
SERVICES = {
    "/flow-service": "afnor-flow-service-1.1.0.json",
    "/directory-service": "afnor-directory-service-1.1.0.json",
}


class Drift(Exception):
    """A request or a response that the OpenAPI file does not allow."""


@dataclass
class Request:
    """An HTTP request as the simulator received it (or as a test builds it)."""

    method: str
    path: str  # with the service prefix, without the query
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    host_url: str = "http://pasim"

    def __post_init__(self):
        self.method = self.method.lower()

    def header(self, name: str) -> str:
        return _header(self.headers, name)

    def query_value(self, name: str, default: str = "") -> str:
        return next(
            (v for k, v in parse_qsl(self.query, keep_blank_values=True) if k == name), default
        )

    @cached_property
    def parameters(self):
        """The request's query and headers as openapi-core reads them."""
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict

        return RequestParameters(
            query=ImmutableMultiDict(parse_qsl(self.query, keep_blank_values=True)),
            header=Headers(self.headers),
        )

    @property
    def content_type(self) -> str:
        value = _header(self.headers, "Content-Type") or "application/octet-stream"
        mimetype, _, parameters = value.partition(";")  # a boundary keeps its case
        return mimetype.strip().lower() + (f";{parameters}" if parameters else "")


@dataclass
class Response:
    """An HTTP response the simulator is about to send."""

    status_code: int
    data: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    # An answer of the simulator's own layers (token check, faults) rather than of an
    # operation: the OpenAPI files leave some of these statuses undeclared (a 401 or a 429 on
    # the healthcheck), so for these only an undeclared status is not taken as a drift.
    generic: bool = False

    @property
    def content_type(self) -> str:
        return _header(self.headers, "Content-Type") or "application/octet-stream"

    @classmethod
    def json(cls, status: int, payload, content_type: str = "application/json", **headers):
        body = json.dumps(payload, ensure_ascii=False).encode()
        return cls(status, body, {"Content-Type": content_type, **headers})


def service_of(path: str) -> str | None:
    """The prefix of the service a path belongs to, or None."""
    return next((prefix for prefix in SERVICES if path.startswith(prefix + "/")), None)


@cache
def openapi(prefix: str):
    from openapi_core import OpenAPI

    spec = json.loads((REFERENCE / SERVICES[prefix]).read_text())
    spec["servers"] = [{"url": prefix}]
    return OpenAPI.from_dict(spec)


def check_request(request: Request) -> None:
    """Raise Drift when the request is not one the service's OpenAPI file allows."""
    prefix = service_of(request.path)
    if prefix is None:
        raise Drift(f"no service at {request.path}")
    _raise_errors(openapi(prefix).unmarshal_request(request).errors)


def check_response(request: Request, response: Response) -> None:
    """Raise Drift when the response is not one the OpenAPI file allows for this request."""
    prefix = service_of(request.path)
    if prefix is None:
        raise Drift(f"no service at {request.path}")
    errors = openapi(prefix).unmarshal_response(request, response).errors
    if response.generic:
        from openapi_core.templating.responses.exceptions import ResponseNotFound

        errors = [e for e in errors if not isinstance(e, ResponseNotFound)]
    _raise_errors(errors)


def _raise_errors(errors) -> None:
    if errors:
        raise Drift("; ".join(_describe(error) for error in errors))


def _describe(error: Exception) -> str:
    """One line: what is wrong, and where in the document (from jsonschema's errors)."""
    for candidate in (error, getattr(error, "__cause__", None)):
        schema_errors = getattr(candidate, "schema_errors", ())
        if schema_errors:
            found = "; ".join(f"{e.json_path}: {e.message}" for e in schema_errors)
            return f"{type(candidate).__name__}: {found}"
    cause = getattr(error, "__cause__", None)
    return f"{error}" + (f" ({cause})" if cause else "")


def _header(headers: dict[str, str], name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), "")


@cache
def _callback_validator():
    from jsonschema import Draft202012Validator

    spec = json.loads((REFERENCE / SERVICES["/flow-service"]).read_text())
    schema = {"$ref": "#/components/schemas/WebhookCallbackContent", **spec}
    return Draft202012Validator(schema)


def check_callback(payload: dict) -> None:
    """Raise Drift when a webhook call's body is not the Flow Service's
    WebhookCallbackContent."""
    errors = sorted(_callback_validator().iter_errors(payload), key=lambda e: e.json_path)
    if errors:
        raise Drift("; ".join(f"{e.json_path}: {e.message}" for e in errors))
