"""Two documents redeeming the last use of a coupon at the same time: one gets it, the other is
refused as used up (PostgreSQL: two connections, each holding its transaction open after its
use is recorded, so that without the coupon's row lock both would get it)."""

import contextlib
import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection, transaction

from comptoir.billing.services import create_invoice
from comptoir.core.errors import BusinessError
from comptoir.pricing.engine import LineSpec
from comptoir.pricing.models import CouponRedemption
from comptoir.pricing.services import save_coupon
from comptoir.sales.services import create_quotation
from tests.factories import CustomerFactory, ItemFactory


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_documents_taking_the_last_use_at_once_one_gets_it(company):
    save_coupon(code="DERNIER", name="Dernier", reward="percent", value=10, max_uses=3)
    item = ItemFactory()
    for _i in range(2):  # two uses taken already: one is left
        create_quotation(CustomerFactory(), [LineSpec(item, Decimal("1"))], coupon_code="DERNIER")
    barrier, both_redeemed = threading.Barrier(2), threading.Barrier(2)
    made, refused = [], []

    def redeem(customer):
        try:
            with transaction.atomic():
                barrier.wait()
                made.append(
                    create_invoice(customer, [LineSpec(item, Decimal("1"))], coupon_code="DERNIER")
                )
                # Each holds its use uncommitted until the other has taken one too; the other
                # never comes while it waits for the coupon's lock.
                with contextlib.suppress(threading.BrokenBarrierError):
                    both_redeemed.wait(timeout=2)
        except BusinessError as error:
            refused.append(error.code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=redeem, args=(customer,))
        for customer in (CustomerFactory(), CustomerFactory())
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()
    assert (len(made), refused) == (1, ["coupon.used_up"])
    assert CouponRedemption.objects.filter(coupon__code="DERNIER").count() == 3
