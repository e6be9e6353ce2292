"""A payment typed by mistake is caught (an amount above what is due asks first) and can be
undone: cancelled (it keeps its number), or one allocation taken back as credit."""

from decimal import Decimal

import pytest
from django.utils import timezone

from comptoir.billing import services as billing
from comptoir.core.audit import history
from comptoir.core.roles import SALES
from comptoir.core.services import create_token
from comptoir.payments.accounting import entries
from comptoir.payments.models import Payment
from comptoir.pricing.engine import LineSpec
from conftest import ApiClient, make_user
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def invoice(company):
    """An issued invoice of 5 829,88 € (4 858,23 € + 20 % VAT)."""
    item = ItemFactory(sale_price=D("4858.23"))
    invoice = billing.issue_invoice(billing.create_invoice(CustomerFactory(), [LineSpec(item, 1)]))
    assert invoice.total_gross == D("5829.88")
    return invoice


def _pay(api, invoice, amount: str, **extra):
    return api.post(
        "/payments",
        {
            "customer": invoice.customer_id,
            "amount": amount,
            "allocations": [{"invoice": invoice.pk, "amount": "5829.88"}],
            **extra,
        },
    )


def test_an_amount_above_what_is_due_is_confirmed_explicitly(invoice, api):
    response = _pay(api, invoice, "99999")
    assert response.status_code == 422
    assert response.json()["code"] == "payment.amount_exceeds_due"
    assert response.json()["field"] == "amount"
    assert not Payment.objects.exists()
    assert _pay(api, invoice, "5829.88").status_code == 201  # what is due: no question


def test_confirmed_the_rest_stays_as_credit(invoice, api):
    response = _pay(api, invoice, "99999", confirm_overpayment=True)
    assert response.status_code == 201, response.json()
    assert response.json()["unallocated"] == "94169.12"


def test_cancelling_a_payment_undoes_its_allocations(invoice, api):
    payment = _pay(api, invoice, "99999", confirm_overpayment=True).json()
    url = f"/payments/{payment['id']}/cancel"
    response = api.post(url, {"reason": "  "})
    assert response.status_code == 400
    assert response.json()["code"] == "payment.reason_required"

    response = api.post(url, {"reason": "Montant mal saisi"})
    assert response.status_code == 200, response.json()
    cancelled = response.json()
    assert (cancelled["number"], cancelled["status"]) == (payment["number"], "cancelled")
    assert cancelled["cancel_reason"] == "Montant mal saisi"
    assert cancelled["allocations"] == [] and cancelled["unallocated"] == "0.00"
    again = api.get(f"/invoices/{invoice.pk}").json()
    assert (again["outstanding"], again["payment_status"]) == ("5829.88", "unpaid")
    balance = api.get(f"/customers/{invoice.customer_id}/balance").json()
    assert (balance["paid"], balance["balance"]) == ("0.00", "5829.88")

    response = api.post(url, {"reason": "Encore"})
    assert (response.status_code, response.json()["code"]) == (409, "payment.cancelled")
    response = api.post(f"/payments/{payment['id']}/allocations", {"allocations": []})
    assert response.status_code in (400, 422)

    # The trail: the payment says it was cancelled and why, the invoice that it was unsettled.
    record = Payment.objects.get(pk=payment["id"])
    actions = [entry.action for entry in history(record)]
    assert actions[:2] == ["cancelled", "unallocated"]
    assert history(record)[0].changes["cancel_reason"] == ["", "Montant mal saisi"]
    assert history(invoice)[0].changes["amount_paid"] == ["5829.88", "0.00"]

    # The accounts: the payment's entry stays, reversed on the day it was cancelled.
    today = timezone.localdate()
    bank = [e for e in entries(today.replace(month=1, day=1), today) if e.journal[0] == "BQ"]
    assert [e.piece for e in bank] == [payment["number"]] * 2
    assert sum(line.debit - line.credit for e in bank for line in e.lines) == 0
    assert bank[1].lines[0].credit == D("99999.00")


def test_one_allocation_taken_back_becomes_credit(invoice, api):
    payment = _pay(api, invoice, "5829.88").json()
    (allocation,) = payment["allocations"]
    url = f"/payments/{payment['id']}/allocations/{allocation['id']}"
    response = api.delete(url)
    assert response.status_code == 200, response.json()
    assert response.json()["unallocated"] == "5829.88"
    assert api.get(f"/invoices/{invoice.pk}").json()["outstanding"] == "5829.88"
    response = api.delete(url)
    assert (response.status_code, response.json()["code"]) == (
        400,
        "payment.allocation_of_another_payment",
    )
    # The credit is allocated again.
    response = api.post(
        f"/payments/{payment['id']}/allocations",
        {"allocations": [{"invoice": invoice.pk, "amount": "5829.88"}]},
    )
    assert response.status_code == 200, response.json()
    assert api.get(f"/invoices/{invoice.pk}").json()["payment_status"] == "paid"


def test_a_role_that_only_sees_payments_cannot_undo_them(invoice, api):
    payment = _pay(api, invoice, "5829.88").json()
    _token, key = create_token(make_user("sam", SALES), "tests")
    seller = ApiClient(key)
    assert seller.post(f"/payments/{payment['id']}/cancel", {"reason": "x"}).status_code == 403
    allocation = payment["allocations"][0]["id"]
    assert seller.delete(f"/payments/{payment['id']}/allocations/{allocation}").status_code == 403


def test_credit_is_refunded_to_the_customer(invoice, api, user):
    payment = _pay(api, invoice, "6000.00", confirm_overpayment=True).json()  # 170.12 of credit
    url = f"/payments/{payment['id']}/refunds"
    response = api.post(url, {"amount": "200.00"})
    assert (response.status_code, response.json()["code"]) == (
        400,
        "payment.refund_exceeds_credit",
    )
    response = api.post(url, {"amount": "170.12", "reference": "VIR-REMB-1"})
    assert response.status_code == 201, response.json()
    refunded = response.json()
    assert refunded["unallocated"] == "0.00" and refunded["refunds"][0]["amount"] == "170.12"
    balance = api.get(f"/customers/{invoice.customer_id}/balance").json()
    assert (balance["paid"], balance["balance"]) == ("5829.88", "0.00")
    response = api.post(f"/payments/{payment['id']}/cancel", {"reason": "Erreur"})
    assert (response.status_code, response.json()["code"]) == (400, "payment.refunded")

    record = Payment.objects.get(pk=payment["id"])
    assert history(record)[0].action == "refunded"
    today = timezone.localdate()
    bank = [e for e in entries(today.replace(month=1, day=1), today) if e.journal[0] == "BQ"]
    assert sum(line.debit - line.credit for e in bank for line in e.lines) == 0
    assert sum(line.debit for e in bank for line in e.lines if line.account.startswith("512")) == D(
        "6000.00"
    )


def test_the_refund_page(invoice, api, user):
    from django.test import Client

    payment = _pay(api, invoice, "6000.00", confirm_overpayment=True).json()
    client = Client()
    client.force_login(user)
    page = client.get(f"/payments/{payment['id']}/").content.decode()
    assert f'href="/payments/{payment["id"]}/refund/"' in page
    form = client.get(f"/payments/{payment['id']}/refund/").content.decode()
    assert "170,12" in form
    response = client.post(
        f"/payments/{payment['id']}/refund/",
        {"amount": "170,12", "date": timezone.localdate().isoformat(), "method": "transfer"},
    )
    assert response.status_code == 302
    page = client.get(f"/payments/{payment['id']}/").content.decode()
    assert "Remboursements" in page and "crédit remboursé" in page
    assert f'href="/payments/{payment["id"]}/refund/"' not in page  # no credit left


def test_the_payment_list_tells_cancelled_payments_apart(invoice, api, user):
    from django.test import Client

    kept = _pay(api, invoice, "5829.88").json()
    wrong = api.post(
        "/payments", {"customer": invoice.customer_id, "amount": "10.00", "allocations": []}
    ).json()
    api.post(f"/payments/{wrong['id']}/cancel", {"reason": "Doublon"})
    client = Client()
    client.force_login(user)
    page = client.get("/payments/", {"status": "received"}).content.decode()
    assert kept["number"] in page and wrong["number"] not in page
    page = client.get("/payments/").content.decode()
    assert "Annulé" in page
