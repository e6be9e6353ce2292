from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EinvoicingConfig(AppConfig):
    """The French e-invoicing reform: lifecycle statuses (CDAR messages) of the invoices an
    approved platform carries."""

    name = "comptoir.einvoicing"
    verbose_name = _("E-invoicing")
