"""What the platform's statuses say of invoices, read for lists and pages.

An invoice's platform status is the latest status of its lifecycle (by the status's date, then
as received). The lists read it with one subquery of their own query, never a query per row.
"""

from dataclasses import dataclass, field

from django.db.models import F, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from comptoir.billing.models import Invoice
from comptoir.core.errors import BusinessError, CoreError
from comptoir.einvoicing.models import LifecycleStatus, Submission
from comptoir.einvoicing.statuses import STATUSES, status

REJECTED = 213  # by the platform: the invoice never reached its buyer
REFUSED = 210  # by the buyer: the seller cancels it with a credit note
TO_CORRECT = "to_correct"  # the lists' filter: rejected and not yet cancelled
NOT_SENT = "not_sent"  # and: still to send, or failed (waiting for a retry or « Resend »)

# How each status looks as a badge (the styles of the other lists' badges).
_BADGES = {205: "accepted", 212: "accepted", 210: "refused", 213: "refused", 501: "refused"}
_BADGES |= dict.fromkeys((206, 207, 208, 221), "unpaid")


def latest_status_code() -> Subquery:
    """The code of the latest status of each invoice of a query (None before the first)."""
    latest = LifecycleStatus.objects.filter(invoice=OuterRef("pk")).order_by("-at", "-pk")
    return Subquery(latest.values("code")[:1])


def latest_status(invoice: Invoice) -> LifecycleStatus | None:
    return invoice.lifecycle.order_by("-at", "-pk").first()


def badge(code: int | None) -> tuple[str, str]:
    """A status as a list shows it: its words and its style ("", "" for none)."""
    if code is None:
        return "", ""
    return str(status(code).label), _BADGES.get(code, "sent")


def filter_choices() -> list[tuple[str, str]]:
    """What the lists filter on: the invoices to correct, then each named status."""
    named = [(str(code), s.label) for code, s in sorted(STATUSES.items()) if s.official]
    waiting = (NOT_SENT, _("Not sent yet (waiting or failed)"))
    return [(TO_CORRECT, _("To correct (rejected)")), waiting, *named]


def status_condition(value: str, name: str = "platform_status") -> Q:
    """The invoices (annotated with their latest status as ``name``) a filter value keeps;
    a BusinessError for a value that is neither a status nor « to correct »."""
    if value == TO_CORRECT:
        return Q(**{name: REJECTED}) & Q(amount_credited__lt=F("total_gross"))
    if value == NOT_SENT:
        return Q(submission__state__in=[Submission.State.TO_SEND, Submission.State.ERROR])
    if value.isdigit() and int(value) in STATUSES:
        return Q(**{name: int(value)})
    raise BusinessError(
        CoreError.INVALID_VALUE,
        _("« %(value)s » is not a platform status one can filter on.") % {"value": value[:40]},
        name,
    )


@dataclass
class Verdict:
    """What an invoice's page says of the platform's last word when the seller has to act:
    a rejection (213: correct it) or a refusal (210: cancel it by a credit note)."""

    status: LifecycleStatus
    credit_notes: list[Invoice] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return self.status.code == REJECTED

    @property
    def refused(self) -> bool:
        return self.status.code == REFUSED


def verdict(invoice: Invoice) -> Verdict | None:
    """The rejection or refusal the invoice's latest status is, with the credit notes already
    made for it; None for any other status (or none)."""
    latest = latest_status(invoice)
    if latest is None or latest.code not in (REJECTED, REFUSED):
        return None
    credit_notes = Invoice.objects.filter(
        credited_invoice=invoice, kind=Invoice.Kind.CREDIT_NOTE
    ).order_by("pk")
    return Verdict(latest, list(credit_notes))
