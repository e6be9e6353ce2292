from django.core.management.base import BaseCommand

from comptoir import demo, pasim


class Command(BaseCommand):
    help = "Load demo data (a French company, customers, items, documents in every state)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Only on a new database.")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--simulator",
            action="store_true",
            help="Connect to the platform simulator that `comptoir serve --simulator` runs "
            "(unless a platform is already set) and send it the latest invoices.",
        )

    def handle(self, *args, if_empty=False, seed=2026, simulator=False, **options):
        if if_empty and demo.has_data():
            self.stdout.write("The database already has data: demo not loaded.")
        else:
            counts = demo.load(seed=seed)
            self.stdout.write(
                "Demo data loaded: " + ", ".join(f"{v} {k}" for k, v in counts.items())
            )
        if simulator:
            self.connect_simulator()
        user, password = demo.DEMO_USER
        self.stdout.write(f"Demo login: user “{user}”, password “{password}”.")
        others = ", ".join(f"{name} ({role})" for name, role in demo.DEMO_ROLE_USERS.items())
        self.stdout.write(f"One user per role, each with its name as password: {others}.")

    def connect_simulator(self):
        queued = demo.connect_simulator()
        if queued is None:
            self.stdout.write("A platform is already set: the simulator is not connected.")
            return
        self.stdout.write(
            f"Connected to the platform simulator ({pasim.DEMO_URL}): {queued} invoices to send."
        )
