from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Reports and analysis: sales by any axis with their margins, the order backlog, what is
    left to invoice, the quotations pipeline; read from summary tables the documents keep up
    to date in their own transaction."""

    name = "comptoir.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from comptoir.billing.signals import issued
        from comptoir.reports.facts import on_issued

        issued.connect(on_issued, dispatch_uid="reports-sales-summaries")
