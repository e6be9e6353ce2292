"""8 threads issuing 200 invoices at once get numbers 1…200: no gap, no duplicate, and each
number issued at a later time than the one before it."""

import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection

from comptoir.billing import services
from comptoir.billing.models import Invoice
from comptoir.pricing.engine import LineSpec
from tests.factories import CustomerFactory, ItemFactory


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_eight_threads_issue_two_hundred_invoices_without_gap_or_duplicate_in_time_order(company):
    customer = CustomerFactory()
    item = ItemFactory()
    drafts = [services.create_invoice(customer, [LineSpec(item, Decimal("1"))]) for _ in range(200)]
    chunks = [drafts[i::8] for i in range(8)]
    errors = []
    barrier = threading.Barrier(8)

    def issue(chunk):
        try:
            barrier.wait()
            for invoice in chunk:  # one transaction per invoice: maximum contention
                services.issue_invoice(invoice)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()
    assert errors == []
    issued = list(Invoice.objects.order_by("number").values_list("number", "issued_at"))
    year = Invoice.objects.first().date.year
    assert [number for number, _at in issued] == [f"FA-{year}-{n:06d}" for n in range(1, 201)]
    # The time is taken under the numbering lock: a later number never carries an earlier time.
    times = [at for _number, at in issued]
    assert times == sorted(times)
