"""The invoice lists show and filter each invoice's latest platform status, read in the list's
own query: the number of queries does not grow with the rows."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client as WebClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comptoir.billing import services as billing
from comptoir.einvoicing.models import LifecycleStatus
from comptoir.pricing.engine import LineSpec
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db

# Where each invoice's lifecycle stands, in the order its statuses came.
LIFECYCLES = [[200, 202, 203, 204, 205], [200, 213], [200, 202, 203, 210], [200, 202], []]


def issued_invoices(n: int) -> list:
    customer, item = CustomerFactory(), ItemFactory()
    drafts = [billing.create_invoice(customer, [LineSpec(item, Decimal(1))]) for _ in range(n)]
    invoices = billing.issue_invoices(drafts)
    start = timezone.now() - timedelta(days=3)
    rows = []
    for index, invoice in enumerate(invoices):
        for step, code in enumerate(LIFECYCLES[index % len(LIFECYCLES)]):
            at = start + timedelta(hours=step)
            rows.append(LifecycleStatus(invoice=invoice, code=code, at=at, flow_id=f"f{step}"))
    LifecycleStatus.objects.bulk_create(rows)
    return invoices


def rows_of(web, **filters) -> str:
    html = web.get("/invoices/", filters).content.decode()
    return html.split("<tbody>")[1].split("</tbody>")[0]


def queries(call) -> int:
    with CaptureQueriesContext(connection) as context:
        call()
    return len(context.captured_queries)


def test_the_list_shows_and_filters_the_platform_status(company, user):
    invoices = issued_invoices(10)
    web = WebClient()
    web.force_login(user)
    html = web.get("/invoices/").content.decode()
    assert "<th" in html and "Statut plateforme" in html
    rows = rows_of(web)
    assert rows.count("Approuvée") == 2 and rows.count("Rejetée") == 2
    assert rows.count("Refusée") == 2 and rows.count("Reçue par la plateforme") == 2
    assert '<span class="badge refused">Rejetée</span>' in rows
    assert '<span class="badge accepted">Approuvée</span>' in rows
    rejected = {invoices[1].number, invoices[6].number}
    rows = rows_of(web, platform_status="to_correct")
    assert {n for n in rejected if n in rows} == rejected and rows.count("<tr>") == 2
    rows = rows_of(web, platform_status="210")
    assert invoices[2].number in rows and rows.count("<tr>") == 2
    # Cancelled by its credit note, a rejected invoice is no longer to correct.
    billing.cancel_invoice(invoices[1])
    rows = rows_of(web, platform_status="to_correct")
    assert invoices[6].number in rows and invoices[1].number not in rows
    # A value the filter does not offer is said on the form, not a 500.
    html = web.get("/invoices/", {"platform_status": "999"}).content.decode()
    assert 'class="invalid"' in html
    # The export says it in words too.
    export = b"".join(web.get("/invoices/", {"export": "csv"}).streaming_content).decode()
    assert "Statut plateforme" in export and "Rejetée" in export


def test_the_lists_read_the_status_in_their_own_query(
    company, user, api, django_assert_max_num_queries
):
    web = WebClient()
    web.force_login(user)
    issued_invoices(5)
    few = queries(lambda: web.get("/invoices/"))
    few_filtered = queries(lambda: web.get("/invoices/", {"platform_status": "to_correct"}))
    issued_invoices(40)
    assert queries(lambda: web.get("/invoices/")) == few
    assert queries(lambda: web.get("/invoices/", {"platform_status": "to_correct"})) == few_filtered
    # The API: the token and its last use, the user's role permissions, then the page.
    with django_assert_max_num_queries(7):
        answer = api.get("/invoices?limit=50")
    assert answer.status_code == 200 and answer.json()["count"] == 45
    statuses = [row["platform_status"] for row in answer.json()["items"]]
    assert {"code": 205, "label": "Approuvée"} in statuses and None in statuses


def test_the_invoices_not_sent_yet_are_found_from_the_list(company, user, api):
    """Waiting to be sent (the platform switched off) or failed (waiting for a retry or the
    « Renvoyer » button): found with one filter, on the web and in the API."""
    from comptoir.einvoicing.models import Submission

    invoices = issued_invoices(4)
    states = [Submission.State.TO_SEND, Submission.State.ERROR, Submission.State.SENT, None]
    for invoice, state in zip(invoices, states, strict=True):
        if state:
            Submission.objects.create(invoice=invoice, channel="B2B", syntax="CII", state=state)
    web = WebClient()
    web.force_login(user)
    page = web.get("/invoices/").content.decode()
    assert "Pas encore transmise (en attente ou en erreur)" in page
    rows = rows_of(web, platform_status="not_sent")
    assert [i.number in rows for i in invoices] == [True, True, False, False]
    found = api.get("/invoices?platform_status=not_sent").json()["items"]
    assert sorted(row["number"] for row in found) == sorted(i.number for i in invoices[:2])
