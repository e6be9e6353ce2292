"""A real browser (Debian's chromium, driven by Playwright) against a live Comptoir server."""

import os
import shutil
from pathlib import Path

import pytest
from django.apps import apps as django_apps

from comptoir.core.models import Company
from comptoir.core.roles import ADMINISTRATOR
from comptoir.pricing import reference_data
from conftest import make_user

# Playwright's sync API runs an event loop in the test thread; the test also uses the ORM.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("COMPTOIR_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium")
        pytest.skip(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def reference_rows(transactional_db):
    """Taxes, units and payment terms: an earlier transactional test may have flushed them."""
    reference_data.load(django_apps)


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1400, "height": 1000}, locale="fr-FR"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    refused = []  # what the Content-Security-Policy refused: a page relying on inline code
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert not refused, refused


@pytest.fixture
def screenshot(page):
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def clerk(company: Company):
    """The owner of a small business: she does everything, so she is an administrator."""
    return make_user("claire", ADMINISTRATOR, password="mot-de-passe-1")


def log_in(page, username="claire", password="mot-de-passe-1"):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
