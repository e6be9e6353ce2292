"""Shared fixtures: a company, reference rows, an API client with a real token."""

import os

import pytest
from django.test import Client

from comptoir.core.models import Company
from comptoir.core.roles import ADMINISTRATOR
from comptoir.core.services import create_token, set_user_roles, update_company
from comptoir.pricing.models import PaymentTerms

IN_CI = os.environ.get("CI") == "true"


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set COMPTOIR_TEST_DATABASE_URL")
    for item in items:
        if "postgresql" in item.keywords:
            if IN_CI and os.environ.get("COMPTOIR_REQUIRE_POSTGRESQL") == "1":
                raise pytest.UsageError("PostgreSQL tests must run in this CI pass")
            item.add_marker(skip)


@pytest.fixture
def english():
    """Messages in English, for tests that check them (the application speaks French first)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def company(db) -> Company:
    if not PaymentTerms.objects.filter(code="30J").exists():
        from django.apps import apps

        from comptoir.pricing import reference_data

        reference_data.load(apps)  # an earlier transactional test flushed them
    return update_company(
        legal_name="Atelier Test SARL",
        legal_form="SARL",
        siren="552100554",
        vat_id="FR96552100554",
        address_line1="1 rue du Test",
        postal_code="69001",
        city="Lyon",
        default_payment_terms=PaymentTerms.objects.get(code="30J"),
    )


@pytest.fixture
def user(db, django_user_model):
    """An administrator: tests of what roles may not do make their own users (``make_user``)."""
    return make_user("alice", ADMINISTRATOR, password="secret-pass")


def make_user(username: str, *roles: str, password: str = "secret-pass"):
    """A user with these shipped roles (none: a user who may only log in)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username, f"{username}@example.fr", password)
    return set_user_roles(user, list(roles))


@pytest.fixture
def api(user, company):
    """A JSON client authenticated with a bearer token."""
    _token, key = create_token(user, "tests")
    return ApiClient(key)


class ApiClient:
    def __init__(self, key: str):
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    def _call(self, method: str, path: str, data=None):
        kwargs = {"content_type": "application/json"} if data is not None else {}
        return getattr(self.client, method)(f"/api{path}", data=data, **kwargs)

    def get(self, path):
        return self.client.get(f"/api{path}")

    def post(self, path, data=None):
        return self._call("post", path, {} if data is None else data)

    def put(self, path, data):
        return self._call("put", path, data)

    def patch(self, path, data):
        return self._call("patch", path, data)

    def delete(self, path):
        return self.client.delete(f"/api{path}")


@pytest.fixture(scope="module")
def pasim():
    """The base URL of the platform simulator, in its own process (one per test module)."""
    from comptoir.pasim.testing import running_simulator

    with running_simulator() as base:
        yield base
