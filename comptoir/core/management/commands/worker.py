import os

from django_tasks_db.management.commands import db_worker

from comptoir.core import supervisor
from comptoir.core.worker import Worker, worker_id


class Command(db_worker.Command):
    help = (
        "Run the background job worker: it reconnects when the database connection is lost, "
        "and puts back the jobs a lost connection or a dead worker interrupted."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=worker_id(), reload=False)
        parser.add_argument(
            "--nice",
            type=int,
            default=0,
            help="Lower the worker's CPU priority by this much (0-19): the pages people wait "
            "on come before the PDFs and imports that can wait.",
        )

    def handle(self, *, verbosity, queue_name, exclude_queues, **options):
        self.configure_logging(verbosity)
        supervisor.stop_with_parent()
        if options["nice"]:
            os.nice(max(0, min(19, options["nice"])))
        names = ("interval", "batch", "backend_name", "startup_delay", "max_tasks", "worker_id")
        worker = Worker(
            queue_names=queue_name.split(","),
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
            **{name: options[name] for name in names},
        )
        worker.configure_signals()
        worker.run()
