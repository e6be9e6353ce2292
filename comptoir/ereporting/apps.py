from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EreportingConfig(AppConfig):
    name = "comptoir.ereporting"
    label = "ereporting"
    verbose_name = _("E-reporting")

    def ready(self):
        from comptoir.einvoicing import flows
        from comptoir.ereporting.services import FLOW_SYNTAX, submission_sent, submitted_file

        flows.register(FLOW_SYNTAX, file=submitted_file, sent=submission_sent)
