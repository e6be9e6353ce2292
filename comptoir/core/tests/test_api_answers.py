"""Answers read from model instances by Comptoir's reader are those Ninja's own reader gives,
byte for byte, for every list and record the API serves on the demo data."""

import re

from django.contrib.auth.models import User
from ninja.schema import DjangoGetter

from comptoir import demo
from comptoir.api import api as ninja_api
from comptoir.core import schemas
from comptoir.core.services import create_token
from conftest import ApiClient


def answers(client: ApiClient) -> dict[str, bytes]:
    """Every GET of the API that needs no parameter, and the first record of each list."""
    paths = ninja_api.get_openapi_schema()["paths"]
    got = {}
    for path, operations in paths.items():
        if "get" not in operations or "{" in path:
            continue
        path = path.removeprefix("/api")
        response = client.get(f"{path}?limit=100")
        if response.status_code != 200 or "json" not in response["Content-Type"]:
            continue  # an answer that needs parameters, or a file
        got[path] = response.content
        body = response.json()
        rows = body.get("items") if isinstance(body, dict) else body
        detail = [p for p in paths if re.fullmatch(rf"/api{path}/{{\w+}}", p) and "get" in paths[p]]
        if rows and isinstance(rows[0], dict) and "id" in rows[0] and detail:
            record = client.get(f"{path}/{rows[0]['id']}")
            assert record.status_code == 200, detail
            got[f"{path}/{rows[0]['id']}"] = record.content
    return got


def test_answers_are_those_ninja_reads(db, monkeypatch):
    demo.load(customers=12)
    _token, key = create_token(User.objects.get(username=demo.DEMO_USER[0]), "answers")
    client = ApiClient(key)

    ours = answers(client)
    monkeypatch.setattr(schemas, "_read", lambda cls, obj, context: DjangoGetter(obj, cls, context))
    ninjas = answers(client)

    assert len(ours) > 30, sorted(ours)
    for path, content in ninjas.items():
        assert ours[path] == content, path
