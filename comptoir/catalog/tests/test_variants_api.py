"""Variants through the API: attributes, a model's grid, its variants on a quotation."""

import pytest

from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tshirt(api):
    for code, name, values in (
        ("TAILLE", "Taille", [("S", "S"), ("M", "M"), ("L", "L")]),
        ("COULEUR", "Couleur", [("RGE", "Rouge"), ("BLE", "Bleu")]),
    ):
        response = api.post(
            "/item-attributes",
            {"code": code, "name": name, "values": [{"code": c, "label": v} for c, v in values]},
        )
        assert response.status_code == 201, response.json()
    item = ItemFactory(code="TSH", name="T-shirt", sale_price="15.00")
    response = api.put(f"/items/{item.pk}/attributes", {"attributes": ["COULEUR", "TAILLE"]})
    assert response.status_code == 200 and response.json()["is_template"] is True
    return item


def test_a_grid_is_generated_listed_and_edited(api, tshirt):
    grid = {"values": {"COULEUR": ["RGE", "BLE"], "TAILLE": ["S", "M", "L"]}}
    response = api.post(f"/items/{tshirt.pk}/variants", grid)
    assert response.status_code == 201
    assert len(response.json()) == 6
    assert api.post(f"/items/{tshirt.pk}/variants", grid).json() == []  # nothing twice
    variants = api.get(f"/items/{tshirt.pk}/variants").json()
    red_m = next(v for v in variants if v["code"] == "TSH-RGE-M")
    assert red_m["values"] == {"COULEUR": "RGE", "TAILLE": "M"}
    assert red_m["template_id"] == tshirt.pk
    response = api.patch(
        f"/items/{tshirt.pk}/variants/{red_m['id']}",
        {"barcode": "4006381333931", "price_extra": "2.5"},
    )
    assert response.status_code == 200
    assert response.json()["sale_price"] == "17.5000"
    listed = api.get(f"/items?template_id={tshirt.pk}").json()
    assert listed["count"] == 6
    assert api.get("/items?is_template=true").json()["count"] == 1


def test_bad_input_answers_a_4xx_with_a_stable_code(api, tshirt):
    response = api.post(f"/items/{tshirt.pk}/variants", {"values": {"COULEUR": ["VRT"]}})
    assert response.status_code == 400
    assert response.json()["code"] == "variant.unknown_value"
    assert response.json()["field"] == "values.COULEUR"
    api.post(f"/items/{tshirt.pk}/variants", {"values": {"COULEUR": ["RGE"], "TAILLE": ["M"]}})
    variant = tshirt.variants.get()
    response = api.patch(f"/items/{tshirt.pk}/variants/{variant.pk}", {"barcode": "4006381333932"})
    assert response.status_code == 400 and response.json()["code"] == "variant.bad_barcode"
    plain = ItemFactory()
    response = api.post(f"/items/{plain.pk}/variants", {"values": {"COULEUR": ["RGE"]}})
    assert response.status_code == 400 and response.json()["code"] == "variant.not_a_template"
    response = api.patch(f"/items/{tshirt.pk}/variants/{plain.pk}", {"active": False})
    assert response.status_code == 404
    response = api.delete(f"/items/{tshirt.pk}")
    assert response.status_code == 409 and response.json()["code"] == "item.has_variants"


def test_a_quotation_line_names_a_variant_by_its_values_never_the_model(api, tshirt):
    api.post(f"/items/{tshirt.pk}/variants", {"values": {"COULEUR": ["RGE"], "TAILLE": ["M"]}})
    customer = CustomerFactory()

    def quote(line):
        return api.post("/quotations", {"customer": customer.code, "lines": [line]})

    response = quote({"item": "TSH", "quantity": "2", "variant": {"COULEUR": "RGE", "TAILLE": "M"}})
    assert response.status_code == 201, response.json()
    assert response.json()["lines"][0]["item_code"] == "TSH-RGE-M"
    response = quote({"item": "TSH-RGE-M", "quantity": "1"})
    assert response.status_code == 201
    response = quote({"item": "TSH", "quantity": "1", "variant": {"COULEUR": "BLE", "TAILLE": "M"}})
    assert response.status_code == 400
    assert response.json()["code"] == "variant.unknown_combination"
    assert response.json()["field"] == "lines[0].variant"
    response = quote({"item": "TSH", "quantity": "1"})
    assert response.status_code == 400
    assert response.json()["code"] == "line.item_is_template"
    assert response.json()["field"] == "lines[0].item"


def test_attributes_are_listed_changed_and_deleted(api):
    created = api.post("/item-attributes", {"code": "POINTURE", "name": "Pointure"}).json()
    response = api.patch(
        f"/item-attributes/{created['id']}", {"values": [{"code": "42", "label": "42"}]}
    )
    assert [v["code"] for v in response.json()["values"]] == ["42"]
    assert [a["code"] for a in api.get("/item-attributes").json()] == ["POINTURE"]
    duplicate = api.post("/item-attributes", {"code": "POINTURE", "name": "Autre"})
    assert duplicate.status_code == 400 and duplicate.json()["field"] == "code"
    assert api.delete(f"/item-attributes/{created['id']}").status_code == 204
