from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class EinvoicingConfig(AppConfig):
    """The French e-invoicing reform: the connection to an approved platform, the invoices
    sent through it and their lifecycle statuses (CDAR messages)."""

    name = "comptoir.einvoicing"
    verbose_name = _("E-invoicing")

    def ready(self):
        from comptoir.billing.signals import (
            BUYER_ADDRESSES,
            INVOICE_FACTS,
            LISTED_FACTS,
            issued,
            settled,
        )
        from comptoir.parties.signals import CUSTOMER_FACTS
        from comptoir.scheduling.registry import register

        issued.connect(_queue, dispatch_uid="einvoicing-queue-submissions")
        settled.connect(_follow_settlements, dispatch_uid="einvoicing-payment-statuses")
        for facts in (
            "einvoicing/invoice_facts.html",
            "einvoicing/invoice_verdict.html",
            "einvoicing/invoice_payment_status.html",
        ):
            if facts not in INVOICE_FACTS:
                INVOICE_FACTS.append(facts)
        if "einvoicing/customer_facts.html" not in CUSTOMER_FACTS:
            CUSTOMER_FACTS.append("einvoicing/customer_facts.html")
        if _buyer_address not in BUYER_ADDRESSES:
            BUYER_ADDRESSES.append(_buyer_address)
        if not any(fact.name == "platform_status" for fact in LISTED_FACTS):
            LISTED_FACTS.append(_platform_status())
        register("einvoicing.platform", _run, every=_every)


def _platform_status():
    """The invoice lists' column and filter of the platform's latest status."""
    from comptoir.billing.signals import ListedFact
    from comptoir.einvoicing import queries

    return ListedFact(
        "platform_status",
        _("Platform status"),
        queries.latest_status_code,
        queries.badge,
        queries.filter_choices,
        queries.status_condition,
    )


def _queue(sender, invoices, **kwargs):
    from comptoir.einvoicing.services import queue_submissions

    queue_submissions(invoices)


def _follow_settlements(sender, invoice_ids, **kwargs):
    from comptoir.einvoicing.payment_statuses import follow_settlements

    follow_settlements(invoice_ids)


def _buyer_address(invoice):
    from comptoir.einvoicing.services import buyer_address

    return buyer_address(invoice)


def _run():
    from comptoir.einvoicing.services import run_platform_work

    run_platform_work()


def _every():
    from comptoir.einvoicing.models import PlatformConnection

    if not PlatformConnection.objects.filter(pk=1, enabled=True).exists():
        return None
    return timedelta(minutes=settings.COMPTOIR_PLATFORM_POLL_MINUTES)
