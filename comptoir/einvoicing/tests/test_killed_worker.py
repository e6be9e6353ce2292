"""A worker process killed (SIGKILL) while the platform is taking its submission: sent again,
the invoice is one flow on the platform, not two."""

from decimal import Decimal

import pytest

from comptoir.billing.services import create_invoice, issue_invoice
from comptoir.einvoicing import services
from comptoir.einvoicing.models import PlatformConnection, Submission
from comptoir.einvoicing.tests.conftest import control, french_business
from comptoir.einvoicing.tests.killing import SEND, kill_while_sending
from comptoir.pricing.engine import LineSpec

pytestmark = pytest.mark.django_db(transaction=True)


def test_kill_9_between_sending_and_recording_makes_one_flow(connected, chair, pasim):
    # UBL is made from the database alone: the worker process needs no stored files.
    services.save_connection(enabled=False, syntax=PlatformConnection.Syntax.UBL)
    invoice = issue_invoice(create_invoice(french_business(), [LineSpec(chair, Decimal("3"))]))
    submission = Submission.objects.get(invoice=invoice, state=Submission.State.TO_SEND)
    # Switched on again behind the service's back: the submission stays for the worker below.
    PlatformConnection.objects.filter(pk=1).update(enabled=True)
    control(pasim, "faults", path="/flow-service/v1/flows", delay=3)
    kill_while_sending(SEND, [submission])
    killed = Submission.objects.get(pk=submission.pk)
    assert killed.state == Submission.State.TO_SEND and killed.attempts == 1
    platform = services.client()
    assert len(platform.search({"trackingId": killed.tracking_id})) == 1

    sent = services.send_submission(submission.pk)
    assert sent.state == Submission.State.SENT and sent.attempts == 2
    [flow] = platform.search({"trackingId": killed.tracking_id})
    assert flow["flowId"] == sent.flow_id
