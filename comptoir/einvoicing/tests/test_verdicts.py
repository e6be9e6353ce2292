"""What the seller does after a rejection (213) or a refusal (210), through the API and the
services: the checks that the scenario through the simulator does not walk."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from comptoir.billing import services as billing
from comptoir.billing.models import Invoice
from comptoir.einvoicing.models import LifecycleStatus
from comptoir.einvoicing.queries import verdict
from comptoir.payments.services import register_payment
from comptoir.pricing.engine import LineSpec
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db


def invoice_with(*codes: int, reason_code: str = "", reason: str = "") -> Invoice:
    invoice = billing.issue_invoice(
        billing.create_invoice(CustomerFactory(), [LineSpec(ItemFactory(), Decimal(3))])
    )
    for step, code in enumerate(codes):
        LifecycleStatus.objects.create(
            invoice=invoice,
            code=code,
            at=timezone.now() + timedelta(minutes=step),
            flow_id=f"flow-{step}",
            reason_code=reason_code if code == codes[-1] else "",
            reason=reason if code == codes[-1] else "",
        )
    return invoice


def test_the_api_corrects_a_rejected_invoice_once(company, api):
    rejected = invoice_with(200, 213, reason_code="REJ_UNI")
    answer = api.post(f"/invoices/{rejected.pk}/platform/correction")
    assert answer.status_code == 201, answer.json()
    draft = answer.json()
    assert draft["status"] == "draft" and draft["kind"] == "invoice" and not draft["number"]
    assert draft["total_gross"] == str(rejected.total_gross)
    cancelling = rejected.credit_notes.get()
    assert cancelling.status == Invoice.Status.ISSUED
    assert "Numéro de facture déjà utilisé" in cancelling.notes  # no platform wording: ours
    again = api.post(f"/invoices/{rejected.pk}/platform/correction")
    assert again.status_code == 400 and again.json()["code"] == "credit_note.not_creditable"
    assert rejected.credit_notes.count() == 1


def test_a_paid_rejected_invoice_is_not_cancelled(company, api):
    rejected = invoice_with(200, 213)
    register_payment(rejected.customer, Decimal(1), allocations=[(rejected, Decimal(1))])
    answer = api.post(f"/invoices/{rejected.pk}/platform/correction")
    assert answer.status_code == 400 and answer.json()["code"] == "invoice.paid_only_credit"
    assert not rejected.credit_notes.exists()


def test_the_api_makes_the_credit_note_of_a_refused_invoice_once(company, api):
    refused = invoice_with(200, 202, 203, 210, reason_code="CMD_ERR")
    answer = api.post(f"/invoices/{refused.pk}/platform/credit-note")
    assert answer.status_code == 201, answer.json()
    credit_note = answer.json()
    assert credit_note["kind"] == "credit_note" and credit_note["status"] == "draft"
    assert credit_note["credited_invoice_id"] == refused.pk
    assert credit_note["total_gross"] == str(refused.total_gross)
    again = api.post(f"/invoices/{refused.pk}/platform/credit-note")
    assert again.status_code == 200 and again.json()["id"] == credit_note["id"]
    # Once its draft is deleted, the refusal proposes its credit note again.
    billing.delete_invoice(Invoice.objects.get(pk=credit_note["id"]))
    assert api.post(f"/invoices/{refused.pk}/platform/credit-note").status_code == 201


def test_only_the_latest_status_counts(company, api):
    approved = invoice_with(200, 213, 200, 205)  # sent again after a rejection, then approved
    assert verdict(approved) is None
    answer = api.post(f"/invoices/{approved.pk}/platform/correction")
    assert answer.status_code == 400 and answer.json()["code"] == "platform.not_rejected"
    assert "n’a pas été rejetée" in answer.json()["message"]
    answer = api.post(f"/invoices/{approved.pk}/platform/credit-note")
    assert answer.status_code == 400 and answer.json()["code"] == "platform.not_refused"
    draft = billing.create_invoice(CustomerFactory(), [LineSpec(ItemFactory(), Decimal(1))])
    assert api.post(f"/invoices/{draft.pk}/platform/credit-note").status_code == 400


def test_a_reason_is_shown_in_words_never_as_a_code(company):
    [status] = invoice_with(210, reason_code="TX_TVA_ERR").lifecycle.all()
    assert status.reason_text == "Taux de TVA erroné"  # the code's words
    [status] = invoice_with(210, reason_code="TX_TVA_ERR", reason=" Taux erroné ").lifecycle.all()
    assert status.reason_text == "Taux erroné"  # the platform's own, first
    [status] = invoice_with(213, reason_code="REJ_INCONNU").lifecycle.all()
    assert status.reason_text == ""  # a code without words shows nothing rather than itself


def test_a_rejected_credit_note_is_flagged_without_a_button_that_would_fail(company, user):
    from django.test import Client as WebClient

    invoice = invoice_with(200, 205)
    credit_note = billing.issue_invoice(billing.credit_invoice(invoice))
    LifecycleStatus.objects.create(
        invoice=credit_note, code=213, at=timezone.now(), flow_id="flow-credit"
    )
    web = WebClient()
    web.force_login(user)
    html = web.get(credit_note.get_absolute_url()).content.decode()
    assert 'data-verdict="rejected"' in html and "/correction/" not in html
    html = web.get(invoice_with(200, 213).get_absolute_url()).content.decode()
    assert 'data-verdict="rejected"' in html and "/correction/" in html


def test_a_read_only_user_sees_the_verdict_without_its_buttons(company):
    from django.test import Client as WebClient

    from comptoir.core.roles import READ_ONLY
    from conftest import make_user

    rejected, refused = invoice_with(200, 213), invoice_with(200, 210)
    web = WebClient()
    web.force_login(make_user("lea", READ_ONLY))
    for invoice, url in ((rejected, "/correction/"), (refused, "/refusal-credit-note/")):
        html = web.get(invoice.get_absolute_url()).content.decode()
        assert 'id="platform-verdict"' in html and url not in html
        assert web.post(f"/invoices/{invoice.pk}{url}").status_code == 403
    assert not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()
