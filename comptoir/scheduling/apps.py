import logging

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    name = "comptoir.scheduling"
    label = "scheduling"
    verbose_name = _("Scheduled work")

    def ready(self):
        from comptoir.core.worker import worker_started

        post_migrate.connect(_start_ticking, sender=self)
        # A worker that starts picks the schedule up again if the worker before it died
        # in the middle of a tick (the chain of ticks would wait for the next migrate).
        worker_started.connect(_keep_ticking, dispatch_uid="scheduling-worker-started")


def _start_ticking(sender, using, **kwargs):
    from django.db import DatabaseError

    from comptoir.scheduling.services import ensure_ticking

    try:
        ensure_ticking(using=using)
    except DatabaseError:  # only part of the apps migrated: the next full migrate starts it
        logging.getLogger(__name__).warning("Scheduled work not started: tables missing.")


def _keep_ticking(sender, **kwargs):
    from comptoir.scheduling.services import ensure_ticking

    ensure_ticking()
