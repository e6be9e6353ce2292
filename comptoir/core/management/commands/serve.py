import os
import sys
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from comptoir.core import supervisor
from comptoir.pasim import DEMO_URL, REFUSING_BUYER

WEB_STOP_SECONDS = 35  # gunicorn's graceful timeout (30 s, gunicorn_conf) and a margin
WORKER_STOP_SECONDS = 10  # a job cut short is put back by the next worker
SIMULATOR_STEP_SECONDS = 8  # the simulated lifecycles move one status on this often
SIMULATOR_POLL_MINUTES = 0.25  # and the worker reads them this often
SIMULATOR_STATE = "pa-simulator.state"  # in the var folder: its flows outlive a restart


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


def default_workers() -> int:
    """gunicorn's rule of thumb: two web processes per core, and one, up to 12."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(2 * (cores or 1) + 1, 12)


class Command(BaseCommand):
    help = (
        "Serve Comptoir on http://127.0.0.1:8000 with a job worker: the development server, "
        "or with --production a production server (gunicorn) and its static files."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--production",
            action="store_true",
            help="Serve with gunicorn (several processes) and the collected static files.",
        )
        parser.add_argument(
            "--workers",
            type=positive,
            help="Web processes with --production (default: WEB_CONCURRENCY, else "
            "2 per core + 1, up to 12).",
        )
        parser.add_argument(
            "--no-worker", action="store_true", help="Do not start the background job worker."
        )
        parser.add_argument(
            "--simulator",
            nargs="?",
            type=positive,
            const=urlsplit(DEMO_URL).port,
            metavar="PORT",
            help="Also run the approved-platform simulator, on 127.0.0.1:8765 unless a port is "
            "given (the demo's platform, see `comptoir demo --simulator`): invoices sent to it "
            "move through their statuses every few seconds.",
        )

    def handle(self, *args, **options):
        addrport = options["addrport"]
        if addrport.isdigit():
            addrport = f"127.0.0.1:{addrport}"
        if options["production"]:
            workers = options["workers"] or self.workers_from_env()
        supervisor.stop_on_signals()
        if options["simulator"]:  # the demo's statuses move within seconds, not every 15 min
            os.environ.setdefault("COMPTOIR_PLATFORM_POLL_MINUTES", str(SIMULATOR_POLL_MINUTES))
        worker = None
        if not options["no_worker"]:
            # The worker runs large imports; it shares nothing with the server but the
            # database. It is started again if it ends, and stopped with serve. It yields
            # the processor to the web processes: a page is waited on, a PDF can wait.
            worker = supervisor.KeptRunning(
                [sys.executable, "-m", "comptoir", "worker", "--interval", "0.5", "--nice", "10"],
                "job worker",
                lambda line: self.stderr.write(line),
            ).start()
        simulator = self.start_simulator(options["simulator"]) if options["simulator"] else None
        self.stdout.write(f"Comptoir: http://{addrport}/  (API docs: /api/docs)")
        try:
            if options["production"]:
                self.serve_production(addrport, workers, worker)
            else:
                call_command("runserver", addrport, use_reloader=False)
        except KeyboardInterrupt:
            pass
        finally:
            for child in (worker, simulator):
                if child is not None:
                    child.stop(WORKER_STOP_SECONDS)

    def start_simulator(self, port: int) -> supervisor.KeptRunning:
        argv = [sys.executable, "-m", "comptoir", "pa-simulator", "--port", str(port)]
        argv += ["--auto-advance", str(SIMULATOR_STEP_SECONDS), "--quiet"]
        argv += [
            "--refuse",
            REFUSING_BUYER,
            "--state",
            str(settings.VAR_DIR / "pa-simulator.state"),
        ]
        self.stdout.write(f"Platform simulator: http://127.0.0.1:{port}/")
        return supervisor.KeptRunning(argv, "platform simulator", self.stderr.write).start()

    def workers_from_env(self) -> int:
        value = os.environ.get("WEB_CONCURRENCY", "").strip()
        if not value:
            return default_workers()
        try:
            return positive(value)
        except ValueError:
            raise CommandError(
                f"WEB_CONCURRENCY must be a whole number of web processes, not {value!r}.",
                returncode=2,
            ) from None

    def serve_production(self, addrport: str, workers: int, worker) -> None:
        if settings.DEBUG:
            self.stderr.write("DEBUG is on: set DEBUG=false in production.")
        # The static files, compressed, are served by WhiteNoise from STATIC_ROOT; collected
        # at each start so that they always match the installed version.
        call_command("collectstatic", interactive=False, verbosity=0)
        connections.close_all()  # nothing of this process is shared with the web processes
        self.stdout.write(f"gunicorn: {workers} web processes")
        config = "python:comptoir.core.gunicorn_conf"
        argv = ["--config", config, "--bind", addrport, "--workers", str(workers)]
        # The collected files, compressed, rather than the sources.
        web = supervisor.start(
            [sys.executable, "-m", "gunicorn", *argv], WHITENOISE_USE_FINDERS="false"
        )
        try:
            code = web.wait()
        finally:  # both at once: requests and the job under way end meanwhile
            supervisor.stop([web, *(worker.halt() if worker else [])], WEB_STOP_SECONDS)
        if code:
            raise CommandError(f"The web server stopped (exit code {code}).", returncode=code)
