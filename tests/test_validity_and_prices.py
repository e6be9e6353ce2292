"""Dates and prices that cannot be: a quotation valid until before its own date, a negative
price in the catalogue or a price list, a price valid until before its start."""

from decimal import Decimal

import pytest

from comptoir.catalog import services as catalog
from comptoir.catalog.models import Item, ItemPrice
from comptoir.core.errors import BusinessError
from comptoir.sales.models import Quotation
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(api):
    return CustomerFactory(code="C1"), ItemFactory(code="I1")


def quotation(**header):
    return {"customer": "C1", "lines": [{"item": "I1", "quantity": "1"}], **header}


def test_a_quotation_valid_until_before_its_date_is_a_422_on_that_field(api, setup):
    response = api.post("/quotations", quotation(date="2026-12-10", valid_until="2026-12-01"))
    assert response.status_code == 422, response.content
    body = response.json()
    assert (body["code"], body["field"]) == ("quotation.valid_until_before_date", "valid_until")
    assert body["errors"] == [{"loc": ["valid_until"], "msg": body["message"]}]
    assert not Quotation.objects.exists()

    created = api.post("/quotations", quotation(date="2026-12-10", valid_until="2026-12-10"))
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    response = api.patch(f"/quotations/{pk}", {"date": "2026-12-11"})  # after its validity
    assert response.status_code == 422, response.content
    assert response.json()["field"] == "valid_until"
    assert str(Quotation.objects.get().date) == "2026-12-10"


def test_a_price_valid_until_before_its_start_is_refused(api, setup):
    price_list = catalog.create_price_list(code="PRO", name="Professionnels")
    response = api.post(
        f"/price-lists/{price_list.pk}/prices",
        {"item": "I1", "price": "10", "valid_from": "2026-12-10", "valid_to": "2026-12-01"},
    )
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "valid_to"
    assert not ItemPrice.objects.exists()


@pytest.mark.parametrize("field", ["sale_price", "cost_price"])
def test_negative_item_prices_are_refused_by_the_service(company, field):
    item = ItemFactory(code="Y")
    with pytest.raises(BusinessError) as refused:
        catalog.create_item(code="X", name="X", unit=item.unit, tax=item.tax, **{field: -1})
    assert refused.value.field == field
    assert not Item.objects.filter(code="X").exists()
    with pytest.raises(BusinessError) as refused:
        catalog.update_item(item, **{field: Decimal("-0.01")})
    assert refused.value.field == field
