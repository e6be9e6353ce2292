"""Shipped roles, users' roles and their own API tokens."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comptoir.core.models import ApiToken
from comptoir.core.roles import ROLES, SALES
from comptoir.core.services import create_token
from conftest import make_user

pytestmark = pytest.mark.django_db


def test_the_shipped_roles_exist_after_migrating():
    assert set(Group.objects.values_list("name", flat=True)) >= {role.name for role in ROLES}
    assert Group.objects.get(name=SALES).permissions.filter(codename="add_quotation").exists()


def test_a_user_creates_uses_and_revokes_an_api_token(company):
    page = Client()
    page.force_login(make_user("sophie", SALES))
    response = page.post("/settings/tokens/", {"name": "e-shop", "days": "30"})
    assert response.status_code == 200
    key = response.context["key"]
    assert key and ApiToken.objects.get(name="e-shop").key_hash != key  # only its hash kept
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/customers").status_code == 200
    used = ApiToken.objects.get(name="e-shop").last_used_at
    assert used is not None  # the tokens page says when it was last used
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/invoices").status_code == 200  # Sales sees invoices
    assert not [q for q in queries if q["sql"].startswith("UPDATE")]  # a read writes nothing
    assert ApiToken.objects.get(name="e-shop").last_used_at == used  # to the minute
    assert api.post("/api/invoices", {}, content_type="application/json").status_code == 403
    token = ApiToken.objects.get(name="e-shop")
    assert page.post("/settings/tokens/", {"revoke": token.pk}).status_code == 302
    assert api.get("/api/customers").status_code == 401
    theirs, _key = create_token(make_user("paul", SALES), "paul's")
    assert page.post("/settings/tokens/", {"revoke": theirs.pk}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None  # nobody revokes another user's token here
    assert page.post("/settings/tokens/", {"name": "", "days": "0"}).status_code == 400


def test_roles_command_resets_permissions_and_gives_roles(company, capsys):
    sales = Group.objects.get(name=SALES)
    shipped = sales.permissions.count()
    sales.permissions.clear()
    make_user("bob")
    call_command("roles", "--reset", "--user", "bob", "--role", SALES)
    assert sales.permissions.count() == shipped
    assert list(Group.objects.get(name=SALES).user_set.values_list("username", flat=True)) == [
        "bob"
    ]
    assert "bob" in capsys.readouterr().out
    with pytest.raises(CommandError) as error:
        call_command("roles", "--user", "nobody", "--role", SALES)
    assert error.value.returncode == 2
