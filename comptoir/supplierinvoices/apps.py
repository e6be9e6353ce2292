from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupplierInvoicesConfig(AppConfig):
    """Supplier invoices received as e-invoices (Factur-X, CII, UBL): read, matched with the
    purchase orders and their receipts, approved, disputed or refused."""

    name = "comptoir.supplierinvoices"
    label = "supplierinvoices"
    verbose_name = _("Supplier invoices")

    def ready(self):
        from comptoir.einvoicing.services import PLATFORM_WORK
        from comptoir.payments.accounting import ENTRY_SOURCES

        # At each run of the platform job: the decisions sent, then the new invoices fetched.
        for work in (_send_decisions, _fetch_invoices):
            if work not in PLATFORM_WORK:
                PLATFORM_WORK.append(work)
        if _purchase_entries not in ENTRY_SOURCES:
            ENTRY_SOURCES.append(_purchase_entries)


def _send_decisions(*, platform):
    from comptoir.supplierinvoices.services import send_due_decisions

    send_due_decisions(platform=platform)


def _fetch_invoices(*, platform):
    from comptoir.supplierinvoices.services import fetch_invoices

    fetch_invoices(platform=platform)


def _purchase_entries(company, start, end):
    from comptoir.supplierinvoices.accounting import purchase_entries

    return purchase_entries(company, start, end)
