"""The platform's client secret, encrypted (Fernet: AES-128-CBC and HMAC-SHA256) with a key kept
in a file outside the database (COMPTOIR_PLATFORM_KEY, by default ``var/platform-key``).

A copy of the database alone never gives the secret away. The key file is made, readable by its
owner only, the first time a secret is saved; if it is lost, the secret must be typed again.
"""

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.utils.translation import gettext as _

from comptoir.einvoicing.errors import ConnectionSettingsError, EinvoicingError


def key_path() -> Path:
    return Path(settings.COMPTOIR_PLATFORM_KEY)


def _key(*, create: bool) -> bytes | None:
    path = key_path()
    if not path.exists():
        if not create:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # made at the same moment by another process
            return path.read_bytes().strip()
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(Fernet.generate_key())
    return path.read_bytes().strip()


def encrypt(secret: str) -> str:
    return Fernet(_key(create=True)).encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    key = _key(create=False)
    try:
        if key is None:
            raise InvalidToken
        return Fernet(key).decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        raise ConnectionSettingsError(
            EinvoicingError.SECRET_UNREADABLE,
            _(
                "The platform's client secret can no longer be read (its key file %(path)s is "
                "missing or was changed): type the secret again in Settings → Approved platform."
            )
            % {"path": key_path()},
            "secret",
        ) from None
