"""The simulator checks a UBL invoice as it checks CII: with the EN 16931 and French rules."""

import json
import uuid
from decimal import Decimal

import pytest
from lxml import etree

from comptoir.pasim.tests.test_simulator import api, lifecycle, submit, token


@pytest.fixture
def bearer(pasim):
    return {"Authorization": f"Bearer {json.loads(token(pasim)[2])['access_token']}"}


@pytest.fixture
def ubl(company):
    from comptoir.billing.services import create_invoice, issue_invoice
    from comptoir.billing.ubl import build_ubl
    from comptoir.parties.services import create_customer
    from comptoir.pricing.engine import LineSpec
    from examples.facturx import PARIS, catalogue, seller

    seller()
    customer = create_customer(name="Client Francais", siren="732829320", addresses=PARIS)
    invoice = issue_invoice(create_invoice(customer, [LineSpec(catalogue()["chair"], 2)]))
    return invoice.number, build_ubl(invoice)


def acknowledged(pasim, bearer, content: bytes) -> tuple[dict, dict]:
    status, flow = submit(
        pasim, bearer, content, {"flowSyntax": "UBL", "trackingId": uuid.uuid4().hex}
    )
    assert status == 202
    _, _, data = api(pasim, bearer, "GET", f"/flow-service/v1/flows/{flow['flowId']}")
    return flow, json.loads(data)["acknowledgement"]


@pytest.mark.django_db
def test_a_valid_ubl_invoice_is_taken(pasim, bearer, ubl):
    number, xml = ubl
    flow, acknowledgement = acknowledged(pasim, bearer, xml)

    assert acknowledgement == {"status": "Ok"}
    assert lifecycle(pasim, bearer, flow, number) == [200]


@pytest.mark.django_db
def test_an_invalid_ubl_invoice_is_rejected_213(pasim, bearer, ubl):
    number, xml = ubl
    root = etree.fromstring(xml)
    payable = root.find(".//{*}LegalMonetaryTotal/{*}PayableAmount")
    payable.text = str(Decimal(payable.text) + 1)  # no longer what the totals say

    flow, acknowledgement = acknowledged(pasim, bearer, etree.tostring(root))

    assert acknowledgement["status"] == "Error"
    assert all(detail["reasonCode"] == "REJ_SEMAN" for detail in acknowledgement["details"])
    assert lifecycle(pasim, bearer, flow, number) == [200, 213]
