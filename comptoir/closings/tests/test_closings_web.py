"""Closings in the API and on their page: listed, closed by hand, downloaded as the file the
company keeps, by who may."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from comptoir.closings.models import Closing
from comptoir.closings.tests.test_closings import BEFORE, YESTERDAY, issued, key  # noqa: F401
from comptoir.core.roles import ACCOUNTING, READ_ONLY, SALES
from conftest import make_user

pytestmark = pytest.mark.django_db


def test_the_api_closes_lists_and_downloads(api, key, issued):  # noqa: F811
    response = api.post("/closings", {"period": "day", "date": str(BEFORE)})
    assert response.status_code == 201
    closing = response.json()
    assert closing["count"] == 2 and closing["position"] == 4
    assert api.post("/closings", {"period": "day"}).status_code == 201  # yesterday
    again = api.post("/closings", {"period": "day", "date": str(BEFORE)})
    assert (again.status_code, again.json()["code"]) == (400, "closing.already_closed")
    today = api.post("/closings", {"period": "month", "date": str(timezone.localdate())})
    assert (today.status_code, today.json()["code"]) == (400, "closing.period_not_over")
    assert api.post("/closings", {"period": "week"}).status_code == 422
    assert [c["start"] for c in api.get("/closings").json()] == [str(YESTERDAY), str(BEFORE)]
    response = api.get(f"/closings/{closing['id']}/file")
    assert response["Content-Disposition"] == (
        f'attachment; filename="cloture-day-{BEFORE.isoformat()}.json"'
    )
    assert json.loads(response.content)["closing"]["totals"]["count"] == 2
    assert api.get("/closings/999999/file").status_code == 404


def test_without_the_key_the_api_says_so(api, issued):  # noqa: F811
    response = api.post("/closings", {"period": "day"})
    assert (response.status_code, response.json()["code"]) == (400, "closing.no_key")


def test_without_the_key_the_page_offers_no_close_button(client, user, issued):  # noqa: F811
    client.force_login(user)
    page = client.get("/journal/closings/").content.decode()
    assert "Clôturer la période" not in page and "Aucune clé de signature" in page


def test_the_page_closes_and_offers_the_file(client, user, key, issued):  # noqa: F811
    """In French, as the page reads."""
    client.force_login(user)
    page = client.get("/journal/closings/")
    assert page.status_code == 200
    assert "Clôturer la période" in page.content.decode()
    response = client.post("/journal/closings/", {"period": "day", "date": str(BEFORE)})
    assert response.status_code == 302
    closing = Closing.objects.get()
    page = client.get("/journal/closings/")
    assert f"/journal/closings/{closing.pk}/file/" in page.content.decode()
    response = client.post("/journal/closings/", {"period": "day", "date": str(BEFORE)})
    assert response.status_code == 400
    assert "est déjà clôturée" in response.content.decode()
    later = timezone.localdate() + timedelta(days=3)
    response = client.post("/journal/closings/", {"period": "day", "date": str(later)})
    assert "elle pourra être clôturée dès le lendemain" in response.content.decode()
    response = client.post("/journal/closings/", {"period": "day", "date": "31/02/2026"})
    assert response.status_code == 400 and Closing.objects.count() == 1


def test_who_sees_and_who_closes(client, key, issued):  # noqa: F811
    for role, sees, closes in ((ACCOUNTING, 200, 302), (READ_ONLY, 200, 403), (SALES, 403, 403)):
        client.force_login(make_user(role.lower().replace("-", ""), role))
        assert client.get("/journal/closings/").status_code == sees
        response = client.post("/journal/closings/", {"period": "year"})
        assert response.status_code == closes
