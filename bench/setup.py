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
