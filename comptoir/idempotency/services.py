"""Idempotency keys of the REST API: a POST sent again with the same ``Idempotency-Key`` gets
the first answer back instead of doing the work twice.

The key is claimed by inserting its row (unique per user) in a transaction of its own, before
the work starts: of two requests racing with one key, one inserts, the other finds the row.
While the first is under way the second waits for its answer (polling, at most ``WAIT``
seconds), then gets 409 ``idempotency.in_progress``. The same key with another method, path or
body is refused (422 ``idempotency.key_reused``). Keys live a day; older ones are purged when
a key is claimed. An answer is kept unless it says the work was not done: a server error, or
a refusal to authenticate (401, 403, 429); then the row goes and the key may be sent again.
"""

import hashlib
import time
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.errors import BusinessError
from comptoir.idempotency.models import IdempotentRequest

HEADER = "Idempotency-Key"
EXPIRY = timedelta(days=1)
WAIT = 10.0  # seconds a retry waits for the first request's answer
POLL = 0.05
ABANDONED = timedelta(minutes=10)  # a request under way this long died with its process
NOT_DONE = {401, 403, 429}
MAX_KEY = 255


class IdempotencyError(BusinessError):
    INVALID_KEY = "idempotency.invalid_key"
    KEY_REUSED = "idempotency.key_reused"
    IN_PROGRESS = "idempotency.in_progress"

    def __init__(self, code: str, message: str, status_code: int):
        super().__init__(code, message, field=HEADER)
        self.status_code = status_code

    def as_dict(self) -> dict:
        data = super().as_dict()
        if self.status_code == 422:  # the shape of the API's other 422 answers
            data["errors"] = [{"loc": ["header", HEADER], "msg": self.message}]
        return data


def check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise IdempotencyError(
            IdempotencyError.INVALID_KEY,
            _("The Idempotency-Key header must hold 1 to %(max)s printable characters.")
            % {"max": MAX_KEY},
            400,
        )
    return key


def body_sha256(request) -> str:
    """The SHA-256 of what the request sends: its raw body, or for a form with files its
    fields and files (read from where Django parsed them, not kept in memory)."""
    digest = hashlib.sha256()
    if request.content_type == "multipart/form-data":
        for name, values in sorted(request.POST.lists()):
            for value in values:
                digest.update(f"field\0{name}\0{value}\0".encode())
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                digest.update(f"file\0{name}\0{upload.name}\0".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def claim(user, key: str, method: str, path: str, digest: str, *, wait: float = WAIT):
    """``(row, True)`` when this request holds the key and does the work, ``(row, False)``
    when the key's answer is ready to be sent again."""
    deadline = time.monotonic() + wait
    while True:
        now = timezone.now()
        try:
            with transaction.atomic():
                IdempotentRequest.objects.filter(created_at__lt=now - EXPIRY).delete()
                IdempotentRequest.objects.filter(
                    user=user, key=key, status=None, created_at__lt=now - ABANDONED
                ).delete()
                row = IdempotentRequest.objects.create(
                    user=user, key=key, method=method, path=path, body_sha256=digest
                )
                return row, True
        except IntegrityError:
            pass
        row = IdempotentRequest.objects.filter(user=user, key=key).first()
        if row is None:
            continue  # purged meanwhile: claim it again
        if (row.method, row.path, row.body_sha256) != (method, path, digest):
            raise IdempotencyError(
                IdempotencyError.KEY_REUSED,
                _(
                    "This Idempotency-Key was already used for another request; "
                    "use a new key for a new request."
                ),
                422,
            )
        if row.status is not None:
            return row, False
        if time.monotonic() >= deadline:
            raise IdempotencyError(
                IdempotencyError.IN_PROGRESS,
                _("A request with this Idempotency-Key is still under way; try again shortly."),
                409,
            )
        time.sleep(POLL)


def finish(row: IdempotentRequest, response) -> None:
    """Keep the answer of the claimed request, or let the key go when the work was not done."""
    if response is None or response.streaming or not_done(response.status_code):
        row.delete()
    else:
        row.status = response.status_code
        row.content_type = response.get("Content-Type", "")
        row.body = response.content
        row.save(update_fields=["status", "content_type", "body"])


def not_done(status: int) -> bool:
    return status >= 500 or status in NOT_DONE


def purge_expired() -> int:
    return IdempotentRequest.objects.filter(created_at__lt=timezone.now() - EXPIRY).delete()[0]
