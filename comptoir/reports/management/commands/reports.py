"""`comptoir reports rebuild|check`: the sales summary tables recomputed from the invoice
lines, or compared with them."""

from django.core.management.base import BaseCommand, CommandError

from comptoir.reports import facts


class Command(BaseCommand):
    help = (
        "The sales analysis' summary tables. rebuild: recompute them from the lines of the "
        "issued invoices and credit notes. check: compare them with those lines (exit 1 on a "
        "difference)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "check"])

    def handle(self, *args, action, **options):
        if action == "rebuild":
            written = facts.rebuild()
            self.stdout.write(f"Sales summaries rebuilt: {written} rows.")
            return
        found = facts.differences()
        if found:
            shown = "\n".join(
                f"{d.grain} {d.key}: stored {d.stored}, expected {d.expected}" for d in found[:20]
            )
            raise CommandError(
                f"{len(found)} sums differ from the invoice lines:\n{shown}", returncode=1
            )
        self.stdout.write("The sales summaries match the invoice lines.")
