"""A fresh database for one benchmark process: SQLite in a temporary folder, or a URL."""

import os
import tempfile


def prepare_database(database_url: str | None) -> None:
    """Point Django at the database, set it up, migrate it and empty it of earlier runs."""
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "comptoir.settings"  # never the test settings
    os.environ["DEBUG"] = "0"  # as in production: no SQL kept nor formatted for debugging
    os.environ.setdefault("SECRET_KEY", "comptoir-benchmark-key-not-a-secret")  # DEBUG off
    os.environ["SECURE_SSL_REDIRECT"] = "0"  # pages are asked in-process, not over HTTPS
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if database_url:  # a database given by URL may hold an earlier run: start afresh
        from django.apps import apps

        from comptoir.pricing.reference_data import load

        call_command("flush", "--no-input", verbosity=0)
        load(apps)


def database_name() -> str:
    from django.db import connection

    version = (
        connection.Database.sqlite_version
        if connection.vendor == "sqlite"
        else connection.pg_version
    )
    return f"{connection.vendor} {version}"


def make_customers(count: int, street: str = "rue du Banc") -> list:
    """Customers ``Client 0`` … with one address each, through the service."""
    from comptoir.parties.services import create_customers

    return create_customers(
        [{"name": f"Client {i}"} for i in range(count)],
        addresses=[[{"line1": f"{i} {street}", "city": "Lyon"}] for i in range(count)],
    )


def make_items(count: int, rnd, prefix: str = "B") -> list:
    """Items at 20 % VAT priced 1,00 to 100,00, through the service."""
    from decimal import Decimal

    from comptoir.catalog.models import Unit
    from comptoir.catalog.services import create_items
    from comptoir.pricing.models import Tax

    unit, tax = Unit.objects.get(code="C62"), Tax.objects.get(code="TVA20")
    return create_items(
        [
            {
                "code": f"{prefix}{i:05d}",
                "name": f"Article {i}",
                "unit": unit,
                "tax": tax,
                "sale_price": Decimal(rnd.randint(100, 10000)) / 100,
            }
            for i in range(count)
        ]
    )


def make_requests(count: int, customers: list, items: list, rnd, lines: int = 5) -> list:
    """Documents of ``lines`` lines (random customer, item, quantity 1-10), to create."""
    from decimal import Decimal

    from comptoir.pricing.documents import DocumentRequest
    from comptoir.pricing.engine import LineSpec

    return [
        DocumentRequest(
            rnd.choice(customers),
            [LineSpec(rnd.choice(items), Decimal(rnd.randint(1, 10))) for _ in range(lines)],
        )
        for _ in range(count)
    ]
