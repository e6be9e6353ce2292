"""Pricing rules as people handle them: the settings pages (list, form, switch, delete,
history), the API, and the spreadsheet they export and import (page, API, command line)."""

import io
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from comptoir.catalog.models import ItemGroup, PriceList
from comptoir.core.models import AuditEntry, Company
from comptoir.core.roles import SALES
from comptoir.parties.models import CustomerGroup
from comptoir.pricing import rule_files, services
from comptoir.pricing.models import PricingRule
from conftest import ApiClient, make_user
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db
D = Decimal
NBSP = "\u00a0"
RULES = "/settings/pricing-rules/"


@pytest.fixture
def world(company):
    retail = CustomerGroup.objects.create(name="Détaillants")
    drinks = ItemGroup.objects.create(name="Boissons")
    coffee = ItemGroup.objects.create(name="Cafés", parent=drinks)
    return {
        "retail": retail,
        "coffee": coffee,
        "shop": CustomerFactory(code="BOUT01", group=retail),
        "arabica": ItemFactory(code="ARA", group=coffee, sale_price=D("20"), cost_price=D("8")),
        "wholesale": PriceList.objects.create(code="GROS", name="Grossistes"),
    }


def field_errors(page: str, name: str) -> str:
    """The text of the form's label holding the field ``name`` (its errors come inside it)."""
    for label in re.findall(r"<label[^>]*>.*?</label>", page, flags=re.S):
        if f'name="{name}"' in label:
            return label
    raise AssertionError(f"no field {name}")


def rule_form(world, **changes) -> dict:
    data = {
        "code": "CAFE10",
        "name": "Cafés en nombre",
        "action": "discount_pct",
        "value": "10,5",
        "priority": "5",
        "active": "on",
        "customer_group": world["retail"].pk,
        "item_group": world["coffee"].pk,
        "min_quantity": "10",
        "min_amount": "",  # empty: no minimum
    }
    return {**data, **changes}


def test_a_rule_is_created_from_its_page_and_the_list_says_it_in_words(client, user, world):
    client.force_login(user)
    page = client.get(f"{RULES}new/")
    assert page.status_code == 200 and "Nouvelle règle de prix" in page.text
    assert "data-value-labels" in page.text  # the value's label follows the action chosen
    assert client.post(f"{RULES}new/", rule_form(world)).status_code == 302
    rule = PricingRule.objects.get(code="CAFE10")
    assert (rule.value, rule.priority, rule.min_quantity) == (D("10.5"), 5, D("10"))
    assert rule.min_amount == 0
    listing = client.get(RULES).text
    assert (
        f"Groupe de clients{NBSP}: Détaillants · Groupe d’articles{NBSP}: Cafés · "
        f"dès 10{NBSP}unités" in listing
    )
    assert f"Remise 10,5{NBSP}%" in listing and rule.get_absolute_url() in listing
    assert "Nouvelle règle" in listing and "Importer un fichier" in listing
    edit = client.get(rule.get_absolute_url()).text
    assert "Remise %" in edit  # the value's label, for this action
    assert "Historique" in edit and "Désactiver" in edit
    assert f"dès 10{NBSP}unités → Remise 10,5{NBSP}%" in edit


def test_a_rule_naming_a_customer_and_an_item_is_edited_as_it_was_saved(client, user, world):
    rule = services.save_rule(
        code="BOUT", name="Boutique", action="fixed_price", value=D("15"),
        customer=world["shop"], item=world["arabica"],
    )  # fmt: skip
    client.force_login(user)
    page = client.get(rule.get_absolute_url()).text
    assert 'value="BOUT01"' in page and 'value="ARA"' in page
    assert 'name="value" value="15"' in page  # as typed, without the stored zeros
    sent = {
        "code": "BOUT", "name": "Boutique", "action": "fixed_price", "value": "16",
        "customer": "BOUT01", "item": "ARA", "active": "on",
    }  # fmt: skip
    assert client.post(rule.get_absolute_url(), sent).status_code == 302
    rule.refresh_from_db()
    assert (rule.value, rule.customer, rule.item) == (D("16"), world["shop"], world["arabica"])


def test_the_form_says_what_is_wrong_on_its_field(client, world, django_user_model):
    keeper = django_user_model.objects.create_user("regles")
    keeper.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_pricingrule", "add_pricingrule", "see_prices"]
        )
    )
    client.force_login(keeper)
    letters = client.post(f"{RULES}new/", rule_form(world, value="abc"))
    assert letters.status_code == 400
    assert "n’est pas un nombre" in field_errors(letters.text, "value")
    too_much = client.post(f"{RULES}new/", rule_form(world, value="120"))
    assert "jusqu’à 100" in field_errors(too_much.text, "value")
    no_list = client.post(f"{RULES}new/", rule_form(world, action="price_list"))
    assert "liste de prix" in field_errors(no_list.text, "price_list")
    assert client.post(f"{RULES}new/", rule_form(world)).status_code == 302
    twin = client.post(f"{RULES}new/", rule_form(world, code="CAFE5", value="5"))
    assert twin.status_code == 400
    assert f"«{NBSP}Cafés en nombre{NBSP}» a les mêmes conditions" in field_errors(
        twin.text, "priority"
    )
    Company.objects.update(minimum_margin_pct=D("25"))
    deep = client.post(f"{RULES}new/", rule_form(world, code="DEEP", value="70", priority="9"))
    assert deep.status_code == 400
    assert "marge minimale de 25" in field_errors(deep.text, "value")
    assert not PricingRule.objects.filter(code__in=["CAFE5", "DEEP"]).exists()


def test_the_switch_is_harmless_twice_and_the_history_tells_it(client, user, world):
    client.force_login(user)
    client.post(f"{RULES}new/", rule_form(world))
    rule = PricingRule.objects.get(code="CAFE10")
    switch = f"{RULES}{rule.pk}/active/"
    assert client.post(switch, {"active": "no"}).status_code == 302
    assert client.post(switch, {"active": "no"}).status_code == 302  # a second click
    rule.refresh_from_db()
    assert rule.active is False
    assert client.get(switch).status_code == 405
    assert client.get(f"{RULES}?active=no").text.count(rule.get_absolute_url()) == 1
    assert rule.get_absolute_url() not in client.get(f"{RULES}?active=yes").text
    page = client.get(rule.get_absolute_url()).text
    history = page[page.index('id="history"') :]
    assert "alice" in history and "actif" in history and "Activer" in page
    # Switching on again is checked as a save is: a twin in force meanwhile refuses it.
    services.save_rule(code="TWIN", name="Jumelle", **_same_conditions(rule))
    refused = client.post(switch, {"active": "yes"}, follow=True)
    assert "a les mêmes conditions" in refused.text
    rule.refresh_from_db()
    assert rule.active is False


def test_the_history_says_prices_and_percentages_as_the_list_does(client, user, world):
    client.force_login(user)
    rule = services.save_rule(code="R", name="R", action="fixed_price", value=D("1234.56"))
    services.save_rule(rule, value=D("120.5"))
    services.save_rule(rule, action="discount_pct", value=D("10.5"))  # a price, then a rate
    page = client.get(rule.get_absolute_url()).text
    history = page[page.index('id="history"') :]
    assert f"<del>1{NBSP}234,56{NBSP}€</del> → 120,50{NBSP}€" in history
    assert f"<del>120,50{NBSP}€</del> → 10,5{NBSP}%" in history


def _same_conditions(rule):
    return {
        "action": rule.action,
        "value": D("3"),
        "priority": rule.priority,
        "customer_group": rule.customer_group,
        "item_group": rule.item_group,
        "min_quantity": rule.min_quantity,
    }


def test_a_rule_is_deleted_after_a_confirmation(client, user, world):
    client.force_login(user)
    client.post(f"{RULES}new/", rule_form(world))
    rule = PricingRule.objects.get(code="CAFE10")
    confirm = client.get(f"{RULES}{rule.pk}/delete/")
    assert (
        confirm.status_code == 200
        and f"Supprimer la règle «{NBSP}Cafés en nombre{NBSP}»{NBSP}?"
        in (confirm.text.replace("&nbsp;", NBSP))
    )
    assert PricingRule.objects.filter(pk=rule.pk).exists()
    assert client.post(f"{RULES}{rule.pk}/delete/").status_code == 302
    assert not PricingRule.objects.filter(pk=rule.pk).exists()


def test_a_salesperson_sees_the_rules_and_changes_none(client, world):
    rule = services.save_rule(code="R1", name="Règle", action="discount_pct", value=D("5"))
    client.force_login(make_user("sam", SALES))
    listing = client.get(RULES)
    assert listing.status_code == 200 and rule.get_absolute_url() in listing.text
    assert "Nouvelle règle" not in listing.text and "Importer un fichier" not in listing.text
    page = client.get(rule.get_absolute_url())
    assert page.status_code == 200 and "Désactiver" not in page.text
    assert client.post(f"{RULES}new/", rule_form(world)).status_code == 403
    assert client.post(f"{RULES}{rule.pk}/active/", {"active": "no"}).status_code == 403
    assert client.post(f"{RULES}{rule.pk}/delete/").status_code == 403
    assert client.get(f"{RULES}import/").status_code == 403
    sam = make_user("sam2", SALES)
    assert not sam.has_perm("pricing.sell_below_minimum_margin")


# The API ------------------------------------------------------------------------------------

PAYLOAD = {
    "code": "CAFE10",
    "name": "Cafés en nombre",
    "action": "discount_pct",
    "value": "10",
    "customer_group": "Détaillants",
    "item_group": "cafés",
    "min_quantity": "10",
}


def test_rules_are_created_read_changed_switched_and_deleted_through_the_api(api, world):
    created = api.post("/pricing-rules", PAYLOAD)
    assert created.status_code == 201, created.json()
    rule = created.json()
    assert (rule["customer_group"], rule["item_group"], rule["active"]) == (
        "Détaillants",
        "Cafés",
        True,
    )
    assert rule["action_text"] == f"Remise 10{NBSP}%"
    assert api.get(f"/pricing-rules/{rule['id']}").json()["code"] == "CAFE10"
    changed = api.patch(f"/pricing-rules/{rule['id']}", {"customer": "bout01", "priority": 2})
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["customer"], changed.json()["priority"]) == ("BOUT01", 2)
    for _twice in range(2):
        off = api.post(f"/pricing-rules/{rule['id']}/deactivate")
        assert off.status_code == 200 and off.json()["active"] is False
    assert [r["code"] for r in api.get("/pricing-rules?active=false").json()] == ["CAFE10"]
    assert api.get("/pricing-rules?active=true").json() == []
    assert api.post(f"/pricing-rules/{rule['id']}/activate").json()["active"] is True
    assert [r["code"] for r in api.get("/pricing-rules?customer=BOUT01").json()] == ["CAFE10"]
    assert api.get("/pricing-rules?item=ARA").json() == []
    assert api.delete(f"/pricing-rules/{rule['id']}").status_code == 204
    assert api.get(f"/pricing-rules/{rule['id']}").status_code == 404


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"customer": "NOBODY"}, "rule.unknown_reference", "customer"),
        ({"item_group": "Thés"}, "rule.unknown_reference", "item_group"),
        ({"price_list": "NONE", "action": "price_list"}, "rule.unknown_reference", "price_list"),
        ({"value": "150"}, "invalid_value", "value"),
        ({"action": "price_list"}, "invalid_value", "price_list"),
        ({"valid_from": "2026-06-30", "valid_to": "2026-06-01"}, "invalid_value", "valid_to"),
    ],
)
def test_bad_rules_are_a_4xx_with_a_stable_code_on_their_field(api, world, change, code, field):
    refused = api.post("/pricing-rules", {**PAYLOAD, **change})
    assert refused.status_code == 400, refused.json()
    assert (refused.json()["code"], refused.json()["field"]) == (code, field)
    assert not PricingRule.objects.exists()


def test_overlap_and_minimum_margin_refusals_through_the_api(world, company, django_user_model):
    keeper = django_user_model.objects.create_user("regles")
    keeper.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_pricingrule", "change_pricingrule"])
    )
    from comptoir.core.services import create_token

    api = ApiClient(create_token(keeper, "tests")[1])
    assert api.post("/pricing-rules", PAYLOAD).status_code == 201
    twin = api.post("/pricing-rules", {**PAYLOAD, "code": "TWIN"})
    assert twin.status_code == 400
    assert (twin.json()["code"], twin.json()["field"]) == ("rule.overlaps", "priority")
    Company.objects.update(minimum_margin_pct=D("25"))
    deep = api.post("/pricing-rules", {**PAYLOAD, "code": "DEEP", "value": "70", "priority": 1})
    assert (deep.json()["code"], deep.json()["field"]) == ("rule.below_minimum_margin", "value")
    rule = PricingRule.objects.get(code="CAFE10")
    lower = api.patch(f"/pricing-rules/{rule.pk}", {"value": "80"})
    assert lower.json()["code"] == "rule.below_minimum_margin"


def test_a_salesperson_reads_the_rules_through_the_api_and_changes_none(world):
    from comptoir.core.services import create_token

    rule = services.save_rule(code="R1", name="Règle", action="discount_pct", value=D("5"))
    api = ApiClient(create_token(make_user("sam", SALES), "tests")[1])
    assert api.get("/pricing-rules").status_code == 200
    assert api.post("/pricing-rules", PAYLOAD).status_code == 403
    assert api.post(f"/pricing-rules/{rule.pk}/deactivate").status_code == 403
    assert api.delete(f"/pricing-rules/{rule.pk}").status_code == 403


# The spreadsheet ----------------------------------------------------------------------------


def some_rules(world):
    services.save_rule(
        code="CAFE10", name="Cafés en nombre", action="discount_pct", value=D("10.5"),
        customer_group=world["retail"], item_group=world["coffee"], min_quantity=D("10"),
        priority=5, stop_others=True,
    )  # fmt: skip
    services.save_rule(
        code="ARA-FIXE", name="Arabica =12,50", action="fixed_price", value=D("12.5"),
        item=world["arabica"], customer=world["shop"], currency="EUR",
        valid_from="2026-01-01", valid_to="2026-12-31", active=False,
    )  # fmt: skip
    services.save_rule(
        code="GROS", name="Prix de gros", action="price_list", price_list=world["wholesale"],
        channel="import", partner="Centrale",
    )  # fmt: skip


def snapshot():
    fields = [c.name for c in rule_files.COLUMNS if c.kind != "words"]
    return {
        rule.code: {name: getattr(rule, name) for name in fields}
        for rule in PricingRule.objects.all()
    }


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_exported_file_imports_back_to_the_same_rules(world, kind):
    some_rules(world)
    before = snapshot()
    data = rule_files.export_file(kind)
    if kind == "csv":
        text = data.decode("utf-8")
        assert text.startswith("\ufeffCode;Nom;Actif;Priorité")
        assert ";10,5;" in text and "01/01/2026" in text and "Remise (%)" in text
    PricingRule.objects.all().delete()
    result = rule_files.import_rules(data, f"regles.{kind}")
    assert [row.outcome for row in result.rows] == ["created"] * 3, result.rows
    assert snapshot() == before
    again = rule_files.import_rules(data, f"regles.{kind}")
    assert again.summary() == "0 créée(s), 0 modifiée(s), 3 inchangée(s), 0 refusée(s)."


def test_a_french_csv_changes_rules_by_code_and_says_what_is_wrong_by_line_and_column(world):
    some_rules(world)
    csv = (
        "Code;Nom;Priorité;Action;Valeur;Groupe de clients;Quantité minimale\r\n"
        "CAFE10;Cafés en nombre;5;Remise (%);12,5;Détaillants;10\r\n"
        "NEUF;Nouvelle;2;fixed_price;3,20;;\r\n"
        "MAUV;Mauvaise;deux;Remise (%);5;;\r\n"
        "INC;Inconnu;1;Remise (%);5;Grossistes;\r\n"
        "TROP;Trop;1;Remise (%);150;;\r\n"
        "CAFE11;Jumelle;2;Prix fixe;3;;\r\n"
    ).encode("cp1252")
    result = rule_files.import_rules(csv, "regles.csv")
    outcomes = {row.code: (row.outcome, row.messages) for row in result.rows}
    assert outcomes["CAFE10"][0] == "changed" and outcomes["NEUF"][0] == "created"
    assert PricingRule.objects.get(code="CAFE10").value == D("12.5")
    assert outcomes["MAUV"] == (
        "refused",
        [f"Ligne 4, colonne priorité{NBSP}: «{NBSP}deux{NBSP}» n’est pas un nombre."],
    )
    unknown = f"Aucun groupe de clients ne s’appelle «{NBSP}Grossistes{NBSP}»."
    assert outcomes["INC"][1] == [f"Ligne 5, colonne groupe de clients{NBSP}: {unknown}"]
    assert outcomes["TROP"][1][0].startswith(f"Ligne 6, colonne valeur{NBSP}: ")
    assert outcomes["CAFE11"][1][0].startswith(f"Ligne 7, colonne priorité{NBSP}: La règle")
    assert not PricingRule.objects.filter(code__in=["MAUV", "INC", "TROP", "CAFE11"]).exists()


def test_an_imported_rule_under_the_minimum_margin_is_refused_unless_the_importer_may(world, user):
    Company.objects.update(minimum_margin_pct=D("25"))  # arabica: at least 10,00
    csv = "Code;Nom;Action;Valeur;Article (code)\r\nDEEP;Profonde;Remise (%);70;ARA\r\n"
    refused = rule_files.import_rules(csv.encode(), "r.csv").rows[0]
    assert refused.outcome == "refused"
    assert refused.messages[0].startswith(
        f"Ligne 2, colonne valeur{NBSP}: Cette règle vendrait 1 article sous la marge minimale"
    )
    assert rule_files.import_rules(csv.encode(), "r.csv", by=user).rows[0].outcome == "created"


def test_dates_are_read_as_french_days_or_iso_and_within_range(world):
    csv = (
        "Code;Nom;Action;Valeur;Valable du;Arrête les autres règles\r\n"
        "D1;Un;Remise (%);5;01/02/9999;non\r\n"
        "D2;Deux;Remise (%);5;31/02/2026;oui\r\n"
        "D3;Trois;Remise (%);5;2026-03-01;peut-être\r\n"
        "D4;Quatre;Remise (%);5;01/03/2026;x\r\n"
    ).encode()
    rows = rule_files.import_rules(csv, "dates.csv").rows
    assert rows[0].messages[0].startswith(f"Ligne 2, colonne valable du{NBSP}: Les dates vont")
    not_a_day = f"«{NBSP}31/02/2026{NBSP}» n’est pas une date{NBSP}: écrivez-la comme 07/12/2026."
    assert rows[1].messages == [f"Ligne 3, colonne valable du{NBSP}: {not_a_day}"]
    yes_or_no = f"Écrivez «{NBSP}oui{NBSP}» ou «{NBSP}non{NBSP}»."
    assert rows[2].messages == [f"Ligne 4, colonne arrête les autres règles{NBSP}: {yes_or_no}"]
    rule = PricingRule.objects.get(code="D4")
    assert (rule.valid_from.isoformat(), rule.stop_others) == ("2026-03-01", True)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Le fichier est vide."),
        (b"Code;Couleur\r\nA;bleu\r\n", f"colonnes inconnues «{NBSP}Couleur{NBSP}»"),
        (
            b"Nom;Action\r\nA;Remise (%)\r\n",
            f"Le fichier n’a pas de colonne «{NBSP}Code{NBSP}».",
        ),
        (b"PK\x03\x04garbage", "Ce fichier XLSX ne peut pas être lu."),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(world, content, message):
    with pytest.raises(Exception) as refused:
        rule_files.import_rules(content, "regles.csv")
    assert refused.value.code == "rule.file_unreadable" and message in refused.value.message


def test_the_import_page_gives_a_result_per_row(client, user, world):
    client.force_login(user)
    assert "Importer des règles de prix" in client.get(f"{RULES}import/").text
    csv = "Code;Nom;Action;Valeur\r\nA1;Un;Remise (%);5\r\nA2;Deux;Remise (%);abc\r\n"
    page = client.post(
        f"{RULES}import/", {"file": SimpleUploadedFile("r.csv", ("\ufeff" + csv).encode())}
    )
    assert page.status_code == 400  # a row was refused: said, not taken for success
    assert "1 créée(s), 0 modifiée(s), 0 inchangée(s), 1 refusée(s)." in page.text
    assert (
        f"Ligne 3, colonne valeur{NBSP}: «{NBSP}abc{NBSP}» n’est pas un nombre."
        in page.text.replace("&nbsp;", NBSP).replace("&#x27;", "'")
    )
    empty = client.post(f"{RULES}import/", {"file": SimpleUploadedFile("r.csv", b" ")})
    assert empty.status_code == 400 and "Le fichier est vide." in empty.text
    exported = client.get(f"{RULES}?export=xlsx&active=yes")
    assert exported["Content-Type"] == rule_files.XLSX_TYPE
    assert AuditEntry.objects.filter(action="exported", actor="alice").exists()
    assert rule_files.import_rules(exported.content, "r.xlsx").count("unchanged") == 1


def test_the_api_exports_and_imports_the_file(api, world):
    some_rules(world)
    exported = api.get("/pricing-rules/export?format=csv")
    assert exported.status_code == 200 and exported.content.startswith("\ufeffCode".encode())
    PricingRule.objects.filter(code="GROS").delete()
    upload = {"file": SimpleUploadedFile("r.csv", exported.content)}
    answer = api.client.post("/api/pricing-rules/import", upload)
    assert answer.status_code == 200, answer.json()
    assert (answer.json()["created"], answer.json()["unchanged"]) == (1, 2)
    bad = api.client.post("/api/pricing-rules/import", {"file": SimpleUploadedFile("r.csv", b"")})
    assert bad.status_code == 400 and bad.json()["code"] == "rule.file_unreadable"


def test_the_command_line_exports_and_imports_and_exits_2_on_bad_input(world, tmp_path):
    some_rules(world)
    path = tmp_path / "regles.xlsx"
    call_command("pricing-rules", "export", str(path), stdout=io.StringIO())
    PricingRule.objects.all().delete()
    out = io.StringIO()
    call_command("pricing-rules", "import", str(path), stdout=out)
    assert "3 créée(s)" in out.getvalue() and PricingRule.objects.count() == 3
    bad = tmp_path / "bad.csv"
    bad.write_text("Code;Priorité\nCAFE10;beaucoup\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("pricing-rules", "import", str(bad), stdout=io.StringIO(), stderr=err)
    assert failed.value.returncode == 2
    assert "Ligne 2, colonne priorité" in err.getvalue()
    with pytest.raises(CommandError) as missing:
        call_command("pricing-rules", "import", str(tmp_path / "none.csv"))
    assert missing.value.returncode == 2


def test_the_list_page_and_the_api_list_cost_the_same_for_many_rules(
    client, user, api, world, django_assert_max_num_queries
):
    for index in range(60):
        services.save_rule(
            code=f"R{index}", name=f"Règle {index}", action="fixed_price", value=D("15"),
            customer=world["shop"], item=world["arabica"], customer_group=world["retail"],
            item_group=world["coffee"], priority=index,
        )  # fmt: skip
    client.force_login(user)
    with django_assert_max_num_queries(10):  # the session, the user, the count, the page…
        assert client.get(RULES).status_code == 200
    with django_assert_max_num_queries(6):
        assert len(api.get("/pricing-rules").json()) == 60


def test_rules_in_words_in_english_too(world, english):
    from comptoir.pricing.rule_texts import describe_action, describe_conditions

    some_rules(world)
    coffee, fixed, listed = (
        PricingRule.objects.get(code=c) for c in ("CAFE10", "ARA-FIXE", "GROS")
    )
    assert describe_conditions(coffee) == (
        "Customer group: Détaillants · Item group: Cafés · from 10 units"
    )
    assert describe_action(coffee) == "Discount 10.5%"
    assert describe_conditions(fixed).endswith("from 01/01/2026 to 12/31/2026 · Currency: EUR")
    assert describe_action(fixed) == "Fixed price €12.50"
    assert describe_conditions(listed) == "imported from Centrale"
    assert describe_action(listed) == "Price from the list Grossistes"
