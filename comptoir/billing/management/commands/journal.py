"""`comptoir journal verify`: check the hash chain of issued documents."""

from django.core.management.base import BaseCommand, CommandError

from comptoir.billing.sealing import current_contents
from comptoir.core.journal import verify_chain
from comptoir.core.models import JournalEntry


class Command(BaseCommand):
    help = "Verify the journal of issued invoices and credit notes (hash chain and documents)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, action, **options):
        broken = verify_chain(current_contents)
        if broken:
            raise CommandError(str(broken), returncode=1)
        count = JournalEntry.objects.count()
        self.stdout.write(f"Journal intact: {count} entries, each document as it was sealed.")
