"""E-reporting files on their page, in the API and on the command line: prepared, listed,
downloaded, by who may; bad input gets a message, never a 500."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from comptoir.core.money import format_amount
from comptoir.core.roles import ACCOUNTING, SALES
from comptoir.ereporting.models import Report
from conftest import make_user

from .conftest import DAY1

pytestmark = pytest.mark.django_db


def test_the_page_prepares_a_period_and_offers_its_file(client, user, sales):
    """In French, as the page reads."""
    client.force_login(user)
    page = client.get("/ereporting/").content.decode()
    assert "Préparer" in page and "Aucun fichier d’e-reporting" in page
    response = client.post("/ereporting/", {"kind": "transactions", "date": str(DAY1)})
    assert response.status_code == 302
    report = Report.objects.get()
    page = client.get("/ereporting/").content.decode()
    assert f"/ereporting/{report.pk}/file/" in page and "Prêt à envoyer" in page
    assert "01/10/2026 – 10/10/2026" in page and format_amount(Decimal("1056.10")) in page
    response = client.get(f"/ereporting/{report.pk}/file/")
    assert response["Content-Disposition"] == (
        'attachment; filename="e-reporting-ventes-20261001-20261010.xml"'
    )
    assert response.content == bytes(report.content)


def test_the_page_says_what_is_missing(client, user, company):
    client.force_login(user)
    response = client.post("/ereporting/", {"kind": "payments", "date": "2026-10-05"})
    assert response.status_code == 400
    assert "matricule à 4 caractères de votre plateforme agréée" in response.content.decode()


def test_who_may_see_and_prepare(client, sales):
    client.force_login(make_user("compta", ACCOUNTING))
    assert client.get("/ereporting/").status_code == 200
    assert client.post("/ereporting/", {"kind": "transactions"}).status_code == 302
    client.force_login(make_user("vendeur", SALES))
    assert client.get("/ereporting/").status_code == 403


def test_the_api_prepares_lists_and_downloads(api, sales):
    response = api.post("/ereporting/reports", {"kind": "transactions", "date": str(DAY1)})
    assert response.status_code == 201
    report = response.json()
    assert (report["start"], report["end"], report["state"]) == (
        "2026-10-01",
        "2026-10-10",
        "ready",
    )
    assert [r["id"] for r in api.get("/ereporting/reports").json()] == [report["id"]]
    file = api.get(f"/ereporting/reports/{report['id']}/file")
    assert file.status_code == 200 and file.content.startswith(b"<?xml")
    assert api.get("/ereporting/reports/999999/file").status_code == 404
    assert api.post("/ereporting/reports", {"kind": "sales"}).status_code == 422
    Report.objects.update(state=Report.State.SENT)
    again = api.post("/ereporting/reports", {"kind": "transactions", "date": str(DAY1)})
    assert (again.status_code, again.json()["code"]) == (400, "ereporting.already_sent")


def test_the_command_prepares_both_kinds_and_writes_the_files(sales, tmp_path):
    out = io.StringIO()
    call_command(
        "ereporting", "prepare", "--period", "05/10/2026", "--output", str(tmp_path), stdout=out
    )
    assert "transactions 01/10/2026–10/10/2026: ready" in out.getvalue()
    assert "payments 01/10/2026–31/10/2026: ready" in out.getvalue()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "e-reporting-paiements-20261001-20261031.xml",
        "e-reporting-ventes-20261001-20261010.xml",
    ]


@pytest.mark.parametrize("period", ["31/02/2026", "10/2026", "demain"])
def test_the_command_refuses_bad_input_with_exit_code_2(company, period):
    with pytest.raises(CommandError) as error:
        call_command("ereporting", "prepare", "--period", period)
    assert error.value.returncode == 2 and "07/12/2026" in str(error.value)


def test_the_platform_number_is_checked_and_shown_where_it_is_set(client, user, company):
    """Typed with spaces it is kept whole; letters and spaces that make no number are refused
    with a message on the field, nothing saved; the e-reporting page says what is used."""
    from comptoir.core.errors import BusinessError
    from comptoir.core.forms import CompanyForm
    from comptoir.core.models import Company
    from comptoir.core.services import update_company

    client.force_login(user)
    data = {
        name: ("" if value is None else value)
        for name, value in CompanyForm(instance=company).initial.items()
        if name != "logo"
    }
    for wrong in ("A B", "12345", "00-4"):
        response = client.post("/settings/company/", {**data, "platform_id": wrong})
        assert response.status_code == 400, wrong
        assert "n’est pas un matricule de plateforme agréée" in response.content.decode()
    assert Company.get().platform_id == ""
    page = client.get("/ereporting/").content.decode()
    assert "Pour déclarer, indiquez le SIREN de la société et le matricule" in page
    assert 'maxlength="4"' not in client.get("/settings/company/").content.decode()
    response = client.post("/settings/company/", {**data, "platform_id": "00 42"})
    assert response.status_code == 302
    assert Company.get().platform_id == "0042"
    with pytest.raises(BusinessError) as refused:
        update_company(platform_id="A B")
    assert refused.value.field == "platform_id"
    page = client.get("/ereporting/").content.decode()
    assert "par la plateforme agréée de matricule 0042" in page
    assert 'href="/settings/company/#id_platform_id"' in page
