"""``Idempotency-Key`` on every POST of the REST API (see services)."""

from django.http import HttpResponse, JsonResponse

from comptoir.idempotency import services

REPLAYED = "Idempotent-Replayed"


class IdempotencyMiddleware:
    """Placed after ``AccessMiddleware``: its ``process_view`` has made the token's user the
    request's user and refused who may not, before the key is claimed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = None
        try:
            response = self.get_response(request)
            return response
        finally:
            row = getattr(request, "_idempotent_row", None)
            if row is not None:
                services.finish(row, response)

    def process_view(self, request, view_func, view_args, view_kwargs):
        key = request.headers.get(services.HEADER)
        if (
            key is None
            or request.method != "POST"
            or request.resolver_match.namespace != "api"
            or not request.user.is_authenticated
        ):
            return None
        try:
            row, mine = services.claim(
                request.user,
                services.check_key(key),
                request.method,
                request.get_full_path(),
                services.body_sha256(request),
            )
        except services.IdempotencyError as error:
            return JsonResponse(error.as_dict(), status=error.status_code)
        if mine:
            request._idempotent_row = row
            return None
        replay = HttpResponse(bytes(row.body), status=row.status, content_type=row.content_type)
        replay[REPLAYED] = "true"
        return replay
