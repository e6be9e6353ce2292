from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Comptoir on http://127.0.0.1:8000 (development server)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, **options):
        self.stdout.write(f"Comptoir: http://{options['addrport']}/  (API docs: /api/docs)")
        call_command("runserver", options["addrport"], use_reloader=False)
