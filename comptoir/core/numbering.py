"""Gapless, chronological numbering: one series per document type and year.

Numbers are taken inside the caller's transaction from a locked sequence row, so a rolled-back
transaction gives its numbers back and two transactions never share one (CGI art. 242 nonies A:
invoices carry a unique number in a continuous, chronological series).
"""

from datetime import date

from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from comptoir.core.errors import BusinessError, CoreError
from comptoir.core.models import Sequence

PREFIXES = {
    "quotation": "DV",
    "order": "CC",
    "delivery": "BL",
    "return": "RT",
    "purchase": "CF",
    "invoice": "FA",
    "credit_note": "AV",
    "payment": "RG",
    "customer": "C",
}
# Series whose numbers are legal (invoices, credit notes): they must follow the dates.
CHRONOLOGICAL = {"invoice", "credit_note"}


def format_number(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:06d}"


def take_numbers(series: str, day: date, count: int = 1) -> list[str]:
    """Reserve ``count`` consecutive numbers of ``series`` for documents dated ``day``."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Numbers are taken inside the transaction that uses them.")
    if count <= 0:
        return []
    prefix = PREFIXES[series]
    sequence = Sequence.objects.select_for_update().filter(series=series, year=day.year).first()
    if sequence is None:
        Sequence.objects.get_or_create(series=series, year=day.year, defaults={"prefix": prefix})
        sequence = Sequence.objects.select_for_update().get(series=series, year=day.year)
    if series in CHRONOLOGICAL and sequence.last_date and day < sequence.last_date:
        raise BusinessError(
            CoreError.SEQUENCE_DATE,
            _("A document of this series is dated %(last)s: numbers must follow the dates.")
            % {"last": formats.date_format(sequence.last_date, "SHORT_DATE_FORMAT")},
            "date",
        )
    first = sequence.last_number + 1
    sequence.last_number += count
    sequence.last_date = max(day, sequence.last_date or day)
    sequence.save(update_fields=["last_number", "last_date"])
    return [format_number(sequence.prefix, day.year, n) for n in range(first, first + count)]


def take_number(series: str, day: date) -> str:
    return take_numbers(series, day, 1)[0]
