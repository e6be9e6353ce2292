"""A client of an approved platform's Flow and Directory Services (AFNOR XP Z12-013), over plain
HTTP(S).

A Bearer token is taken from the token URL (OAuth 2 client credentials), kept until shortly
before it expires, and taken again once when the platform answers 401. Every fault becomes a
``PlatformError`` saying, in French, what happened and whether trying again may help.
"""

import hashlib
import http.client
import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass

from django.utils.translation import gettext as _

from comptoir.einvoicing.errors import EinvoicingError, PlatformError

logger = logging.getLogger(__name__)
TIMEOUT = 30  # seconds, for each request
# (token URL, client id, hash of the secret) → token, expiry
_TOKENS: dict[tuple[str, str, str], tuple[str, float]] = {}
_TOKENS_LOCK = threading.Lock()


@dataclass
class Exchange:
    """One request the client sent and the answer it accepted (for contract tests)."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    status: int
    response_headers: dict[str, str]
    response_body: bytes


class Client:
    def __init__(
        self,
        flow_url: str,
        token_url: str,
        client_id: str,
        secret: str,
        *,
        directory_url: str = "",
        timeout: float = TIMEOUT,
        observe=None,
    ):
        self.flow_url = flow_url.rstrip("/")
        self.directory_url = directory_url.rstrip("/")
        self.token_url = token_url
        self.client_id = client_id
        self._secret = secret
        self.timeout = timeout
        self.observe = observe  # called with each Exchange the client accepts

    def __repr__(self):  # never the secret
        return f"Client({self.flow_url!r}, client_id={self.client_id!r})"

    # operations ----------------------------------------------------------------------------
    def healthcheck(self) -> None:
        self._call("GET", f"{self.flow_url}/v1/healthcheck")
        if self.directory_url:
            self._call("GET", f"{self.directory_url}/v1/healthcheck")

    def submit(self, content: bytes, flow_info: dict, filename: str) -> dict:
        """Submit a flow (multipart ``flowInfo`` + ``file``): the platform's FullFlowInfo."""
        boundary = uuid.uuid4().hex
        quoted = filename.replace('"', "")
        body = b"".join(
            [
                f"--{boundary}\r\n".encode(),
                b'Content-Disposition: form-data; name="flowInfo"\r\n',
                b"Content-Type: application/json\r\n\r\n",
                json.dumps(flow_info).encode(),
                f"\r\n--{boundary}\r\n".encode(),
                f'Content-Disposition: form-data; name="file"; filename="{quoted}"\r\n'.encode(),
                b"Content-Type: application/octet-stream\r\n\r\n",
                content,
                f"\r\n--{boundary}--\r\n".encode(),
            ]
        )
        content_type = f"multipart/form-data; boundary={boundary}"
        return self._json("POST", f"{self.flow_url}/v1/flows", body, content_type)

    def search(self, where: dict, limit: int = 100) -> list[dict]:
        payload = json.dumps({"where": where, "limit": limit}).encode()
        found = self._json("POST", f"{self.flow_url}/v1/flows/search", payload, "application/json")
        return found.get("results", [])

    def flow(self, flow_id: str) -> dict:
        """What the platform says of one flow (its Flow: type, direction, acknowledgement)."""
        return _read_json(self.download(flow_id, "Metadata"))

    def download(self, flow_id: str, doc_type: str = "Original") -> bytes:
        quoted = urllib.parse.quote(flow_id, safe="")
        url = f"{self.flow_url}/v1/flows/{quoted}?docType={doc_type}"
        return self._call("GET", url)[1]

    def company(self, siren: str) -> dict | None:
        """The directory's legal unit of a SIREN, or None when the directory does not know it."""
        status, data = self._call(
            "GET", f"{self.directory_url}/v1/siren/code-insee:{siren}", missing_ok=True
        )
        return None if status == 404 else _read_json(data)

    def directory_lines(self, siren: str, limit: int = 100) -> list[dict]:
        """Where the company of a SIREN receives its invoices: its directory lines (each with
        its addressing identifier, the electronic address BT-49, and its platform)."""
        where = {"filters": {"siren": {"op": "contains", "value": siren}}, "limit": limit}
        payload = json.dumps(where).encode()
        url = f"{self.directory_url}/v1/directory-line/search"
        found = self._json("POST", url, payload, "application/json")
        return [line for line in found.get("results", []) if line.get("siren") == siren]

    # HTTP ----------------------------------------------------------------------------------
    def _json(self, method, url, body, content_type) -> dict:
        _status, data = self._call(method, url, body, content_type)
        return _read_json(data)

    def _call(self, method, url, body=b"", content_type="", *, missing_ok=False):
        """The status and body of the answer; a 404 is an answer when ``missing_ok``."""
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {self._token(renew=attempt == 2)}"}
            if content_type:
                headers["Content-Type"] = content_type
            status, response_headers, data = self._send(method, url, body, headers)
            if status == 401 and attempt == 1:
                continue  # the token may have been revoked early: one new one
            if status >= 400 and not (status == 404 and missing_ok):
                raise _fault(status, response_headers, data)
            if self.observe:
                self.observe(Exchange(method, url, headers, body, status, response_headers, data))
            return status, data
        raise AssertionError("unreachable")

    def _token(self, *, renew: bool = False) -> str:
        key = (self.token_url, self.client_id, hashlib.sha256(self._secret.encode()).hexdigest())
        with _TOKENS_LOCK:
            cached = _TOKENS.get(key)
        if cached and not renew and cached[1] > time.monotonic():
            return cached[0]
        form = urllib.parse.urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self._secret,
            }
        ).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        status, response_headers, data = self._send("POST", self.token_url, form, headers)
        if status in (400, 401):
            raise PlatformError(
                EinvoicingError.UNAUTHORIZED,
                _("The platform refused the client id or the secret: check them in the settings."),
                retryable=False,
            )
        if status >= 400:
            raise _fault(status, response_headers, data)
        try:
            answer = json.loads(data)
            token = answer["access_token"]
            lifetime = float(answer.get("expires_in") or 300)
        except (ValueError, KeyError, TypeError):
            raise _unreadable() from None
        # Taken again a little before it expires, so that no request carries a dying token.
        expiry = time.monotonic() + max(lifetime - min(30, lifetime / 10), 0)
        with _TOKENS_LOCK:
            _TOKENS[key] = (token, expiry)
        return token

    def _send(self, method, url, body, headers) -> tuple[int, dict[str, str], bytes]:
        """One request on a connection kept open for the next ones (a batch of submissions
        makes one TCP connection, not one each); through urllib when a proxy is to be used."""
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or _proxied(parts):
            return self._send_urllib(method, url, body, headers)
        target = parts.path or "/"
        if parts.query:
            target += f"?{parts.query}"
        for attempt in (1, 2):
            connection = _connection(parts.scheme, parts.netloc, self.timeout, fresh=attempt == 2)
            reused = connection.sock is not None
            try:
                connection.request(method, target, body=body or None, headers=headers)
                response = connection.getresponse()
                data = response.read()
            except TimeoutError:
                connection.close()
                raise _timed_out() from None
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as error:
                connection.close()
                if reused and attempt == 1:
                    continue  # the platform closed the idle connection: once on a new one
                raise _unreachable(url, error) from None
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                raise _unreachable(url, error) from None
            return response.status, dict(response.headers.items()), data
        raise AssertionError("unreachable")

    def _send_urllib(self, method, url, body, headers) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(url, data=body or None, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, dict(response.headers.items()), response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, dict(error.headers.items()), error.read()
        except TimeoutError:
            raise _timed_out() from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, TimeoutError):
                raise _timed_out() from None
            raise _unreachable(url, reason) from None


# The connections kept open, per thread: (scheme, host:port, timeout) → connection.
_CONNECTIONS = threading.local()


def _connection(scheme: str, netloc: str, timeout: float, *, fresh: bool = False):
    pool = _CONNECTIONS.__dict__.setdefault("pool", {})
    key = (scheme, netloc, timeout)
    if fresh and key in pool:
        pool.pop(key).close()
    if key not in pool:
        kind = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        pool[key] = kind(netloc, timeout=timeout)
    return pool[key]


def _proxied(parts) -> bool:
    proxies = urllib.request.getproxies()
    return parts.scheme in proxies and not urllib.request.proxy_bypass(parts.hostname or "")


def _timed_out() -> PlatformError:
    return PlatformError(
        EinvoicingError.UNAVAILABLE,
        _("The platform did not answer in time; it will be asked again later."),
        retryable=True,
    )


def _unreachable(url: str, reason) -> PlatformError:
    """Nothing answers at the address: the message names it (a typo in the settings shows);
    the system's reason, in English, goes to the log only."""
    parts = urllib.parse.urlsplit(url)
    logger.warning("The platform at %s cannot be reached: %s", parts.netloc, reason)
    return PlatformError(
        EinvoicingError.UNAVAILABLE,
        _(
            "Nothing answers at %(address)s: check the platform's addresses in the settings; "
            "if they are right, the platform is down and will be asked again later."
        )
        % {"address": f"{parts.scheme}://{parts.netloc}"},
        retryable=True,
    )


def _fault(status: int, headers: dict[str, str], data: bytes) -> PlatformError:
    detail = _detail(data)
    if status == 429:
        retry_after = _retry_after(headers)
        return PlatformError(
            EinvoicingError.TOO_MANY,
            _("The platform receives too many requests; it will be asked again later."),
            retryable=True,
            retry_after=retry_after,
        )
    if status == 401 or status == 403:
        return PlatformError(
            EinvoicingError.UNAUTHORIZED,
            _("The platform refused the access: check the connection settings."),
            retryable=False,
        )
    if status >= 500:
        return PlatformError(
            EinvoicingError.UNAVAILABLE,
            _("The platform is unavailable for the moment; it will be tried again later."),
            retryable=True,
            retry_after=_retry_after(headers),
        )
    if status == 404:
        return PlatformError(
            EinvoicingError.REFUSED,
            _(
                "The platform answered that this address does not exist: check the "
                "platform's addresses in the settings."
            ),
            retryable=False,
        )
    return PlatformError(
        EinvoicingError.REFUSED,
        _("The platform refused the request: %(detail)s") % {"detail": detail}
        if detail
        else _("The platform refused the request."),
        retryable=False,
    )


def _detail(data: bytes) -> str:
    """The platform's own words (the Flow Service's Error or the Directory's problem), without
    its error code; nothing from an answer that is not the platform's (a web page)."""
    try:
        payload = json.loads(data)
    except ValueError:
        logger.warning("The platform answered a fault that is not JSON: %r", data[:200])
        return ""
    if not isinstance(payload, dict):
        return ""
    logger.warning("The platform refused a request: %s", payload)
    return str(payload.get("errorMessage") or payload.get("message") or "")[:500]


def _retry_after(headers: dict[str, str]) -> int | None:
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), "")
    return int(value) if value.strip().isdigit() else None


def _read_json(data: bytes) -> dict:
    try:
        answer = json.loads(data)
    except ValueError:
        raise _unreadable() from None
    if not isinstance(answer, dict):
        raise _unreadable()
    return answer


def _unreadable() -> PlatformError:
    return PlatformError(
        EinvoicingError.UNREADABLE,
        _("The platform's answer could not be read; it will be tried again later."),
        retryable=True,
    )


def forget_tokens() -> None:
    with _TOKENS_LOCK:
        _TOKENS.clear()
