"""The `comptoir` command: Django's management commands behind one entry point."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "comptoir"
    if argv[1:2] == ["pa-simulator"]:  # a development tool, outside Django (comptoir.pasim)
        from comptoir.pasim.__main__ import main as simulator

        return simulator(argv[2:])
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as error:  # e.g. production without its own SECRET_KEY
        sys.stderr.write(f"comptoir: {error}\n")
        raise SystemExit(2) from None
    from comptoir.core import audit

    audit.act_from_command_line()  # what a command changes is recorded as its operator's
    execute_from_command_line(argv)
