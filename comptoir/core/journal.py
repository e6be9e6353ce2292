"""The hash-chained journal of issued documents: appending and verifying.

Each entry stores the SHA-256 of its document's canonical content and the SHA-256 of
(position, kind, number, content hash, previous entry's hash). Appending happens inside the
transaction that issues the documents, under a lock on the chain's head, so the chain has no
gap and no fork.

The chain alone cannot tell that its last entries were removed, so verifying also compares it
with two counters kept outside the entries table and written in the same transactions: the
head row (the number of entries ever written) and the numbering sequences of the sealed
series (every number issued has its entry, the last one included).
"""

import hashlib
import json
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.utils import timezone

from comptoir.core.bulk import insert_rows
from comptoir.core.models import JournalEntry, Sequence
from comptoir.core.numbering import CHRONOLOGICAL, format_number

GENESIS = "0" * 64
# The key of a sealed content that gives the version of what is sealed (absent: the first).
SEAL_VERSION = "seal"
# The sequence row that locks the chain's head and counts the entries ever written.
HEAD_SERIES = "journal"
# The numbering series whose every number is sealed in the journal.
SEALED_SERIES = CHRONOLOGICAL


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
        series=HEAD_SERIES, year=0, defaults={"prefix": "J"}
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

    def __str__(self) -> str:
        where = f"entry {self.position}" if self.position else "the numbering"
        number = f" ({self.number})" if self.number else ""
        return f"Journal broken at {where}{number}: {self.reason}."


def verify_chain(documents=None, chunk: int = 5000) -> Break | None:
    """The first place where the journal breaks, or None when it holds.

    ``documents(kind, ids)`` may give the current content of sealed documents by id, to check
    that each still says what was sealed."""
    count = 0
    for batch, broken in walk(documents, chunk):
        if broken:
            return broken
        count += len(batch)
    return verify_counters(count)


def walk(documents=None, chunk: int = 5000, upto: int | None = None):
    """The chain in batches of entries, each checked: yields (entries, Break or None) and
    stops after the first break (``upto``: at that position)."""
    previous, expected = GENESIS, 1
    entries = JournalEntry.objects.order_by("position")
    if upto is not None:
        entries = entries.filter(position__lte=upto)
    last = 0
    while True:
        batch = list(entries.filter(position__gt=last)[:chunk])
        if not batch:
            return
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
                yield batch, Break(entry.position, entry.number, broken)
                return
            previous, expected, last = entry.sha256, expected + 1, entry.position
        yield batch, None


def verify_counters(count: int) -> Break | None:
    """Compare an intact chain of ``count`` entries with the head's counter and with the
    numbers issued in the sealed series."""
    written = (
        Sequence.objects.filter(series=HEAD_SERIES, year=0)
        .values_list("last_number", flat=True)
        .first()
    ) or 0
    if written > count:
        return Break(count + 1, "", f"entry {count + 1} is missing: {written} were written")
    if written < count:
        return Break(count, "", f"only {written} entries were written, the journal holds {count}")
    issued = 0
    for sequence in Sequence.objects.filter(series__in=SEALED_SERIES).order_by("series", "year"):
        issued += sequence.last_number
        broken = _check_series(sequence)
        if broken:
            return broken
    if issued != count:
        return Break(0, "", f"{issued} numbers were issued, the journal holds {count} entries")
    return None


def _check_series(sequence: Sequence) -> Break | None:
    """Every number of the series, up to its last, has exactly one entry."""
    start = format_number(sequence.prefix, sequence.year, 0)[:-6]
    numbers = JournalEntry.objects.filter(number__startswith=start)
    found = numbers.aggregate(n=models.Count("number", distinct=True), last=models.Max("number"))
    last = format_number(sequence.prefix, sequence.year, sequence.last_number)
    if found["n"] == sequence.last_number and (found["last"] or last) == last:
        return None
    sealed = set(numbers.values_list("number", flat=True))
    for n in range(1, sequence.last_number + 1):
        number = format_number(sequence.prefix, sequence.year, n)
        if number not in sealed:
            return Break(0, number, "this number was issued but is not in the journal")
    return Break(0, found["last"], "this number is in the journal but was never issued")


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
            return _difference(entry.sealed, json.loads(canonical(now)))
    return ""


def _difference(sealed: dict, now: dict) -> str:
    """What a document says differently from its seal ("" when it still says it all).

    Entries sealed by an earlier version of the seal (a lower "seal" number, none for the
    first) are compared on what they sealed: a field added to the seal is not held against
    them."""
    if sealed.get(SEAL_VERSION, 1) < now.get(SEAL_VERSION, 1):
        now = _as_sealed(now, sealed)
        if SEAL_VERSION in sealed:
            now[SEAL_VERSION] = sealed[SEAL_VERSION]
        if canonical(now) == canonical(sealed):
            return ""
    changed = sorted(key for key in sealed.keys() | now.keys() if sealed.get(key) != now.get(key))
    return f"its document no longer says what was sealed ({', '.join(changed)})"


def _as_sealed(now, sealed):
    """``now`` reduced to the keys ``sealed`` has, at every depth."""
    if isinstance(now, dict) and isinstance(sealed, dict):
        return {key: _as_sealed(now[key], sealed[key]) for key in sealed if key in now}
    if isinstance(now, list) and isinstance(sealed, list) and len(now) == len(sealed):
        return [_as_sealed(a, b) for a, b in zip(now, sealed, strict=True)]
    return now
