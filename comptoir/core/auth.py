"""API authentication: bearer tokens (stored hashed) or the browser's session.

The token is read once per request, by ``AccessMiddleware`` before it checks permissions:
the request's user is then the token's, and the API sees exactly what that user may.
"""

import datetime as dt

from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from comptoir.core.models import ApiToken

_UNSET = object()
LAST_USED_PRECISION = dt.timedelta(minutes=1)  # what "last used" tells on the tokens page


def bearer_user(request):
    """The active user of the request's valid bearer token (it becomes ``request.user``), or
    None. Expired, revoked and unknown tokens authenticate nobody."""
    cached = getattr(request, "_bearer_user", _UNSET)
    if cached is not _UNSET:
        return cached
    request._bearer_user = None
    scheme, _sep, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return None
    row = (
        ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash(key.strip())).first()
    )
    if row is None or not row.is_usable() or not row.user.is_active:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_PRECISION:
        # a write once a minute at most: every API read would otherwise write too
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    request.user = request._bearer_user = row.user
    return row.user


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        return bearer_user(request)


api_auth = [TokenAuth(), django_auth]
