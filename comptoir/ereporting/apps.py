from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EreportingConfig(AppConfig):
    name = "comptoir.ereporting"
    label = "ereporting"
    verbose_name = _("E-reporting")
