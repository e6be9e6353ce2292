from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClosingsConfig(AppConfig):
    name = "comptoir.closings"
    label = "closings"
    verbose_name = _("Closings of the journal")
    sqlite_guards = "comptoir.closings.triggers.install"

    def ready(self):
        from comptoir.closings import tasks
        from comptoir.scheduling import registry

        registry.register("closings", tasks.scheduled_closings, every=tasks.closing_interval)
