"""Creating many customers or items validates them without a query per row."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.catalog import services as catalog
from comptoir.catalog.models import Item, Unit
from comptoir.core.errors import BusinessError
from comptoir.parties import services as parties
from comptoir.parties.models import Address, Customer
from comptoir.pricing.models import Tax

pytestmark = pytest.mark.django_db


def queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def test_queries_do_not_grow_with_the_batch(company):
    # The audit trail finds each model's content type once per process: as in a running
    # server, that lookup is made before the count (else the count depends on test order).
    ContentType.objects.get_for_models(Customer, Address)

    def customers(n, start):
        return lambda: parties.create_customers(
            [{"code": f"K{start + i}", "name": f"Client {i}"} for i in range(n)],
            addresses=[[{"line1": "1 rue", "city": "Lyon"}] for _ in range(n)],
        )

    # Before: two queries per customer (its unique code, its address's customer). Now the
    # inserts are chunked by the database's limit on parameters, the checks are one query;
    # the audit trail's entries of the customers and of their addresses, one insert each.
    assert queries(customers(5, 0)) <= 8
    assert queries(customers(300, 100)) <= 20
    assert Customer.objects.count() == 305


def test_a_code_taken_in_the_database_or_twice_in_the_batch_is_refused(company):
    parties.create_customers([{"code": "DUP", "name": "Premier"}])
    for rows in (
        [{"code": "DUP", "name": "Encore"}],
        [{"code": "NEW", "name": "Un"}, {"code": "NEW", "name": "Deux"}],
    ):
        with pytest.raises(BusinessError) as error:
            parties.create_customers(rows)
        assert error.value.field == "code"
    assert Customer.objects.count() == 1


def test_a_required_link_and_the_fields_own_rules_are_still_checked(company):
    tax = Tax.objects.get(code="TVA20")
    with pytest.raises(BusinessError) as error:
        catalog.create_items([{"code": "X", "name": "Sans unité", "tax": tax}])
    assert error.value.field == "unit"
    unit = Unit.objects.get(code="C62")
    with pytest.raises(BusinessError) as error:
        catalog.create_items(
            [{"code": "Y" * 60, "name": "Code trop long", "unit": unit, "tax": tax}]
        )
    assert error.value.field == "code"
    assert not Item.objects.exists()
