"""Transport and browser hardening: throttled logins, expiring sessions, security headers,
pages without inline script or style, production settings that pass Django's deploy check."""

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from comptoir.core.models import LoginFailure

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def clerk(django_user_model):
    return django_user_model.objects.create_user("claire", "claire@example.fr", "mot-de-passe-1")


def log_in(client, password: str):
    return client.post("/login/", {"username": "claire", "password": password})


def test_repeated_failed_logins_make_the_next_ones_wait(client, clerk, settings):
    settings.COMPTOIR_LOGIN_FAILURES, settings.COMPTOIR_LOGIN_WAIT_MINUTES = 5, 15
    for _attempt in range(5):
        response = log_in(client, "wrong")
        assert response.status_code == 200 and "_auth_user_id" not in client.session
    response = log_in(client, "mot-de-passe-1")  # the right password, too soon
    assert "_auth_user_id" not in client.session
    assert "Trop de tentatives" in response.content.decode()
    assert "15 minutes" in response.content.decode()
    LoginFailure.objects.update(at=timezone.now() - timedelta(minutes=16))
    response = log_in(client, "mot-de-passe-1")
    assert response.status_code == 302 and "_auth_user_id" in client.session
    assert not LoginFailure.objects.exists()  # a successful login forgets the failures


def test_failures_for_another_name_do_not_count(client, clerk, django_user_model):
    django_user_model.objects.create_user("bob", "bob@example.fr", "mot-de-passe-2")
    for _attempt in range(6):
        client.post("/login/", {"username": "bob", "password": "wrong"})
    assert log_in(client, "mot-de-passe-1").status_code == 302


def test_pages_send_the_security_headers(client, clerk, settings):
    client.force_login(clerk)
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600 and settings.SESSION_SAVE_EVERY_REQUEST
    api = client.get("/api/docs")
    assert "script-src 'self';" in api["Content-Security-Policy"]


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I), "inline script"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"\sstyle\s*=\s*[\"']", re.I), "style attribute"),
    (re.compile(r"<style", re.I), "style element"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_page_template_carries_inline_script_or_style():
    """What the policy would refuse is not written in the first place (PDF templates are
    rendered on the server by WeasyPrint, never by a browser)."""
    found = []
    for path in sorted((ROOT / "comptoir").glob("*/templates/**/*.html")):
        if "/pdf/" in path.as_posix():
            continue
        text = re.sub(r"{%.*?%}", lambda tag: " " * len(tag.group()), path.read_text())
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert not found, "\n".join(found)


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "k" * 20 + "-production-secret-" + "x7Q!9z" * 5,
        "ALLOWED_HOSTS": "comptoir.example.fr",
        "DJANGO_SETTINGS_MODULE": "comptoir.settings",
        "COMPTOIR_VAR_DIR": str(tmp_path),
    }
    # The browser tests allow synchronous database access under Playwright's
    # event loop; a production process never has that switch.
    for name in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-m", "comptoir", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


PNG = b"\x89PNG\r\n\x1a\n" + b"logo-of-the-company" * 10


def test_uploaded_files_are_kept_outside_the_web_root_and_never_served(api, user, client, settings):
    """A partner's file and the company's logo are stored under MEDIA_ROOT, which no URL serves:
    neither the static files (WhiteNoise, finders included) nor any page."""
    from django.contrib.staticfiles import finders
    from django.core.files.uploadedfile import SimpleUploadedFile

    from comptoir.core.models import Company
    from comptoir.core.services import update_company
    from comptoir.imports.models import ImportBatch

    marker = "ligne-secrete-du-partenaire"
    partner = api.post("/import-partners", {"name": "Shop"}).json()
    response = api.client.post(
        f"/api/import-partners/{partner['id']}/files",
        {"file": SimpleUploadedFile("ventes.csv", f"a;b\n{marker};1\n".encode())},
    )
    assert response.status_code == 201, response.content
    update_company(logo=SimpleUploadedFile("logo.png", PNG))
    stored = [ImportBatch.objects.get().file, Company.get().logo]

    media_root = Path(settings.MEDIA_ROOT).resolve()
    web_roots = [Path(settings.STATIC_ROOT).resolve()] + [
        Path(location).resolve() for _prefix, location in settings.STATICFILES_DIRS
    ]
    admin = Client()
    admin.force_login(user)  # an administrator, who may open every page
    for file in stored:
        path = Path(file.path).resolve()
        assert path.is_relative_to(media_root) and path.is_file()
        assert not any(path.is_relative_to(root) for root in web_roots)
        assert finders.find(file.name) is None
        content = path.read_bytes()
        for url in (f"/media/{file.name}", f"/static/{file.name}", f"/{file.name}"):
            for who in (client, admin):
                answer = who.get(url)
                assert answer.status_code in (302, 401, 403, 404), (url, answer.status_code)
                body = b"".join(answer.streaming_content) if answer.streaming else answer.content
                assert content not in body and marker.encode() not in body
