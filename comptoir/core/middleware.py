"""The language of each request, the pages' security policy, and requests refused at the door."""

import json
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import formats, translation
from django.utils.translation import gettext as _


class LanguageMiddleware:
    """Pages are French by default, whatever the browser says, until the user picks another
    language (a cookie). API clients choose theirs with Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            code = translation.get_language_from_request(request)
        else:
            code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if code not in self.languages:
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = code
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", code)
        return response


class ContentSecurityPolicyMiddleware:
    """Pages may run only the scripts and styles Comptoir serves itself: no inline script or
    style, no other origin, no framing. An injected ``<script>`` or ``onclick`` does not run
    even if a page ever failed to escape it.

    The API's documentation page (Swagger UI) and the admin set styles inline: they keep the
    same script policy and may use inline styles.
    """

    POLICY = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    INLINE_STYLES = ("/api/docs", "/admin/")

    def __init__(self, get_response):
        self.get_response = get_response
        self.strict = self._header(self.POLICY)
        self.relaxed = self._header({**self.POLICY, "style-src": "'self' 'unsafe-inline'"})

    @staticmethod
    def _header(policy: dict) -> str:
        return "; ".join(f"{name} {value}" for name, value in policy.items())

    def __call__(self, request):
        response = self.get_response(request)
        relaxed = request.path_info.startswith(self.INLINE_STYLES)
        response.headers.setdefault(
            "Content-Security-Policy", self.relaxed if relaxed else self.strict
        )
        return response


class HostileInputMiddleware:
    """Requests no one sends by typing are refused before any view runs, with a clear 4xx:
    a body over the size Django reads (413), and a control character (NUL and the other
    invisible codes under 32 but tab and line ends) in a query parameter or in a body's text:
    PostgreSQL refuses NUL in text, and an e-invoice (XML) cannot hold any of them. The API
    answers JSON ``{"code", "message", "field"}``; pages say it in words on a short page.

    A file's content is not text here: uploads are read by the import, which has its own rules.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            field = _nul_field(request)
        except RequestDataTooBig:
            limit = round(settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1e6, 1)
            message = _("The request is too large: at most %(size)s MB are accepted.") % {
                "size": formats.number_format(limit, 1, use_l10n=True)
            }
            return _refuse(request, 413, "request.too_large", message, None)
        except SuspiciousOperation:  # too many fields or files
            return _refuse(request, 400, "request.malformed", _("The request is malformed."), None)
        if field is not None:
            message = _(
                "The text contains an invisible control character (such as NUL, code 0), which "
                "is not allowed. Type it again without it."
            )
            return _refuse(request, 422 if _is_api(request) else 400, NUL_CODE, message, field)
        return self.get_response(request)


NUL_CODE = "invalid_character"
FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


# The characters no text may hold: those under 32 but tab, line feed and carriage return.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# The same in a JSON body, raw or written as an escape (\u0001).
CONTROL_IN_JSON = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\\u00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F])")


def _nul_field(request) -> str | None:
    """The name of the first parameter or body field holding a control character, if any."""
    for name, values in request.GET.lists():
        if CONTROL.search(name) or any(CONTROL.search(value) for value in values):
            return CONTROL.sub("", name)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    if request.content_type not in FORMS:  # the API reads any other body as JSON
        if not CONTROL_IN_JSON.search(request.body):
            return None
        try:
            return _nul_path(json.loads(request.body))
        except ValueError:  # not JSON (the API says so), or a raw control byte
            return "" if CONTROL.search(request.body.decode("latin-1")) else None
    for name, values in request.POST.lists():
        if CONTROL.search(name) or any(CONTROL.search(value) for value in values):
            return CONTROL.sub("", name)
    return None


def _nul_path(data, path: tuple = ()) -> str | None:
    """The dotted path of the first text holding a control character in a JSON document."""
    if isinstance(data, str):
        return ".".join(path) if CONTROL.search(data) else None
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    for key, value in items:
        if CONTROL.search(str(key)):
            return ".".join([*path, CONTROL.sub("", str(key))])
        found = _nul_path(value, (*path, str(key)))
        if found is not None:
            return found
    return None


def _refuse(request, status: int, code: str, message: str, field: str | None):
    if _is_api(request):
        body = {"code": code, "message": str(message)}
        if field:
            body["field"] = field
        if status == 422:  # the API's shape of every 422 (ValidationErrorOut)
            body["errors"] = [{"loc": (field or "").split("."), "msg": str(message)}]
        return JsonResponse(body, status=status)
    return render(request, "core/refused.html", {"message": message}, status=status)
