"""The hash-chained journal of issued documents: appending and verifying.

Each entry stores the SHA-256 of its document's canonical content and the SHA-256 of
(position, kind, number, content hash, previous entry's hash). Appending happens inside the
transaction that issues the documents, under a lock on the chain's head, so the chain has no
gap and no fork.
"""

import hashlib
import json
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from comptoir.core.bulk import insert_rows
from comptoir.core.models import JournalEntry, Sequence

GENESIS = "0" * 64


def canonical(content: dict) -> bytes:
    """One byte string per content: sorted keys, no spaces, numbers as text."""
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode()


def content_hash(content: dict) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()


def entry_hash(position: int, kind: str, number: str, content_sha256: str, previous: str) -> str:
    sealed = f"{position}|{kind}|{number}|{content_sha256}|{previous}"
    return hashlib.sha256(sealed.encode()).hexdigest()


ENTRY_FIELDS = [
    "position",
    "kind",
    "document_id",
    "number",
    "content",
    "content_sha256",
    "previous_sha256",
    "sha256",
    "created_at",
]


def append(documents: list[tuple[str, int, str, dict]]) -> None:
    """Seal (kind, document id, number, content) in the chain, in this order."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("The journal is written inside the transaction that issues.")
    if not documents:
        return
    # What each document states is sealed first, while the chain's head is not yet locked.
    texts = [canonical(content) for _kind, _id, _number, content in documents]
    head, _created = Sequence.objects.get_or_create(
        series="journal", year=0, defaults={"prefix": "J"}
    )
    head = Sequence.objects.select_for_update().get(pk=head.pk)
    last = JournalEntry.objects.filter(position=head.last_number).first()
    previous = last.sha256 if last else GENESIS
    now = JournalEntry._meta.get_field("created_at").get_db_prep_save(timezone.now(), connection)
    rows = []
    position = head.last_number
    for (kind, document_id, number, _content), text in zip(documents, texts, strict=True):
        position += 1
        sealed = hashlib.sha256(text).hexdigest()
        digest = entry_hash(position, kind, number, sealed, previous)
        # The content is stored as the very text that was hashed.
        rows.append(
            (position, kind, document_id, number, text.decode(), sealed, previous, digest, now)
        )
        previous = digest
    head.last_number = position
    head.save(update_fields=["last_number"])
    insert_rows(JournalEntry, ENTRY_FIELDS, rows)


@dataclass
class Break:
    position: int
    number: str
    reason: str


def verify_chain(documents=None, chunk: int = 5000) -> Break | None:
    """The first entry where the chain breaks, or None when it holds.

    ``documents(kind, ids)`` may give the current content of sealed documents by id, to check
    that each still says what was sealed."""
    previous, expected = GENESIS, 1
    entries = JournalEntry.objects.order_by("position")
    last = 0
    while True:
        batch = list(entries.filter(position__gt=last)[:chunk])
        if not batch:
            return None
        current = {}
        if documents is not None:
            kinds: dict[str, list[int]] = {}
            for entry in batch:
                kinds.setdefault(entry.kind, []).append(entry.document_id)
            for kind, ids in kinds.items():
                current[kind] = documents(kind, ids)
        for entry in batch:
            broken = _check(entry, expected, previous, current)
            if broken:
                return Break(entry.position, entry.number, broken)
            previous, expected, last = entry.sha256, expected + 1, entry.position


def _check(entry: JournalEntry, expected: int, previous: str, current: dict) -> str:
    if entry.position != expected:
        return f"entry {expected} is missing"
    if entry.previous_sha256 != previous:
        return "it does not follow the entry before it"
    if hashlib.sha256(entry.content.encode()).hexdigest() != entry.content_sha256:
        return "its sealed content was changed"
    digest = entry_hash(
        entry.position, entry.kind, entry.number, entry.content_sha256, entry.previous_sha256
    )
    if digest != entry.sha256:
        return "its seal does not match"
    if entry.kind in current:
        now = current[entry.kind].get(entry.document_id)
        if now is None:
            return "its document is gone"
        if content_hash(now) != entry.content_sha256:
            return "its document no longer says what was sealed"
    return ""
