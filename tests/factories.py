"""factory-boy factories for master data; documents are made through services."""

from decimal import Decimal

import factory

from comptoir.catalog.models import Item, Unit
from comptoir.parties.models import Address, Customer
from comptoir.pricing.models import Tax


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"CUST{n:04d}")
    name = factory.Sequence(lambda n: f"Client {n}")
    kind = Customer.Kind.COMPANY
    email = factory.Sequence(lambda n: f"client{n}@example.fr")

    billing = factory.RelatedFactory(
        "tests.factories.AddressFactory", factory_related_name="customer"
    )


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    kind = Address.Kind.BILLING
    line1 = "3 place Bellecour"
    postal_code = "69002"
    city = "Lyon"


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    code = factory.Sequence(lambda n: f"ITEM{n:04d}")
    name = factory.Sequence(lambda n: f"Article {n}")
    unit = factory.LazyFunction(lambda: Unit.objects.get(code="C62"))
    tax = factory.LazyFunction(lambda: Tax.objects.get(code="TVA20"))
    sale_price = Decimal("10.00")
    cost_price = Decimal("6.00")
