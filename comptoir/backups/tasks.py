"""The scheduled backup, run by the job worker (see comptoir.scheduling)."""

from datetime import timedelta
from pathlib import Path

from django.conf import settings


def backup_interval() -> timedelta | None:
    """COMPTOIR_BACKUP_EVERY_HOURS (0: no scheduled backups)."""
    hours = float(settings.COMPTOIR_BACKUP_EVERY_HOURS)
    return timedelta(hours=hours) if hours > 0 else None


def scheduled_backup() -> str:
    from comptoir.backups.services import backup_to_directory

    path, _manifest = backup_to_directory(
        Path(settings.COMPTOIR_BACKUP_DIR), settings.COMPTOIR_BACKUP_KEEP
    )
    return str(path)
