"""With DEBUG off, Comptoir refuses the built-in development SECRET_KEY: the CLI (exit code
2, a message naming SECRET_KEY), the WSGI application (ImproperlyConfigured) and
`check --deploy`."""

import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from tests.processes import COMPTOIR, ROOT, environment


def run(tmp_path, *argv, **env):
    return subprocess.run(
        argv, cwd=ROOT, env=environment(tmp_path, **env), capture_output=True, text=True
    )


def test_the_cli_refuses_to_start_with_debug_off_and_the_development_key(tmp_path):
    done = run(tmp_path, *COMPTOIR, "check", "--deploy", DEBUG="false")

    assert done.returncode == 2
    assert "SECRET_KEY" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_wsgi_application_refuses_the_development_key(tmp_path):
    done = run(tmp_path, *COMPTOIR[:1], "-c", "import comptoir.wsgi", DEBUG="false")

    assert done.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY" in done.stderr


def test_check_deploy_fails_with_the_development_key_even_with_debug_on(settings):
    settings.SECRET_KEY = settings.COMPTOIR_DEVELOPMENT_SECRET_KEY

    with pytest.raises(SystemCheckError, match=r"core\.E001.*SECRET_KEY"):
        call_command("check", deploy=True)


def test_the_tests_run_with_a_key_of_their_own(settings, monkeypatch):
    assert settings.SECRET_KEY != settings.COMPTOIR_DEVELOPMENT_SECRET_KEY
    # The browser tests allow the ORM in Playwright's event loop for the whole run; a server
    # never does, and the deployment check says so.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    call_command("check", deploy=True)  # nothing it refuses
