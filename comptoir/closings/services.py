"""Closings of the journal: a day, a month or a year closed with its totals and the chain's head,
signed with the company's key, exported as a file the company keeps; and their verification.

The journal's chain proves that nothing was changed since an entry was written, as long as no
one re-hashes it all. A closing anchors the chain outside the database: its signature can only
be made with the key kept outside, and its file is kept elsewhere, so a re-hashed or shortened
chain no longer matches the closings signed before (art. 286, I-3° bis du CGI: inalterability,
security, keeping and archiving of the data, with periodic closings).
"""

import hashlib
import json
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from comptoir.billing.models import Invoice
from comptoir.billing.sealing import current_contents
from comptoir.closings import signing
from comptoir.closings.errors import ClosingError
from comptoir.closings.models import Closing
from comptoir.core.errors import BusinessError
from comptoir.core.journal import GENESIS, HEAD_SERIES, Break, canonical, verify_counters, walk
from comptoir.core.models import Company, JournalEntry, Sequence

FORMAT = "comptoir-closing-1"
Period = Closing.Period


# Periods and totals -------------------------------------------------------------------------------


def bounds(period: str, day: date) -> tuple[date, date]:
    """The first and last day of the period that holds ``day``."""
    if period == Period.DAY:
        return day, day
    if period == Period.MONTH:
        return day.replace(day=1), day.replace(day=monthrange(day.year, day.month)[1])
    return date(day.year, 1, 1), date(day.year, 12, 31)


def last_ended(period: str, today: date) -> date:
    """A day of the last period of this kind that is over."""
    if period == Period.DAY:
        return today - timedelta(days=1)
    if period == Period.MONTH:
        return today.replace(day=1) - timedelta(days=1)
    return date(today.year - 1, 12, 31)


@dataclass
class Totals:
    count: int = 0
    net: Decimal = Decimal("0.00")
    vat: Decimal = Decimal("0.00")
    gross: Decimal = Decimal("0.00")

    def add(self, other: "Totals") -> None:
        self.count += other.count
        self.net += other.net
        self.vat += other.vat
        self.gross += other.gross

    def as_json(self) -> dict:
        return {
            "count": self.count,
            "net": f"{self.net:.2f}",
            "vat": f"{self.vat:.2f}",
            "gross": f"{self.gross:.2f}",
        }


@dataclass
class Tally:
    """The totals of the sealed documents per date, read from the journal in chain order (what
    was sealed, not what the tables say now). A credit note counts negative."""

    days: dict[date, Totals] = field(default_factory=dict)

    def add(self, entry: JournalEntry) -> None:
        sealed = json.loads(entry.content)
        sign = -1 if entry.kind == Invoice.Kind.CREDIT_NOTE else 1
        amounts = sealed["totals"]
        self.days.setdefault(date.fromisoformat(sealed["date"]), Totals()).add(
            Totals(
                1,
                sign * Decimal(amounts["net"]),
                sign * Decimal(amounts["vat"]),
                sign * Decimal(amounts["gross"]),
            )
        )

    def between(self, start: date | None, end: date) -> Totals:
        result = Totals()
        for day, totals in self.days.items():
            if (start is None or start <= day) and day <= end:
                result.add(totals)
        return result


def _tally(upto: int) -> Tally:
    """The totals of the chain's first ``upto`` entries, once each entry and its document are
    checked; refuses a broken chain (a closing never signs one)."""
    tally, count = Tally(), 0
    for batch, broken in walk(current_contents, upto=upto):
        if broken:
            raise _journal_broken()
        for entry in batch:
            tally.add(entry)
        count += len(batch)
    if count != upto:
        raise _journal_broken()
    return tally


def _journal_broken() -> BusinessError:
    return BusinessError(
        ClosingError.JOURNAL_BROKEN,
        _(
            "The journal is broken: no closing is signed until it is repaired; "
            "“comptoir journal verify” says where."
        ),
    )


# The signed document ------------------------------------------------------------------------------


def document(closing: Closing) -> dict:
    """What a closing states, as signed and as exported."""

    def totals(prefix: str, count: int) -> dict:
        return Totals(
            count,
            *(Decimal(getattr(closing, f"{prefix}_{name}")) for name in ("net", "vat", "gross")),
        ).as_json()

    return {
        "format": FORMAT,
        "company": closing.company,
        "period": closing.period,
        "start": closing.start.isoformat(),
        "end": closing.end.isoformat(),
        "journal": {"position": closing.position, "head_sha256": closing.head_sha256},
        "totals": totals("total", closing.count),
        "grand_totals": totals("grand", closing.grand_count),
        "previous_sha256": closing.previous_sha256,
        "closed_at": closing.closed_at.astimezone(UTC).isoformat(),
    }


def export(closing: Closing) -> bytes:
    """The closing as a file: what it states, its signature and the key that checks it."""
    data = {
        "closing": document(closing),
        "public_key": closing.public_key,
        "signature": closing.signature,
    }
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


def file_name(closing: Closing) -> str:
    return f"cloture-{closing.period}-{closing.start.isoformat()}.json"


# Closing ------------------------------------------------------------------------------------------


def close_period(period: str, day: date, *, today: date | None = None) -> Closing:
    """Close the period (day, month, year) that holds ``day``, once it is over."""
    start, end = bounds(period, day)
    today = today or timezone.localdate()
    if end >= today:
        raise BusinessError(
            ClosingError.NOT_OVER,
            _("This period ends on %(end)s: it can be closed from the next day.")
            % {"end": formats.date_format(end, "SHORT_DATE_FORMAT")},
            "date",
        )
    if Closing.objects.filter(period=period, start=start).exists():
        raise _already_closed(start, end)
    key = signing.load_key()
    # The head is read first, then the chain up to it checked outside any transaction:
    # issuing goes on meanwhile, after the head.
    position = (
        Sequence.objects.filter(series=HEAD_SERIES, year=0)
        .values_list("last_number", flat=True)
        .first()
    ) or 0
    head = JournalEntry.objects.filter(position=position).values_list("sha256", flat=True).first()
    tally = _tally(position)
    company = Company.get()
    closing = Closing(
        period=period,
        start=start,
        end=end,
        company=f"{company.legal_name} {company.siren}".strip(),
        position=position,
        head_sha256=head or GENESIS,
        closed_at=timezone.now().replace(microsecond=0),
        public_key=signing.public_text(key),
    )
    _set_totals(closing, tally)
    try:
        with transaction.atomic():
            before = Closing.objects.select_for_update().order_by("-id").first()
            closing.previous_sha256 = _digest(before) if before else GENESIS
            closing.signature = signing.sign(key, canonical(document(closing)))
            closing.save()
    except IntegrityError:  # closed meanwhile
        raise _already_closed(start, end) from None
    if settings.COMPTOIR_CLOSING_EMAIL:
        transaction.on_commit(lambda: _send(closing))
    return closing


def _set_totals(closing: Closing, tally: Tally) -> None:
    totals = tally.between(closing.start, closing.end)
    grand = tally.between(None, closing.end)
    closing.count, closing.total_net = totals.count, totals.net
    closing.total_vat, closing.total_gross = totals.vat, totals.gross
    closing.grand_count, closing.grand_net = grand.count, grand.net
    closing.grand_vat, closing.grand_gross = grand.vat, grand.gross


def _digest(closing: Closing) -> str:
    return hashlib.sha256(closing.signature.encode()).hexdigest()


def _already_closed(start: date, end: date) -> BusinessError:
    return _period_error(
        ClosingError.ALREADY_CLOSED,
        _("The day %(day)s is already closed."),
        _("The period from %(start)s to %(end)s is already closed."),
        start,
        end,
    )


def _period_error(code, one_day, several_days, start: date, end: date) -> BusinessError:
    """A closing's error naming its period: « le 06/12/2026 », or « du … au … »."""
    day, last = (formats.date_format(d, "SHORT_DATE_FORMAT") for d in (start, end))
    message = one_day % {"day": day} if start == end else several_days % {"start": day, "end": last}
    return BusinessError(code, message, "date")


def close_due_periods(today: date | None = None) -> list[Closing]:
    """Close the last day, month and year that are over and not closed yet (the schedule)."""
    today = today or timezone.localdate()
    closed = []
    for period in Period.values:
        start, _end = bounds(period, last_ended(period, today))
        if not Closing.objects.filter(period=period, start=start).exists():
            closed.append(close_period(period, start, today=today))
    return closed


def _send(closing: Closing) -> None:
    """The closing's file, e-mailed to the company itself (COMPTOIR_CLOSING_EMAIL) to keep it
    away from the database; a failure leaves the closing made (it can be exported again)."""
    import logging

    message = EmailMessage(
        subject=_("Closing of the journal: %(name)s") % {"name": file_name(closing)},
        body=_("The signed closing of the journal is attached: keep it."),
        to=[settings.COMPTOIR_CLOSING_EMAIL],
    )
    message.attach(file_name(closing), export(closing), "application/json")
    try:
        message.send()
    except OSError:
        logging.getLogger(__name__).exception("The closing %s was not e-mailed", closing)


# Verifying ----------------------------------------------------------------------------------------


@dataclass
class Verification:
    entries: int = 0
    closings: int = 0
    broken: Break | None = None
    problems: list[str] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)

    @property
    def intact(self) -> bool:
        return self.broken is None and not self.problems


def verify_journal() -> Verification:
    """The chain, its counters, and every closing: signed by the company's key, chained to the
    closing before, and stating the head and totals the chain has at its position."""
    result = Verification()
    closings = list(Closing.objects.order_by("position", "id"))
    result.closings = len(closings)
    _check_signatures(closings, result)
    waiting = iter(closings)
    pending = next(waiting, None)
    tally, head = Tally(), GENESIS
    while pending is not None and pending.position == 0:
        _check_against_chain(pending, head, tally, result)
        pending = next(waiting, None)
    for batch, broken in walk(current_contents):
        if broken:
            result.broken = broken
            return result
        for entry in batch:
            tally.add(entry)
            head = entry.sha256
            while pending is not None and pending.position == entry.position:
                _check_against_chain(pending, head, tally, result)
                pending = next(waiting, None)
        result.entries += len(batch)
    result.broken = verify_counters(result.entries)
    for closing in [pending, *waiting] if pending else []:
        result.problems.append(
            f"closing {_name(closing)} saw {closing.position} entries; "
            f"the journal holds {result.entries}"
        )
    return result


def _name(closing: Closing) -> str:
    return f"{closing.period} {closing.start.isoformat()}"


def _check_signatures(closings: list[Closing], result: Verification) -> None:
    """Each closing's signature, and its link to the one before. A closing signed with
    another key than the company's is accepted only before the last one signed with the
    company's key (a key replaced): that one signs the link to it, and so on back."""
    own = signing.own_public_key()
    in_order = sorted(closings, key=lambda c: c.pk)
    vouched = max((i for i, c in enumerate(in_order) if c.public_key == own), default=-1)
    previous = GENESIS
    for index, closing in enumerate(in_order):
        result.keys.add(closing.public_key)
        if not signing.is_signed(
            closing.public_key, canonical(document(closing)), closing.signature
        ):
            result.problems.append(f"closing {_name(closing)}: its signature does not match")
        elif own and index > vouched and closing.public_key != own:
            result.problems.append(
                f"closing {_name(closing)}: signed with key "
                f"{signing.fingerprint(closing.public_key)}, not with the company's key "
                f"{signing.fingerprint(own)}"
            )
        if closing.previous_sha256 != previous:
            result.problems.append(
                f"closing {_name(closing)}: the closing before it is missing or was changed"
            )
        previous = _digest(closing)


def _check_against_chain(closing: Closing, head: str, tally: Tally, result: Verification):
    problem = _mismatch(document(closing), head, tally)
    if problem:
        result.problems.append(f"closing {_name(closing)}: {problem}")


def _mismatch(stated: dict, head: str, tally: Tally) -> str:
    """How a closing's document differs from the chain at its position ("" when it agrees)."""
    if stated["journal"]["head_sha256"] != head:
        return (
            f"the journal's entry {stated['journal']['position']} is no longer the one it "
            "signed (the chain was rewritten)"
        )
    start, end = date.fromisoformat(stated["start"]), date.fromisoformat(stated["end"])
    if (
        tally.between(start, end).as_json() != stated["totals"]
        or tally.between(None, end).as_json() != stated["grand_totals"]
    ):
        return "its totals are not those of the journal"
    return ""


def verify_file(content: bytes) -> tuple[Verification, dict]:
    """An exported closing checked against the database: its own signature, the company's
    key, the closing stored, and the chain at its position. The file is kept outside the
    database: a re-hashed chain, or a closing rewritten in the database, no longer matches it."""
    try:
        data = json.loads(content)
        stated = data["closing"]
        public_key, signature = str(data["public_key"]), str(data["signature"])
        period, start = stated["period"], date.fromisoformat(stated["start"])
        position = int(stated["journal"]["position"])
        date.fromisoformat(stated["end"]), str(stated["journal"]["head_sha256"])
        if (
            stated.get("format") != FORMAT
            or period not in Period.values
            or not all(isinstance(stated[key], dict) for key in ("totals", "grand_totals"))
        ):
            raise ValueError
    except (ValueError, KeyError, TypeError, AttributeError):
        raise BusinessError(
            ClosingError.BAD_FILE, _("This file is not a closing of the journal.")
        ) from None
    result = Verification(closings=1, keys={public_key})
    if not signing.is_signed(public_key, canonical(stated), signature):
        result.problems.append("the file's signature does not match what it states")
    own = signing.own_public_key()
    if own and public_key != own:
        result.problems.append(
            f"the file is signed with key {signing.fingerprint(public_key)}, not with the "
            f"company's key {signing.fingerprint(own)}"
        )
    stored = Closing.objects.filter(period=period, start=start).first()
    if stored is None:
        result.problems.append("the database has no such closing")
    elif document(stored) != stated or stored.signature != signature:
        result.problems.append("the closing in the database differs from the file")
    tally, head, count = Tally(), GENESIS, 0
    for batch, broken in walk(current_contents, upto=position):
        if broken:
            result.broken = broken
            return result, stated
        for entry in batch:
            tally.add(entry)
            head = entry.sha256
        count += len(batch)
    if count != position:
        result.problems.append(f"the journal holds {count} of the {position} entries it closed")
        return result, stated
    result.entries = count
    problem = _mismatch(stated, head, tally)
    if problem:
        result.problems.append(problem)
    return result, stated


def find_closing(period: str, day: date) -> Closing:
    start, end = bounds(period, day)
    closing = Closing.objects.filter(period=period, start=start).first()
    if closing is None:
        raise _period_error(
            ClosingError.NOT_FOUND,
            _("The day %(day)s is not closed."),
            _("The period from %(start)s to %(end)s is not closed."),
            start,
            end,
        )
    return closing
