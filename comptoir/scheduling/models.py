from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduledJob(models.Model):
    """One row per recurring job: when it runs next, whether a run is under way (the row is
    locked to claim a run, so two workers never run a job at once) and how the last one ended.
    The row named ``scheduler.tick`` holds the token of the one pending tick."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    next_run_at = models.DateTimeField(_("next run at"))
    started_at = models.DateTimeField(_("run started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("run finished at"), null=True, blank=True)
    last_error = models.TextField(_("error of the last run"), blank=True)
    token = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self):
        return self.name
