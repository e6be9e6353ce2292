"""The language of each request: French unless the user chose another one."""

from django.conf import settings
from django.utils import translation


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
