"""Supplier invoices as users meet them: the upload page, the list with its filters, the page of
one invoice with its match and decisions, the original file; the API and the command line;
who may do what."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from comptoir.core.roles import PURCHASING, SALES, WAREHOUSE
from comptoir.purchasing.services import create_supplier
from comptoir.supplierinvoices.models import ReceptionSettings, SupplierInvoice
from comptoir.supplierinvoices.tests.test_reading import EXAMPLES, REFUSED, example
from comptoir.supplierinvoices.tests.test_services import order_for_use_case
from conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def vendeur(company):
    return create_supplier(code="VENDEUR", name="Le Vendeur", siren="100000009")


@pytest.fixture
def buyer(company):
    client = Client()
    client.force_login(make_user("paul", PURCHASING))
    return client


def upload(client, content: bytes, name: str = "facture.xml"):
    file = io.BytesIO(content)
    file.name = name
    return client.post("/supplier-invoices/receive/", {"file": file})


def test_receive_read_and_approve_through_the_pages(buyer, vendeur):
    order_for_use_case(vendeur)
    response = upload(buyer, example("UC1_F202500003", "UBL"))
    assert response.status_code == 302
    invoice = SupplierInvoice.objects.get()
    page = buyer.get(response.url).content.decode()
    for shown in ("F202500003", "LE VENDEUR", "SERVICE_FOURNI1", "12\u202f000,00", "Correspond"):
        assert shown in page or shown.replace("\u202f", "\u00a0") in page, shown
    assert "approve-form" in page and "refuse-form" in page
    # Words, not codes: the format, the unit, the fingerprint in a detail, France unsaid.
    assert "(UBL 2.1 (XML))" in page and "(UBL)" not in page
    assert "SHA-256" not in page and "Empreinte du fichier reçu" in page
    assert "200 heures" in page and " FR<" not in page
    again = upload(buyer, example("UC1_F202500003", "UBL"))
    assert again.url == response.url and SupplierInvoice.objects.count() == 1
    file = buyer.get(f"/supplier-invoices/{invoice.pk}/file/")
    assert file.content == example("UC1_F202500003", "UBL")
    assert buyer.post(f"/supplier-invoices/{invoice.pk}/approve/").status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == "approved"
    page = buyer.get(response.url).content.decode()
    assert "Approuvée" in page and "205" not in page and "à envoyer" in page
    assert "approve-form" not in page
    # decided: deciding again is refused in words, on the page
    response = buyer.post(
        f"/supplier-invoices/{invoice.pk}/refuse/",
        {"refuse-reason_code": "CMD_ERR", "refuse-reason": ""},
        follow=True,
    )
    assert "elle est définitive" in response.content.decode()
    assert invoice.decisions.count() == 1


def test_a_refusal_from_the_page_needs_its_reason(buyer, vendeur):
    upload(buyer, example("UC3_F202500005", "CII"))
    invoice = SupplierInvoice.objects.get()
    response = buyer.post(
        f"/supplier-invoices/{invoice.pk}/refuse/", {"refuse-reason_code": ""}, follow=True
    )
    assert "Choisissez le motif" in response.content.decode()
    buyer.post(
        f"/supplier-invoices/{invoice.pk}/refuse/",
        {"refuse-reason_code": "CMD_ERR", "refuse-reason": "Pas commandé"},
    )
    invoice.refresh_from_db()
    assert invoice.status == "refused"
    assert invoice.decisions.get().reason_code == "CMD_ERR"


@pytest.mark.parametrize("name", ["xxe", "a-lifecycle-message", "malformed"])
def test_a_bad_file_is_said_on_the_form(buyer, name):
    response = upload(buyer, REFUSED[name][0])
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert SupplierInvoice.objects.count() == 0


def test_a_held_invoice_gets_its_supplier_on_its_page(buyer, company):
    upload(buyer, example("UC2_F202500004", "CII"))
    invoice = SupplierInvoice.objects.get()
    assert "supplier-form" in buyer.get(f"/supplier-invoices/{invoice.pk}/").content.decode()
    # Found in the list by the seller's name the invoice states, no supplier chosen yet.
    found = buyer.get("/supplier-invoices/", {"q": "le vendeur"}).content.decode()
    assert invoice.number in found.split("<tbody>")[1]
    supplier = create_supplier(code="V", name="Vendeur")
    buyer.post(f"/supplier-invoices/{invoice.pk}/supplier/", {"supplier": supplier.pk})
    invoice.refresh_from_db()
    assert (invoice.status, invoice.supplier) == ("received", supplier)


def test_the_list_filters_by_status_and_supplier(buyer, vendeur, django_assert_max_num_queries):
    other = create_supplier(code="AUTRE", name="Autre fournisseur", siren="732829320")
    upload(buyer, example("UC1_F202500003", "CII"))
    upload(buyer, example("UC3_F202500005", "UBL"))
    SupplierInvoice.objects.filter(number="F202500005").update(supplier=other, status="refused")
    with django_assert_max_num_queries(12):
        page = buyer.get("/supplier-invoices/").content.decode()
    assert "F202500003" in page and "F202500005" in page
    page = buyer.get("/supplier-invoices/?status=refused").content.decode()
    assert "F202500005" in page and "F202500003" not in page
    page = buyer.get(f"/supplier-invoices/?supplier={vendeur.pk}").content.decode()
    assert "F202500003" in page and "F202500005" not in page
    menu = buyer.get("/").content.decode()
    assert "/supplier-invoices/" in menu


ACCOUNTS = {
    "account_suppliers": "401000",
    "account_purchases": "607000",
    "account_services": "604000",
    "account_allowances": "609000",
    "account_vat": "445660",
}


def test_the_reception_settings_page(buyer):
    response = buyer.post(
        "/supplier-invoices/settings/",
        {
            "unknown_supplier": "create",
            "price_tolerance_pct": "2,5",
            "quantity_tolerance": "1",
            **ACCOUNTS,
            "account_suppliers": "401100",
        },
    )
    assert response.status_code == 302
    assert ReceptionSettings.get().account_suppliers == "401100"
    response = buyer.post(
        "/supplier-invoices/settings/",
        {
            "unknown_supplier": "create",
            "price_tolerance_pct": "250",
            "quantity_tolerance": "1",
            **ACCOUNTS,
        },
    )
    assert response.status_code == 400


def test_roles_as_for_purchase_orders(company):
    for role, status in ((SALES, 403), (WAREHOUSE, 403)):
        client = Client()
        client.force_login(make_user(f"user-{role}", role))
        assert client.get("/supplier-invoices/").status_code == status, role


def test_receive_and_decide_through_the_api(api, vendeur):
    order_for_use_case(vendeur)
    file = io.BytesIO(example("UC1_F202500003", "CII"))
    file.name = "F202500003.xml"
    response = api.client.post("/api/supplier-invoices", {"file": file})
    assert response.status_code == 201
    body = response.json()
    assert (body["number"], body["total_gross"], body["match"]) == (
        "F202500003",
        "12000.00",
        "matched",
    )
    file.seek(0)
    assert api.client.post("/api/supplier-invoices", {"file": file}).status_code == 200
    pk = body["id"]
    assert api.get("/supplier-invoices?status=received").json()["count"] == 1
    refused = api.post(f"/supplier-invoices/{pk}/decision", {"status": 210})
    assert refused.status_code == 422
    assert refused.json()["code"] == "cdar_reason_required"
    response = api.post(
        f"/supplier-invoices/{pk}/decision", {"status": 207, "reason_code": "PU_ERR"}
    )
    assert response.status_code == 201
    assert response.json()["status"] == "disputed"
    assert response.json()["decisions"][0]["sent_at"] is None
    twice = api.post(f"/supplier-invoices/{pk}/decision", {"status": 207, "reason_code": "PU_ERR"})
    assert twice.status_code == 409
    assert twice.json()["code"] == "supplier_invoice.already_decided"
    settled = api.post(f"/supplier-invoices/{pk}/decision", {"status": 205})  # the dispute settled
    assert settled.status_code == 201 and settled.json()["status"] == "approved"
    again = api.post(f"/supplier-invoices/{pk}/decision", {"status": 205})
    assert again.status_code == 409
    assert again.json()["code"] == "supplier_invoice.already_decided"
    hostile = io.BytesIO(REFUSED["billion-laughs"][0])
    hostile.name = "x.xml"
    response = api.client.post("/api/supplier-invoices", {"file": hostile})
    assert response.status_code == 422
    assert response.json()["code"] == "supplier_invoice.hostile"


def test_receive_from_the_command_line(vendeur, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    files = [EXAMPLES / "UC1_F202500003_00-INV_20250701_UBL.xml"]
    call_command("receive_supplier_invoice", *files, stdout=out, stderr=err)
    assert "F202500003" in out.getvalue()
    bad = tmp_path / "bad.xml"
    bad.write_bytes(REFUSED["xxe"][0])
    with pytest.raises(CommandError) as failed:
        call_command("receive_supplier_invoice", bad, *files, stdout=out, stderr=err)
    assert failed.value.returncode == 2
    assert "bad.xml" in err.getvalue()
    assert SupplierInvoice.objects.count() == 1


def test_several_files_are_received_at_once_each_with_its_line(buyer, vendeur):
    files = []
    for content, name in [
        (example("UC1_F202500003", "CII"), "uc1.xml"),
        (example("UC1_F202500003", "UBL"), "uc1-ubl.xml"),
        (b"<html>not an invoice</html>", "page.html"),
    ]:
        file = io.BytesIO(content)
        file.name = name
        files.append(file)
    response = buyer.post("/supplier-invoices/receive/", {"file": files}, follow=True)
    assert response.redirect_chain[-1][0] == "/supplier-invoices/"
    said = [str(message) for message in response.context["messages"]]
    assert len(said) == 3
    assert said[0] == "uc1.xml\u00a0: Facture F202500003 reçue."
    assert said[1].startswith("uc1-ubl.xml\u00a0: Facture F202500003 reçue, en attente\u00a0:")
    assert "déjà été reçue, dans un autre fichier" in said[1]
    assert said[2].startswith("page.html\u00a0: ")
    first, duplicate = SupplierInvoice.objects.order_by("pk")
    page = buyer.get(f"/supplier-invoices/{duplicate.pk}/").content.decode()
    assert "held-because" in page and f"/supplier-invoices/{first.pk}/" in page
    assert "pas une deuxième facture à payer" in page
    assert "approve-form" not in page and "refuse-form" not in page


def test_a_held_invoice_of_another_company_can_only_be_refused_on_its_page(buyer, vendeur):
    from comptoir.core.services import update_company

    update_company(siren="552100554", vat_id="FR96552100554")
    upload(buyer, example("UC1_F202500003", "UBL"))
    invoice = SupplierInvoice.objects.get()
    page = buyer.get(f"/supplier-invoices/{invoice.pk}/").content.decode()
    assert "Adressée à une autre entreprise." in page
    assert "approve-form" not in page and "refuse-form" in page
    response = buyer.post(f"/supplier-invoices/{invoice.pk}/approve/", follow=True)
    said = [str(message) for message in response.context["messages"]]
    assert said == [
        "Adressée à une autre entreprise. Elle ne peut pas être approuvée\u00a0: refusez-la."
    ]


def test_the_page_says_when_a_decision_was_sent_or_why_not(buyer, vendeur):
    from django.utils import timezone

    from comptoir.supplierinvoices.models import Decision

    upload(buyer, example("UC1_F202500003", "UBL"))
    invoice = SupplierInvoice.objects.get()
    buyer.post(f"/supplier-invoices/{invoice.pk}/approve/")
    decision = Decision.objects.get()
    failure = "La plateforme est indisponible pour le moment\u00a0; l’envoi sera retenté plus tard."
    Decision.objects.filter(pk=decision.pk).update(failure=failure, retry_at=timezone.now())
    page = buyer.get(f"/supplier-invoices/{invoice.pk}/").content.decode()
    assert "non envoyée\u00a0: La plateforme est indisponible" in page and "Nouvel essai le" in page
    Decision.objects.filter(pk=decision.pk).update(failure="", sent_at=timezone.now())
    page = buyer.get(f"/supplier-invoices/{invoice.pk}/").content.decode()
    assert "envoyée le" in page and "non envoyée" not in page
    detail = buyer.get(f"/api/supplier-invoices/{invoice.pk}")
    assert detail.json()["decisions"][0]["sent_at"] is not None


def test_the_files_the_platform_gave_that_could_not_be_read_are_listed(buyer):
    from comptoir.supplierinvoices.models import IncomingFlow

    IncomingFlow.objects.create(
        flow_id="f-1",
        syntax="UBL",
        state="unreadable",
        reason="Ce fichier n’est pas une facture.",
        content=b"<html/>",
    )
    page = buyer.get("/supplier-invoices/").content.decode()
    assert "flows-in-trouble" in page and "1 fichier de la plateforme" in page
    page = buyer.get("/supplier-invoices/platform-files/").content.decode()
    assert "Ce fichier n’est pas une facture." in page and "illisible" in page
    flow = IncomingFlow.objects.get()
    file = buyer.get(f"/supplier-invoices/platform-files/{flow.pk}/")
    assert file.content == b"<html/>"
