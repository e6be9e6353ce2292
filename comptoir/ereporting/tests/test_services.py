"""Preparing a period's file: the period the VAT regime sets, made again in place until it is
sent, never twice, never replaced once sent; the file to send and its fingerprint."""

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.utils import timezone

from comptoir.billing.tests.validation import assert_valid
from comptoir.core.errors import BusinessError
from comptoir.core.services import update_company
from comptoir.ereporting import services
from comptoir.ereporting.models import Report

from .conftest import DAY1, DAY2, issue
from .validation import validate_flux10

pytestmark = pytest.mark.django_db


def test_a_decade_is_prepared_ready_to_send_with_its_fingerprint(sales):
    report = services.prepare_report("transactions", DAY1)
    assert (report.start, report.end, report.state) == (
        dt.date(2026, 10, 1), dt.date(2026, 10, 10), Report.State.READY,
    )  # fmt: skip
    # Consumers: 111.10 + 90.00 + 45.00 − 45.00; abroad: Italy 540.00, Switzerland 315.00.
    assert report.count == 6
    assert (report.amount, report.vat) == (Decimal("1056.10"), Decimal("37.16"))
    name, content, sha256 = services.file_to_send(report)
    assert name == "e-reporting-ventes-20261001-20261010.xml"
    assert sha256 == hashlib.sha256(content).hexdigest() == report.sha256
    assert_valid(validate_flux10(content), "the prepared file")


def test_preparing_again_replaces_the_file_not_sent_and_never_makes_two(sales, items, people):
    first = services.prepare_report("transactions", DAY1)
    issue(people["consumer"], [("book", 1)], items, DAY2)
    again = services.prepare_report("transactions", dt.date(2026, 10, 9))
    assert again.pk == first.pk and Report.objects.count() == 1
    assert again.sha256 != first.sha256 and again.amount == first.amount + Decimal("21.10")


def test_a_file_sent_is_never_made_again(sales):
    report = services.prepare_report("transactions", DAY1)
    services.mark_sent(report, "flow-1")
    with pytest.raises(BusinessError) as error:
        services.prepare_report("transactions", DAY1)
    assert error.value.code == "ereporting.already_sent"
    report.refresh_from_db()
    assert (report.state, report.flow_id) == (Report.State.SENT, "flow-1")
    assert services.mark_sent(report, "flow-2").flow_id == "flow-1"


def test_a_period_not_over_is_a_draft_that_cannot_be_sent(items):
    report = services.prepare_report("payments", timezone.localdate())
    assert report.state == Report.State.DRAFT
    with pytest.raises(BusinessError) as error:
        services.file_to_send(report)
    assert error.value.code == "ereporting.period_not_over"


def test_the_vat_regime_sets_the_period(items):
    update_company(vat_regime="simplified")
    report = services.prepare_report("transactions", DAY1)
    assert (report.start, report.end) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    update_company(vat_regime="franchise")
    report = services.prepare_report("payments", DAY1)
    assert (report.start, report.end) == (dt.date(2026, 9, 1), dt.date(2026, 10, 31))


def test_what_the_file_needs_is_asked_for(company):
    with pytest.raises(BusinessError) as error:
        services.prepare_report("transactions", DAY1)
    assert (error.value.code, error.value.field) == ("ereporting.no_platform", "platform_id")
    update_company(platform_id="0042", vat_id="")
    with pytest.raises(BusinessError) as error:
        services.prepare_report("transactions", DAY1)
    assert (error.value.code, error.value.field) == ("ereporting.no_seller_id", "vat_id")
    assert not Report.objects.exists()
