"""The company's Ed25519 key, kept in a file outside the database (COMPTOIR_SIGNING_KEY).

Whoever can write the database can re-hash the whole journal; without this key they cannot sign
a closing for the re-hashed chain. The database keeps only the public key, with each closing.
"""

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils.translation import gettext as _

from comptoir.closings.errors import ClosingError
from comptoir.core.errors import BusinessError


def key_path() -> Path:
    return Path(settings.COMPTOIR_SIGNING_KEY)


def create_key(path: Path | None = None) -> Ed25519PrivateKey:
    """A new key, written to a file that only its owner can read; never over an existing one."""
    path = path or key_path()
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BusinessError(
            ClosingError.KEY_EXISTS,
            _("A signing key already exists in %(path)s: it is kept, never replaced.")
            % {"path": path},
        ) from None
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    return key


def load_key() -> Ed25519PrivateKey:
    path = key_path()
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise BusinessError(
            ClosingError.NO_KEY,
            _("No signing key in %(path)s: create it with “comptoir journal keygen”.")
            % {"path": path},
        ) from None
    except (ValueError, TypeError, OSError):
        raise BusinessError(
            ClosingError.BAD_KEY, _("%(path)s is not a signing key.") % {"path": path}
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise BusinessError(
            ClosingError.BAD_KEY, _("%(path)s is not an Ed25519 key.") % {"path": path}
        )
    return key


def own_public_key() -> str | None:
    """The public half of the key file, when this machine has it."""
    try:
        return public_text(load_key())
    except BusinessError:
        return None


def public_text(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def fingerprint(public_key: str) -> str:
    """A short form to compare keys by eye: the first 16 hex digits of its SHA-256."""
    digest = hashlib.sha256(public_key.encode()).hexdigest()[:16]
    return ":".join(digest[i : i + 4] for i in range(0, 16, 4))


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    return base64.b64encode(key.sign(message)).decode()


def is_signed(public_key: str, message: bytes, signature: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True)).verify(
            base64.b64decode(signature, validate=True), message
        )
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
