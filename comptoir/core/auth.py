"""API authentication: bearer tokens (stored hashed) or the browser's session."""

from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from comptoir.core.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        if not token:
            return None
        row = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash(token)).first()
        if row is None or not row.is_usable() or not row.user.is_active:
            return None
        request.user = row.user
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        return row.user


api_auth = [TokenAuth(), django_auth]
