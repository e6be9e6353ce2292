"""A seller's week on the approved platform (the simulator, over real HTTP): three invoices go
through to « Approuvée »; one, with a date of supply typed 1926 instead of 2026, is rejected by
the platform and corrected; one is refused by its customer and cancelled by its credit note.
When one of the approved invoices is paid in full, Comptoir tells the platform it was received
(212). Each step is checked on the invoice page, in the invoice list and in the API."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client as WebClient

from comptoir.billing.models import Invoice
from comptoir.billing.services import create_invoice, issue_invoice, update_invoice
from comptoir.einvoicing import services
from comptoir.einvoicing.errors import EinvoicingError
from comptoir.einvoicing.models import LifecycleStatus, OutgoingStatus, Submission
from comptoir.einvoicing.tests.conftest import control, french_business
from comptoir.einvoicing.tests.validation import validate_cdar
from comptoir.parties.services import create_customer
from comptoir.pasim.testing import REFUSING_BUYER
from comptoir.payments.services import register_payment
from comptoir.pricing.engine import LineSpec
from comptoir.scheduling.services import run_due

pytestmark = pytest.mark.django_db

APPROVED = [200, 202, 203, 204, 205]


def codes(invoice) -> list[int]:
    return list(LifecycleStatus.objects.filter(invoice=invoice).values_list("code", flat=True))


def send(invoice, capture) -> Invoice:
    """Issue the draft; the job worker sends it once the issuing commits."""
    with capture(execute=True):
        invoice = issue_invoice(invoice)
    submission = Submission.objects.get(invoice=invoice)
    assert submission.state == Submission.State.SENT, submission.message
    return invoice


def shown(html: str) -> str:
    """The words a page shows (without its tags and their attributes)."""
    return re.sub(r"<[^>]+>", " ", html.split("<main")[1])


def listed(web, **filters) -> str:
    """The rows of the invoice list."""
    html = web.get("/invoices/", filters).content.decode()
    return html.split("<tbody>")[1].split("</tbody>")[0]


def test_approved_rejected_and_refused_invoices(
    connected, chair, pasim, user, api, django_capture_on_commit_callbacks
):
    from examples.facturx import PARIS

    capture = django_capture_on_commit_callbacks
    web = WebClient()
    web.force_login(user)
    customer = french_business()
    refusing = create_customer(name="Sous Traitant", siren=REFUSING_BUYER, addresses=PARIS)

    # Monday: three invoices issued, sent, deposited.
    good = [send(create_invoice(customer, [LineSpec(chair, n)]), capture) for n in (1, 2, 3)]
    # A date of supply typed 1926 instead of 2026: Comptoir issues it, the platform's French
    # rules (BR-FR-03, years 2000 to 2099) reject it.
    typo = create_invoice(customer, [LineSpec(chair, Decimal("4"))], supply_date=date(1926, 12, 7))
    invalid = send(typo, capture)
    refused = send(create_invoice(refusing, [LineSpec(chair, Decimal("5"))]), capture)
    assert "einvoicing.platform" in run_due()  # the scheduled job reads the platform
    for invoice in good:
        assert codes(invoice) == [200]
    assert codes(invalid) == [200, 213]
    assert codes(refused) == [200]

    # The week goes on: the platform and the customers move every invoice on, four times.
    for _ in range(4):
        control(pasim, "advance")
    services.poll_lifecycle()
    for invoice in good:
        assert codes(invoice) == APPROVED  # every status kept, in order
    assert codes(invalid) == [200, 213]  # a rejected invoice goes no further
    assert codes(refused) == [200, 202, 203, 210]
    assert services.poll_lifecycle() == 0  # nothing twice

    # The list says where each invoice stands, and filters on it.
    page = listed(web)
    assert page.count("Approuvée") >= 3 and "Rejetée" in page and "Refusée" in page
    page = listed(web, platform_status="to_correct")
    assert invalid.number in page
    assert not any(i.number in page for i in [*good, refused])
    page = listed(web, platform_status="205")
    assert all(i.number in page for i in good) and invalid.number not in page
    rows = api.get("/invoices?platform_status=to_correct").json()["items"]
    assert [row["number"] for row in rows] == [invalid.number]
    assert rows[0]["platform_status"] == {"code": 213, "label": "Rejetée"}
    answer = api.get("/invoices?platform_status=rejected")
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_value"

    # The rejected invoice's page says why, in French words, and offers its correction.
    html = web.get(invalid.get_absolute_url()).content.decode()
    assert 'data-verdict="rejected"' in html
    assert "La plateforme agréée a rejeté cette facture" in html
    assert "doit contenir une année entre 2000 et 2099" in html  # the platform's words
    for code in ("REJ_SEMAN", "BR-FR", "BT-72", "udt:"):
        assert code not in shown(html), code
    # No status code either; the file's SHA-256 (hexadecimal) may hold the digits by chance.
    assert not re.search(r"(?<![0-9a-f])213(?![0-9a-f])", shown(html))
    assert "/correction/" in html.split('id="platform-verdict"')[1].split("</dd>")[0]
    with pytest.raises(services.BusinessError) as refusal:
        services.credit_refused_invoice(invalid)
    assert refusal.value.code == EinvoicingError.NOT_REFUSED

    # Corrected: cancelled by a credit note issued at once, a draft copy opens.
    with capture(execute=True):
        response = web.post(f"/invoices/{invalid.pk}/correction/")
    draft = Invoice.objects.get(status=Invoice.Status.DRAFT, kind=Invoice.Kind.INVOICE)
    assert response.url == draft.get_absolute_url()
    invalid.refresh_from_db()
    assert invalid.amount_credited == invalid.total_gross  # issued, never edited
    [cancelling] = invalid.credit_notes.all()
    assert cancelling.status == Invoice.Status.ISSUED and "rejetée" in cancelling.notes
    assert invalid.number not in listed(web, platform_status="to_correct")
    html = web.get(invalid.get_absolute_url()).content.decode()
    assert cancelling.number in html and "/correction/" not in html
    answer = web.post(f"/invoices/{invalid.pk}/correction/", follow=True)
    assert Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).count() == 1  # never twice
    # The copy gets its right date, is issued and goes through.
    update_invoice(draft, supply_date=date(2026, 12, 7))
    corrected = send(draft, capture)
    control(pasim, "advance", flowId=Submission.objects.get(invoice=corrected).flow_id)
    services.poll_lifecycle()
    assert codes(corrected) == [200, 202]

    # The refused invoice's page shows the customer's reason and proposes its credit note.
    html = web.get(refused.get_absolute_url()).content.decode()
    assert 'data-verdict="refused"' in html and "Taux de TVA erroné" in html
    for code in ("TX_TVA_ERR", "210"):
        assert code not in shown(html), code
    assert 'data-action="credit-refused"' in html
    response = web.post(f"/invoices/{refused.pk}/refusal-credit-note/")
    credit_note = refused.credit_notes.get()
    assert response.url == credit_note.get_absolute_url()
    assert credit_note.status == Invoice.Status.DRAFT
    assert credit_note.total_gross == refused.total_gross  # the whole invoice
    assert "Taux de TVA erroné" in credit_note.notes
    # A second click (or a second tab) makes none: it leads to the same credit note.
    response = web.post(f"/invoices/{refused.pk}/refusal-credit-note/")
    assert response.url == credit_note.get_absolute_url()
    answer = api.post(f"/invoices/{refused.pk}/platform/credit-note")  # the API: the same one
    assert answer.status_code == 200 and answer.json()["id"] == credit_note.pk
    assert refused.credit_notes.count() == 1
    answer = api.post(f"/invoices/{refused.pk}/platform/correction")
    assert answer.status_code == 400 and answer.json()["code"] == "platform.not_rejected"
    html = web.get(refused.get_absolute_url()).content.decode()
    assert 'data-action="credit-refused"' not in html
    assert credit_note.get_absolute_url() in html.split('id="platform-verdict"')[1]
    with pytest.raises(services.BusinessError) as refusal:
        services.correct_rejected_invoice(refused)
    assert refusal.value.code == EinvoicingError.NOT_REJECTED

    # Friday: the first approved invoice is paid in full; Comptoir sends its 212 « Encaissée ».
    paid = good[0]
    with capture(execute=True):
        register_payment(paid.customer, paid.total_gross, allocations=[(paid, paid.total_gross)])
    row = OutgoingStatus.objects.get(invoice=paid)
    assert row.code == 212 and row.state == OutgoingStatus.State.SENT, row.message
    assert validate_cdar(bytes(row.content)) == []
    [flow] = services.client().search({"trackingId": row.tracking_id})
    assert flow["flowId"] == row.flow_id and flow["acknowledgement"]["status"] == "Ok"
    assert codes(paid) == [*APPROVED, 212]
    timeline = web.get(paid.get_absolute_url()).content.decode().split('id="lifecycle"')[1]
    assert "Encaissée" in timeline.split("</ol>")[0]
    assert api.get(f"/invoices/{paid.pk}/platform").json()["statuses"][-1]["sent_by_us"]
