"""The simulator's webhook calls follow the Flow Service's WebhookCallbackContent."""

from datetime import UTC, datetime

import pytest

from comptoir.pasim.openapi import Drift, check_callback
from comptoir.pasim.platform import Flow


def test_the_body_of_a_webhook_call_is_checked_against_the_openapi_file():
    flow = Flow(
        flow_id="3f1c7c1e-8d1f-4c8e-9f5e-0a1b2c3d4e5f",
        flow_type="CustomerInvoiceLC",
        direction="In",
        syntax="CDAR",
        content=b"<x/>",
        sha256="0" * 64,
        submitted_at=datetime.now(UTC),
    )
    check_callback({"flowInfo": flow.info()})
    with pytest.raises(Drift, match="flowType"):
        check_callback({"flowInfo": {**flow.info(), "flowType": "Invoice"}})
    with pytest.raises(Drift, match="flowId"):
        check_callback({"flowInfo": {**flow.info(), "flowId": "x" * 37}})
