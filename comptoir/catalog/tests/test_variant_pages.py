"""The pages of variants: a model's attributes, its grid created and edited at once, the
list of items filtered, a variant's own page."""

from decimal import Decimal

import pytest
from django.test import Client

from comptoir.catalog import services
from comptoir.catalog.models import Item
from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def tshirt(company):
    services.create_attribute(
        code="TAILLE", name="Taille", values=[("S", "S"), ("M", "M"), ("L", "L")]
    )
    services.create_attribute(
        code="COULEUR", name="Couleur", values=[("RGE", "Rouge"), ("BLE", "Bleu")]
    )
    return ItemFactory(code="TSH", name="T-shirt", sale_price=Decimal("15.00"))


def test_a_model_gets_its_grid_from_its_page_and_edits_it_at_once(browser, tshirt):
    url = f"/items/{tshirt.pk}/variants/"
    response = browser.post(url, {"action": "attributes", "attribute": ["COULEUR", "TAILLE"]})
    assert response.status_code == 302
    response = browser.post(
        url, {"action": "generate", "value-COULEUR": ["RGE", "BLE"], "value-TAILLE": ["S"]}
    )
    assert response.status_code == 302 and tshirt.variants.count() == 2
    page = browser.get(url).content.decode()
    assert "Couleur \\ Taille" in page and 'data-variant="TSH-RGE-S"' in page
    assert "Déclinaisons de TSH" in page
    red, blue = (Item.objects.get(code=c) for c in ("TSH-RGE-S", "TSH-BLE-S"))
    grid = {
        "action": "grid",
        f"v{red.pk}-code": "TSH-RGE-S",
        f"v{red.pk}-barcode": "4006381333932",  # a digit wrong
        f"v{red.pk}-price_extra": "1,50",
        f"v{red.pk}-active": "1",
        f"v{blue.pk}-code": "TSH-BLEU-S",
        f"v{blue.pk}-barcode": "",
        f"v{blue.pk}-price_extra": "",
    }
    response = browser.post(url, grid)
    assert response.status_code == 400
    page = response.content.decode()
    cell = page[page.index('data-variant="TSH-RGE-S"') :]
    cell = cell[: cell.index("</div>")]
    assert "4006381333932 » n’est pas un code-barres EAN valide" in cell
    assert 'value="TSH-BLEU-S"' in page  # what was typed stays
    assert Item.objects.get(pk=blue.pk).code == "TSH-BLE-S"  # nothing saved
    grid[f"v{red.pk}-barcode"] = "4006381333931"
    assert browser.post(url, grid).status_code == 302
    red.refresh_from_db()
    blue.refresh_from_db()
    assert (red.barcode, red.sale_price, red.active) == ("4006381333931", Decimal("16.5"), True)
    assert (blue.code, blue.active) == ("TSH-BLEU-S", False)


def test_values_not_ticked_are_shown_where_they_are_missing(browser, tshirt):
    url = f"/items/{tshirt.pk}/variants/"
    browser.post(url, {"action": "attributes", "attribute": ["COULEUR", "TAILLE"]})
    response = browser.post(url, {"action": "generate", "value-COULEUR": ["RGE"]})
    assert response.status_code == 400
    page = response.content.decode()
    taille = page[page.index("<legend>Taille</legend>") :]
    taille = taille[: taille.index("</fieldset>")]
    assert "Choisissez au moins une valeur de taille." in taille
    assert 'value="RGE" checked' in page  # the values ticked stay ticked
    assert not tshirt.variants.exists()


def test_a_variants_own_page_shows_its_price_as_its_models(browser, tshirt):
    colour = services.create_attribute(code="FORME", name="Forme", values=[("V", "Col V")])
    services.set_template_attributes(tshirt, [colour])
    (variant,) = services.generate_variants(tshirt, {"FORME": ["V"]})
    page = browser.get(f"/items/{variant.pk}/").content.decode()
    assert 'name="price_extra"' in page
    assert "Le prix du modèle plus l’écart de prix." in page
    assert f"/items/{tshirt.pk}/variants/" in page
    plain = ItemFactory(code="MUG")
    for wanted, shown in (
        ("variants", [variant]),
        ("templates", [tshirt]),
        ("plain", [plain]),
        ("", [plain, tshirt, variant]),
    ):
        page = browser.get("/items/", {"variants": wanted}).content.decode()
        rows = [item for item in (plain, tshirt, variant) if f'"/items/{item.pk}/"' in page]
        assert rows == shown, wanted


def test_the_grid_page_reads_the_same_few_queries_whatever_its_size(
    browser, tshirt, django_assert_max_num_queries
):
    values = [(f"C{n}", f"Couleur {n}") for n in range(20)]
    many = services.create_attribute(code="TEINTE", name="Teinte", values=values)
    size = services.create_attribute(code="LONG", name="Longueur", values=[("1", "1"), ("2", "2")])
    services.set_template_attributes(tshirt, [many, size])
    services.generate_variants(tshirt, {"TEINTE": [c for c, _l in values], "LONG": ["1", "2"]})
    with django_assert_max_num_queries(13):  # the session, the roles, the model, its grid
        page = browser.get(f"/items/{tshirt.pk}/variants/")
    assert page.content.decode().count('class="variant-cell"') == 40


def test_every_error_of_the_grid_shows_at_once_each_in_its_cell(browser, tshirt):
    url = f"/items/{tshirt.pk}/variants/"
    browser.post(url, {"action": "attributes", "attribute": ["COULEUR", "TAILLE"]})
    browser.post(
        url, {"action": "generate", "value-COULEUR": ["RGE", "BLE"], "value-TAILLE": ["S", "M"]}
    )
    ItemFactory(code="ART0001")
    v = {
        code: Item.objects.get(code=code).pk
        for code in tshirt.variants.values_list("code", flat=True)
    }
    grid = {"action": "grid"}
    for code, pk in v.items():
        grid |= {
            f"v{pk}-code": code,
            f"v{pk}-barcode": "",
            f"v{pk}-price_extra": "",
            f"v{pk}-active": "1",
        }
    grid |= {
        f"v{v['TSH-RGE-S']}-barcode": "4006381333932",  # a digit wrong
        f"v{v['TSH-RGE-M']}-code": "ART0001",  # another item's
        f"v{v['TSH-BLE-S']}-price_extra": "abc",
        f"v{v['TSH-BLE-M']}-code": "TSH-BLE-S",  # twice
        f"v{v['TSH-BLE-M']}-price_extra": "-20",  # 15 − 20: negative
    }
    response = browser.post(url, grid)
    assert response.status_code == 400
    page = response.content.decode()

    def cell(code):
        start = page.index(f'data-variant="{code}"')
        return page[start : page.index("</div>", start)]

    assert "n’est pas un code-barres EAN valide" in cell("TSH-RGE-S")
    assert "Le code ART0001 est celui d’un autre article." in cell("TSH-RGE-M")
    assert "«\u00a0abc\u00a0» n’est pas un nombre." in cell("TSH-BLE-S")
    for code in ("TSH-BLE-S", "TSH-BLE-M"):  # in both cells that hold it
        assert "Le code TSH-BLE-S est donné deux fois." in cell(code)
    assert "serait négatif" in cell("TSH-BLE-M")
    assert page.count('class="error"') == 6
    assert not Item.objects.filter(code="ART0001", template=tshirt).exists()  # nothing saved
    # Fixed, saved, and the differences shown back as money.
    grid |= {
        f"v{v['TSH-RGE-S']}-barcode": "",
        f"v{v['TSH-RGE-M']}-code": "TSH-RGE-M",
        f"v{v['TSH-BLE-S']}-price_extra": "2,5",
        f"v{v['TSH-BLE-M']}-code": "TSH-BLE-M",
        f"v{v['TSH-BLE-M']}-price_extra": "3",
    }
    assert browser.post(url, grid).status_code == 302
    page = browser.get(url).content.decode()
    assert 'value="2,50"' in cell("TSH-BLE-S") and 'value="3,00"' in cell("TSH-BLE-M")
