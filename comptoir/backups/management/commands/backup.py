"""`comptoir backup [FILE]`: a backup of the database and the media files, safe while running."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from comptoir.backups.services import backup_to_directory, create_backup
from comptoir.core.errors import BusinessError


class Command(BaseCommand):
    help = (
        "Back up the database and the media files into one file (without FILE: a dated file "
        "in COMPTOIR_BACKUP_DIR, keeping the COMPTOIR_BACKUP_KEEP newest)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="where to write the backup (.tar.gz)")

    def handle(self, *args, file, **options):
        started = time.monotonic()
        try:
            if file:
                path, manifest = Path(file), create_backup(Path(file))
            else:
                path, manifest = backup_to_directory(
                    Path(settings.COMPTOIR_BACKUP_DIR), settings.COMPTOIR_BACKUP_KEEP
                )
        except BusinessError as error:
            raise CommandError(error.message, returncode=2) from None
        counts = ", ".join(
            f"{n} {label.replace('_', ' ')}" for label, n in manifest["counts"].items()
        )
        self.stdout.write(
            f"Backup written: {path} ({path.stat().st_size / 1e6:.1f} MB, "
            f"{time.monotonic() - started:.1f} s). {counts}."
        )
