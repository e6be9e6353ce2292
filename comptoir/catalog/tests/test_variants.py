"""Item variants: attributes, a template's grid generated and edited at once, prices."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from comptoir.catalog import services
from comptoir.catalog.models import Item, VariantValue
from comptoir.core.errors import BusinessError
from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tshirt(company):
    size = services.create_attribute(
        code="TAILLE", name="Taille", values=[("S", "S"), ("M", "M"), ("L", "L")]
    )
    colour = services.create_attribute(
        code="COULEUR", name="Couleur", values=[("RGE", "Rouge"), ("BLE", "Bleu")]
    )
    template = ItemFactory(code="TSH", name="T-shirt", sale_price=Decimal("15.00"))
    return services.set_template_attributes(template, [colour, size])


GRID = {"COULEUR": ["RGE", "BLE"], "TAILLE": ["S", "M", "L"]}


def test_the_grid_is_generated_once_whatever_the_number_of_times(
    tshirt, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14):
        created = services.generate_variants(tshirt, GRID)
    assert sorted(v.code for v in created) == [
        "TSH-BLE-L", "TSH-BLE-M", "TSH-BLE-S", "TSH-RGE-L", "TSH-RGE-M", "TSH-RGE-S",
    ]  # fmt: skip
    variant = Item.objects.get(code="TSH-RGE-M")
    assert variant.name == "T-shirt Rouge M"
    assert variant.template == tshirt and variant.sale_price == Decimal("15.00")
    assert VariantValue.objects.filter(variant=variant).count() == 2
    assert services.generate_variants(tshirt, GRID) == []  # nothing twice
    more = services.generate_variants(tshirt, {"COULEUR": ["RGE"], "TAILLE": ["S", "M"]})
    assert more == [] and tshirt.variants.count() == 6


def test_the_database_refuses_two_variants_of_one_combination(tshirt):
    services.generate_variants(tshirt, {"COULEUR": ["RGE"], "TAILLE": ["M"]})
    variant = tshirt.variants.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemFactory(code="OTHER", template=tshirt, variant_key=variant.variant_key)


def test_values_the_template_does_not_offer_are_refused(tshirt, english):
    with pytest.raises(BusinessError) as refused:
        services.generate_variants(tshirt, {"COULEUR": ["VRT"], "TAILLE": ["M"]})
    assert refused.value.code == "variant.unknown_value"
    assert refused.value.field == "values.COULEUR"
    assert "Couleur has no value VRT" in refused.value.message
    with pytest.raises(BusinessError) as refused:
        services.generate_variants(tshirt, {"COULEUR": ["RGE"]})
    assert refused.value.field == "values.TAILLE"
    assert not tshirt.variants.exists()


def test_a_code_taken_by_another_item_stops_the_generation(tshirt):
    ItemFactory(code="TSH-RGE-M")
    with pytest.raises(BusinessError) as refused:
        services.generate_variants(tshirt, GRID)
    assert refused.value.code == "variant.code_taken"
    assert not tshirt.variants.exists()


def test_the_grid_is_edited_at_once_and_its_barcodes_are_checked(tshirt, english):
    services.generate_variants(tshirt, GRID)
    red_m, blue_l = (Item.objects.get(code=c) for c in ("TSH-RGE-M", "TSH-BLE-L"))
    services.update_variants(
        tshirt,
        {
            red_m.pk: {"code": "TSH-R-M", "barcode": "4006381333931", "price_extra": "1,50"},
            blue_l.pk: {"price_extra": "-2", "active": False},
        },
    )
    red_m.refresh_from_db()
    blue_l.refresh_from_db()
    assert (red_m.code, red_m.barcode, red_m.sale_price) == (
        "TSH-R-M", "4006381333931", Decimal("16.50"),
    )  # fmt: skip
    assert (blue_l.sale_price, blue_l.active) == (Decimal("13.00"), False)
    with pytest.raises(BusinessError) as refused:
        services.update_variants(tshirt, {red_m.pk: {"barcode": "4006381333932"}})
    assert refused.value.code == "variant.bad_barcode"
    assert refused.value.field == f"variants.{red_m.pk}.barcode"
    with pytest.raises(BusinessError) as refused:
        services.update_variants(tshirt, {red_m.pk: {"price_extra": "-20"}})
    assert refused.value.code == "variant.price_negative"
    with pytest.raises(BusinessError) as refused:
        services.update_variants(tshirt, {red_m.pk: {"code": "X"}, blue_l.pk: {"code": "X"}})
    assert refused.value.code == "variant.code_taken"
    red_m.refresh_from_db()
    assert red_m.code == "TSH-R-M"  # nothing was saved
    # One barcode is one item's: neither twice in the grid nor another variant's.
    with pytest.raises(BusinessError) as refused:
        services.update_variants(tshirt, {blue_l.pk: {"barcode": "4006381333931"}})
    assert refused.value.code == "variant.barcode_taken"
    assert refused.value.field == f"variants.{blue_l.pk}.barcode"
    with pytest.raises(BusinessError) as refused:
        services.update_variants(
            tshirt,
            {red_m.pk: {"barcode": "4012345678901"}, blue_l.pk: {"barcode": "4012345678901"}},
        )
    assert refused.value.code == "variant.barcode_taken"


def test_the_variants_follow_the_price_of_their_template(tshirt):
    services.generate_variants(tshirt, {"COULEUR": ["RGE"], "TAILLE": ["S", "L"]})
    large = Item.objects.get(code="TSH-RGE-L")
    services.update_variants(tshirt, {large.pk: {"price_extra": "2"}})
    services.update_item(tshirt, sale_price=Decimal("20"))
    prices = dict(tshirt.variants.values_list("code", "sale_price"))
    assert prices == {"TSH-RGE-S": Decimal("20"), "TSH-RGE-L": Decimal("22")}
    large.refresh_from_db()
    with pytest.raises(BusinessError) as refused:
        services.update_item(large, sale_price=Decimal("30"))
    assert refused.value.code == "variant.price_from_template"
    services.update_item(large, price_extra=Decimal("5"))
    large.refresh_from_db()
    assert large.sale_price == Decimal("25")


def test_archiving_a_variant_keeps_it(tshirt):
    services.generate_variants(tshirt, {"COULEUR": ["RGE"], "TAILLE": ["S"]})
    variant = services.archive_variant(tshirt.variants.get())
    assert not Item.objects.get(pk=variant.pk).active


def test_the_attributes_are_fixed_once_there_are_variants(tshirt):
    services.generate_variants(tshirt, {"COULEUR": ["RGE"], "TAILLE": ["S"]})
    colour = tshirt.template_attributes.first().attribute
    with pytest.raises(BusinessError) as refused:
        services.set_template_attributes(tshirt, [colour])
    assert refused.value.code == "variant.attributes_fixed"


def test_a_combination_is_found_or_refused_clearly(tshirt, english):
    services.generate_variants(tshirt, {"COULEUR": ["RGE"], "TAILLE": ["S", "M"]})
    found = services.find_variant(tshirt, {"TAILLE": "M", "COULEUR": "RGE"})
    assert found.code == "TSH-RGE-M"
    with pytest.raises(BusinessError) as refused:
        services.find_variant(tshirt, {"TAILLE": "L", "COULEUR": "BLE"}, "lines[0].variant")
    assert refused.value.code == "variant.unknown_combination"
    assert refused.value.message == "T-shirt does not exist in Bleu, L."
    assert refused.value.field == "lines[0].variant"
