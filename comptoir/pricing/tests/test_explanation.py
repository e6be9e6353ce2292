"""The explanation of a price, where a user reads it: the document form as they type, the
document's page, the API, and the « why this price? » page."""

from decimal import Decimal

import pytest

from comptoir.catalog.models import ItemGroup
from comptoir.parties.models import CustomerGroup
from comptoir.pricing import services
from comptoir.pricing.engine import LineSpec
from comptoir.sales import services as sales
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def priced(company):
    group = CustomerGroup.objects.create(name="Détaillants")
    coffee = ItemGroup.objects.create(name="Cafés")
    customer = CustomerFactory(code="BOUT", name="Boutique", group=group)
    item = ItemFactory(code="ARA", group=coffee, sale_price=D("20.00"), cost_price=D("8.00"))
    services.save_rule(
        code="DET", name="Remise détaillants", action="discount_pct", value=D("10"),
        customer_group=group,
    )  # fmt: skip
    services.save_rule(
        code="VOL", name="Prix de gros dès 10", action="fixed_price", value=D("16"),
        item_group=coffee, min_quantity=D("10"), priority=5,
    )  # fmt: skip
    return customer, item


def test_the_api_gives_each_line_its_explanation(api, priced):
    response = api.post(
        "/quotations", {"customer": "BOUT", "lines": [{"item": "ARA", "quantity": "12"}]}
    )
    assert response.status_code == 201, response.content
    line = response.json()["lines"][0]
    assert (D(line["unit_price"]), D(line["discount_pct"])) == (D("16"), D("10"))
    steps = [(s["kind"], s["code"], s["before"], s["after"]) for s in line["price_explanation"]]
    assert steps == [
        ("item", "", None, "20.0000"),
        ("rule", "VOL", "20.0000", "16.0000"),
        ("rule", "DET", "16.0000", "14.4000"),
    ]


def test_an_order_from_a_quotation_keeps_the_agreed_price_and_its_explanation(priced, user):
    customer, item = priced
    quotation = sales.create_quotation(customer, [LineSpec(item, D("12"))], by=user)
    services.save_rule(code="NEW", name="x", action="fixed_price", value=D("1"), priority=9)
    sales.send_quotation(quotation, by=user)
    sales.accept_quotation(quotation, by=user)
    order = sales.convert_quotation_to_order(quotation, by=user)
    line = order.lines.get()
    assert (line.unit_price, line.discount_pct) == (D("16"), D("10"))
    assert line.price_explanation == quotation.lines.get().price_explanation


def test_the_why_page_shows_the_steps_and_the_rules_not_applied(client, user, priced):
    client.force_login(user)
    asked = {"customer": "BOUT", "item": "ARA", "quantity": "12", "date": "2026-06-15"}
    page = client.get("/settings/why-this-price/", asked)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Règle «\u00a0Prix de gros dès 10\u00a0»" in text
    assert "14,40\u00a0€" in text and "172,80\u00a0€" in text
    services.save_rule(
        code="LOW", name="Prix plancher", action="fixed_price", value=D("18"), priority=1
    )
    text = client.get("/settings/why-this-price/", asked).content.decode()
    assert "Non\u00a0: une règle de priorité plus haute" in text
    wrong = client.get("/settings/why-this-price/", {**asked, "item": "NOPE", "quantity": "0"})
    assert wrong.status_code == 200 and wrong.content.decode().count('class="error"') == 2


def test_the_why_api_and_its_errors(api, priced):
    answer = api.get("/why-price?customer=BOUT&item=ARA&quantity=3")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert D(body["net_unit_price"]) == D("18") and [r["code"] for r in body["rules"]] == ["DET"]
    assert api.get("/why-price?customer=BOUT&item=NOPE").status_code == 404
    zero = api.get("/why-price?customer=BOUT&item=ARA&quantity=0")
    assert zero.status_code == 400 and zero.json()["code"] == "line.quantity_not_positive"


def test_the_form_prices_again_as_the_quantity_changes_but_keeps_what_was_typed(
    client, user, priced
):
    client.force_login(user)
    url = "/sales/quotations/new/"
    base = {"customer": "BOUT", "date": "2026-06-15", "lines-0-item": "ARA",
            "lines-0-priced_item": "", "lines-0-quantity": "1"}  # fmt: skip
    first = client.post(url, base, HTTP_HX_REQUEST="true").content.decode()
    assert 'name="lines-0-unit_price" id="lines-0-unit_price" value="20"' in first
    assert 'name="lines-0-auto_price" value="20"' in first
    # The engine's price left as it was: 10 units reach the volume price.
    more = {**base, "lines-0-priced_item": "ARA", "lines-0-quantity": "10",
            "lines-0-unit_price": "20", "lines-0-auto_price": "20",
            "lines-0-discount_pct": "10", "lines-0-auto_discount": "10"}  # fmt: skip
    second = client.post(url, more, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="lines-0-unit_price" value="16"' in second
    assert "Pourquoi ce prix" in second
    # A price the user typed stays, and says so.
    typed = {**more, "lines-0-unit_price": "19"}
    third = client.post(url, typed, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="lines-0-unit_price" value="19"' in third and "Prix saisi" in third


def test_an_english_reader_gets_english_quotes_words_and_units(client, user, priced):
    """The explanation, the document's discount typed on the form and the units are made in
    the reader's language: no « », « unités » nor « Remise » on an English page."""
    client.force_login(user)
    form = {
        "customer": "BOUT", "date": "2026-06-15", "lines-0-item": "ARA",
        "lines-0-quantity": "12", "discount_value": "10", "discount_kind": "percent",
    }  # fmt: skip
    saved = client.post("/invoices/new/", form)  # typed by a French user
    assert saved.status_code == 302, saved.content.decode()[:2000]
    french = client.get(saved.url).content.decode()
    assert "12 unités" in french and "Remise 10\u00a0%" in french
    assert "Règle «\u00a0Prix de gros dès 10\u00a0»\u00a0: prix fixe" in french
    client.cookies["django_language"] = "en"
    page = client.get(saved.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Rule “Prix de gros dès 10”: fixed price €16.00" in page
    assert "Rule “Remise détaillants”: discount 10%" in page
    assert "12 units" in page and "Discount 10%" in page
    for french_word in ("«", "»", "unités", "Remise 10", "remise"):
        assert french_word not in page.replace("Remise détaillants", ""), french_word
    why = client.get(
        "/settings/why-this-price/",
        {"customer": "BOUT", "item": "ARA", "quantity": "12", "date": "2026-06-15"},
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "Rule “Prix de gros dès 10”" in why and "«" not in why
