from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "comptoir.billing"
    label = "billing"
    verbose_name = _("Invoicing")
    sqlite_guards = "comptoir.billing.triggers.install"

    def ready(self):
        from comptoir.billing.models import Invoice, InvoiceLine
        from comptoir.pricing.services import TAX_USES

        def on_issued_invoices(tax) -> bool:
            lines = InvoiceLine.objects.filter(tax=tax)
            return lines.exclude(invoice__status=Invoice.Status.DRAFT).exists()

        TAX_USES.append(on_issued_invoices)
