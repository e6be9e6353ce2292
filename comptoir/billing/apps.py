from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "comptoir.billing"
    label = "billing"
    verbose_name = _("Invoicing")
    sqlite_guards = "comptoir.billing.triggers.install"
