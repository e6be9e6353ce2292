from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackupsConfig(AppConfig):
    name = "comptoir.backups"
    label = "backups"
    verbose_name = _("Database backups")

    def ready(self):
        from comptoir.backups import tasks
        from comptoir.scheduling import registry

        registry.register("backup", tasks.scheduled_backup, every=tasks.backup_interval)
