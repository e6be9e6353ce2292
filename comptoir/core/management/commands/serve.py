import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Comptoir on http://127.0.0.1:8000 (development server) with a job worker."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-worker", action="store_true", help="Do not start the background job worker."
        )

    def handle(self, *args, **options):
        worker = None
        if not options["no_worker"]:
            # The worker runs large imports; it shares nothing with the server but the database.
            worker = subprocess.Popen(
                [sys.executable, "-m", "comptoir", "db_worker", "--interval", "0.5", "--no-reload"]
            )
        self.stdout.write(f"Comptoir: http://{options['addrport']}/  (API docs: /api/docs)")
        try:
            call_command("runserver", options["addrport"], use_reloader=False)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
