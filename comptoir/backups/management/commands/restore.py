"""`comptoir restore FILE [--force]`: restore a backup, migrate it, verify the journal."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from comptoir.backups.services import restore_backup
from comptoir.core.errors import BusinessError


class Command(BaseCommand):
    help = (
        "Restore a backup made by `comptoir backup` into this database (empty, or with --force "
        "after backing it up), migrate it to this version and verify the journal."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database that holds data (it is backed up first, into "
            "COMPTOIR_BACKUP_DIR)",
        )

    def handle(self, *args, file, force, **options):
        try:
            restored = restore_backup(file, force=force)
        except BusinessError as error:
            raise CommandError(error.message, returncode=2) from None
        manifest = restored.manifest
        made = timezone.localtime(datetime.fromisoformat(manifest["created_at"]))
        if restored.safety_copy:
            self.stdout.write(f"The database as it was is saved in {restored.safety_copy}.")
        self.stdout.write(
            f"Restored the backup of {made:%Y-%m-%d %H:%M} (Comptoir "
            f"{manifest['comptoir_version']}, {manifest['database']}) in "
            f"{restored.seconds:.1f} s, with {restored.media_files} media files."
        )
        if restored.migrated:
            self.stdout.write(f"Migrated: {', '.join(restored.migrated)}.")
        for label, count in restored.counts.items():
            self.stdout.write(f"  {label.replace('_', ' ')}: {count}")
        broken = restored.journal_break
        if broken:
            raise CommandError(str(broken), returncode=1)
        self.stdout.write(f"Journal intact: {restored.counts['journal_entries']} entries.")
