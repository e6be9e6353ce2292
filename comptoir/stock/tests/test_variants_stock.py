"""Stock is kept per variant: a model with variants has none of its own."""

from decimal import Decimal

import pytest

from comptoir.catalog import services as catalog
from comptoir.core.errors import BusinessError
from comptoir.stock.models import StockLevel
from comptoir.stock.services import receive
from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


def test_variants_are_stocked_and_their_model_is_not(company):
    size = catalog.create_attribute(code="TAILLE", name="Taille", values=[("M", "M")])
    tshirt = ItemFactory(code="TSH", name="T-shirt")
    tshirt = catalog.set_template_attributes(tshirt, [size])
    (medium,) = catalog.generate_variants(tshirt, {"TAILLE": ["M"]})
    receive(medium, Decimal("12"))
    assert StockLevel.objects.get(item=medium).on_hand == Decimal("12")
    with pytest.raises(BusinessError) as refused:
        receive(tshirt, Decimal("5"))
    assert refused.value.code == "stock.template_not_stocked"
    assert not StockLevel.objects.filter(item=tshirt).exists()
