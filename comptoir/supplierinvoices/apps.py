from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupplierInvoicesConfig(AppConfig):
    """Supplier invoices received as e-invoices (Factur-X, CII, UBL): read, matched with the
    purchase orders and their receipts, approved, disputed or refused."""

    name = "comptoir.supplierinvoices"
    label = "supplierinvoices"
    verbose_name = _("Supplier invoices")
