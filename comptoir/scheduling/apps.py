import logging

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    name = "comptoir.scheduling"
    label = "scheduling"
    verbose_name = _("Scheduled work")

    def ready(self):
        post_migrate.connect(_start_ticking, sender=self)


def _start_ticking(sender, using, **kwargs):
    from django.db import DatabaseError

    from comptoir.scheduling.services import ensure_ticking

    try:
        ensure_ticking(using=using)
    except DatabaseError:  # only part of the apps migrated: the next full migrate starts it
        logging.getLogger(__name__).warning("Scheduled work not started: tables missing.")
