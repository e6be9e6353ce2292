"""Variants in imported files: found by their own code; a model's code is an anomaly."""

from decimal import Decimal

import pytest

from comptoir.billing.models import Invoice
from comptoir.catalog import services as catalog
from comptoir.imports.models import ImportRow
from tests.factories import ItemFactory

from .conftest import csv_file, run

pytestmark = pytest.mark.django_db

ROW = (
    "V1;15/03/2026;C1;Dupont SARL;a@dupont.fr;12 rue des Lilas;69003;Lyon;{code};T-shirt;2;18,00;"
    "20;;;"
)


@pytest.fixture
def tshirt(company):
    size = catalog.create_attribute(code="TAILLE", name="Taille", values=[("M", "M")])
    colour = catalog.create_attribute(code="COULEUR", name="Couleur", values=[("RGE", "Rouge")])
    template = ItemFactory(code="TSH", name="T-shirt", sale_price=Decimal("15.00"))
    catalog.set_template_attributes(template, [colour, size])
    catalog.generate_variants(template, {"COULEUR": ["RGE"], "TAILLE": ["M"]})
    return template


def test_a_row_finds_its_variant_by_its_code(partner, tshirt):
    batch, report = run(partner, csv_file(ROW.format(code="TSH-RGE-M")))
    assert report.documents_created == 1, ImportRow.objects.get(batch=batch).anomaly
    line = Invoice.objects.get().lines.get()
    assert line.item.code == "TSH-RGE-M" and line.item.template == tshirt
    assert line.unit_price == Decimal("18.0000")


def test_a_row_naming_the_model_is_an_anomaly_saying_what_to_give(partner, tshirt):
    batch, report = run(partner, csv_file(ROW.format(code="TSH")))
    assert report.documents_created == 0 and report.failed_rows == 1
    anomaly = ImportRow.objects.get(batch=batch).anomaly
    assert "TSH is a model sold in several sizes or colours" in anomaly
    assert "one of its variants" in anomaly
    assert not Invoice.objects.exists()
