"""How the apps above billing hear of issued documents and add to an invoice's page and to
the invoice lists, without billing knowing them."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Expression, Q
from django.dispatch import Signal

# Sent inside the issuing's transaction with ``invoices``: the documents just issued.
issued = Signal()

# Sent inside the transaction that changed what issued invoices were paid or credited (a
# payment allocated or undone, a credit note issued), with ``invoice_ids``: their stored
# settlement is up to date. E-invoicing tells the platform of an invoice fully paid (212).
settled = Signal()

# Templates other apps add to the facts of an invoice's page (each gets ``document``).
INVOICE_FACTS: list[str] = []

# Functions other apps register that give the electronic address (BT-49) at which an issued
# invoice's buyer receives e-invoices ("" when they know none): its XML states the first given.
BUYER_ADDRESSES: list = []


@dataclass(frozen=True)
class ListedFact:
    """A fact another app adds to every row of the invoice lists (web and API): one expression
    of the list's own query (a subquery, never a query per row), shown as a badge and filtered
    on. The approved platform's latest status is one."""

    name: str  # the annotation, the list's column and its filter
    label: str
    expression: Callable[[], Expression]
    badge: Callable[[object], tuple[str, str]]  # a value → its words and style ("", "": none)
    choices: Callable[[], list[tuple[str, str]]]  # what the filter offers
    condition: Callable[[str], Q]  # the rows a chosen value keeps (BusinessError if unknown)


LISTED_FACTS: list[ListedFact] = []
