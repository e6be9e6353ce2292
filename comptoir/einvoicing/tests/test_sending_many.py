"""Many issued invoices sent together by the job worker (``send_many``): each is one flow with
its own file, a fault is recorded on the invoice it struck, a worker killed in the middle of a
batch makes no second flow, and the reads and writes do not grow with the invoices."""

from decimal import Decimal

import pytest

from comptoir.billing.services import create_invoice, issue_invoices
from comptoir.billing.ubl import build_ubl
from comptoir.einvoicing import services
from comptoir.einvoicing.models import PlatformConnection, Submission
from comptoir.einvoicing.tests.conftest import control, french_business
from comptoir.einvoicing.tests.killing import SEND_MANY, kill_while_sending
from comptoir.pricing.engine import LineSpec

pytestmark = pytest.mark.django_db


def issued(chair, count: int) -> list[Submission]:
    """Invoices issued while connected in UBL: their submissions queued, not yet sent."""
    customer = french_business()
    invoices = issue_invoices(
        [create_invoice(customer, [LineSpec(chair, Decimal(n + 1))]) for n in range(count)]
    )
    return list(Submission.objects.filter(invoice__in=invoices).order_by("pk"))


def flows_of(submission: Submission) -> list[dict]:
    return services.client().search({"trackingId": submission.tracking_id})


def test_each_invoice_is_one_flow_with_its_own_file(connected, chair, monkeypatch):
    services.save_connection(syntax=PlatformConnection.Syntax.UBL)
    monkeypatch.setattr(services, "BATCH", 2)  # three batches, the last one short
    submissions = issued(chair, 5)
    assert services.send_many([s.pk for s in submissions]) == 5
    platform = services.client()
    for submission in submissions:
        submission.refresh_from_db()
        assert submission.state == Submission.State.SENT and submission.attempts == 1
        [flow] = flows_of(submission)
        assert flow["flowId"] == submission.flow_id
        assert platform.download(submission.flow_id) == build_ubl(submission.invoice)
    assert services.send_many([s.pk for s in submissions]) == 0  # never twice


def test_a_fault_is_recorded_on_the_invoice_it_struck(connected, chair, pasim):
    services.save_connection(syntax=PlatformConnection.Syntax.UBL)
    submissions = issued(chair, 3)
    control(pasim, "faults", path="/flow-service/v1/flows", status=503, times=1)
    assert services.send_many([s.pk for s in submissions]) == 2
    states = sorted(Submission.objects.values_list("state", flat=True))
    assert states == ["error", "sent", "sent"]
    failed = Submission.objects.get(state=Submission.State.ERROR)
    assert failed.retry_at and "indisponible pour le moment" in failed.message


def test_the_queries_do_not_grow_with_the_invoices(connected, chair, django_assert_max_num_queries):
    services.save_connection(syntax=PlatformConnection.Syntax.UBL)
    services.send_many([s.pk for s in issued(chair, 2)])  # the customer's directory entry read
    submissions = issued(chair, 20)
    # Per invoice: its company and lines (UBL); the rest per batch.
    with django_assert_max_num_queries(20 * 2 + 20):
        assert services.send_many([s.pk for s in submissions]) == 20


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_a_batch_makes_no_second_flow(connected, chair, pasim):
    services.save_connection(enabled=False, syntax=PlatformConnection.Syntax.UBL)
    customer = french_business()
    invoices = issue_invoices(
        [create_invoice(customer, [LineSpec(chair, Decimal(n + 1))]) for n in range(4)]
    )
    submissions = list(Submission.objects.filter(invoice__in=invoices).order_by("pk"))
    assert {s.state for s in submissions} == {Submission.State.TO_SEND}
    # Switched on again behind the service's back: they stay for the worker below.
    PlatformConnection.objects.filter(pk=1).update(enabled=True)
    control(pasim, "faults", path="/flow-service/v1/flows", delay=3, times=4)
    kill_while_sending(SEND_MANY, submissions)
    killed = list(Submission.objects.order_by("pk"))
    assert all(s.state == Submission.State.TO_SEND and s.attempts == 1 for s in killed)

    assert services.send_many([s.pk for s in killed]) == 4
    for submission in Submission.objects.all():
        assert submission.state == Submission.State.SENT and submission.attempts == 2
        [flow] = flows_of(submission)
        assert flow["flowId"] == submission.flow_id
