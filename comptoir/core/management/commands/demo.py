from django.core.management.base import BaseCommand

from comptoir import demo


class Command(BaseCommand):
    help = "Load demo data (a French company, customers, items, documents in every state)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Only on a new database.")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, if_empty=False, seed=2026, **options):
        if if_empty and demo.has_data():
            self.stdout.write("The database already has data: demo not loaded.")
        else:
            counts = demo.load(seed=seed)
            self.stdout.write(
                "Demo data loaded: " + ", ".join(f"{v} {k}" for k, v in counts.items())
            )
        user, password = demo.DEMO_USER
        self.stdout.write(f"Demo login: user “{user}”, password “{password}”.")
        others = ", ".join(f"{name} ({role})" for name, role in demo.DEMO_ROLE_USERS.items())
        self.stdout.write(f"One user per role, each with its name as password: {others}.")
