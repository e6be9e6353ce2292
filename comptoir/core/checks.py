"""Settings Comptoir refuses to run with."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

DEVELOPMENT_KEY = (
    "SECRET_KEY is Comptoir's built-in development key, which anyone can read: with DEBUG "
    "off, set the SECRET_KEY environment variable to a long random secret of your own, e.g. "
    "the output of: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
)


def uses_development_key() -> bool:
    return getattr(settings, "COMPTOIR_DEVELOPMENT_SECRET_KEY", None) == settings.SECRET_KEY


def refuse_development_key() -> None:
    """With DEBUG off (production), the application does not start with the development key:
    anyone could forge its sessions and signed links."""
    if not settings.DEBUG and uses_development_key():
        raise ImproperlyConfigured(DEVELOPMENT_KEY)


@register(Tags.security, deploy=True)
def development_key(app_configs, **kwargs):
    """`comptoir check --deploy` fails with the development key, even with DEBUG on."""
    return [Error(DEVELOPMENT_KEY, id="core.E001")] if uses_development_key() else []
