"""The company of these tests is the buyer the official use cases bill (LE CLIENT), so that
their invoices are addressed to it."""

import pytest

from comptoir.core.services import update_company

BUYER = {"legal_name": "LE CLIENT", "siren": "200000008", "vat_id": "FR37200000008"}


@pytest.fixture
def company(company):
    return update_company(**BUYER)


@pytest.fixture
def vendeur(company):
    """The seller of the use cases, a known supplier; the company manages its stock."""
    from comptoir.purchasing.services import create_supplier

    update_company(stock_management=True)
    return create_supplier(code="VENDEUR", name="Le Vendeur", siren="100000009")
