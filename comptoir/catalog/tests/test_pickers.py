"""The pickers' searches: by name, code, SIREN or barcode, bounded, at 100,000 items."""

import re

import pytest
from django.test import Client

from comptoir.catalog.models import Item, Unit
from comptoir.core.bulk import insert_stream
from comptoir.core.roles import SALES
from comptoir.core.services import update_company
from comptoir.pricing.models import Tax
from conftest import make_user
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(company):
    client = Client()
    client.force_login(make_user("vera", SALES))
    return client


def _values(response) -> list[str]:
    return re.findall(r'data-value="([^"]+)"', response.content.decode())


def test_items_are_found_by_code_name_and_barcode_among_100_000(
    seller, django_assert_max_num_queries
):
    unit, tax = Unit.objects.get(code="C62"), Tax.objects.get(code="TVA20")
    fields = ["code", "name", "barcode", "description", "kind", "unit", "sale_price",
              "cost_price", "tax", "lead_time_days", "active"]  # fmt: skip
    rows = (
        (f"A{n:06d}", f"Article {n}", "", "", "goods", unit.pk, 1, 0, tax.pk, 0, True)
        for n in range(100_000)
    )
    assert insert_stream(Item, fields, rows) == 100_000
    ItemFactory(code="TAB-CH", name="Tablier de cuisine", barcode="4006381333931")
    for term, expected in (
        ("tablier", ["TAB-CH"]),
        ("TAB", ["TAB-CH"]),
        ("4006381333931", ["TAB-CH"]),
        ("A09999", [f"A09999{n}" for n in range(10)]),
    ):
        with django_assert_max_num_queries(10):  # the session, the roles, the search
            response = seller.get("/items/options/", {"q": term})
        assert _values(response) == expected, term
    everything = _values(seller.get("/items/options/", {"q": "article"}))
    assert len(everything) == 20  # a list to choose from, not the catalogue


def test_customers_are_found_by_name_code_and_siren_among_those_the_user_sees(seller, company):
    vera = make_user("other", SALES)
    CustomerFactory(code="C-BD", name="Boulangerie Durand", siren="732829320")
    CustomerFactory(code="C-BM", name="Boucherie Martin", salesperson=vera)
    assert _values(seller.get("/customers/options/", {"q": "durand"})) == ["C-BD"]
    assert _values(seller.get("/customers/options/", {"q": "732 829"})) == ["C-BD"]
    assert _values(seller.get("/customers/options/", {"q": "c-b"})) == ["C-BM", "C-BD"]
    update_company(own_customers_only=True)
    assert _values(seller.get("/customers/options/", {"q": "c-b"})) == []
    assert "Aucun client trouvé." in seller.get("/customers/options/", {"q": "c-b"}).text


def test_a_barcode_is_checked(seller):
    from comptoir.catalog.services import create_item
    from comptoir.core.errors import BusinessError

    with pytest.raises(BusinessError) as refused:
        create_item(
            code="X",
            name="X",
            unit=Unit.objects.first(),
            tax=Tax.objects.first(),
            barcode="4006381333932",
        )
    assert "code-barres EAN" in str(refused.value)
