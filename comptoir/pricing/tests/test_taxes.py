"""Taxes managed in Settings and the API: a rate, an EN 16931 category and, for a category
without VAT, the reason printed on the invoice and its VATEX code. Bad input is a clear 4xx; a
tax stated on an issued invoice keeps its rate and category (it is archived instead); the VAT
franchise is refused to a company with a VAT number; only who may change settings changes them."""

from decimal import Decimal

import pytest

from comptoir.billing.services import create_invoice, issue_invoice
from comptoir.core.roles import ACCOUNTING, ADMINISTRATOR, SALES
from comptoir.core.services import create_token, update_company
from comptoir.pricing.engine import LineSpec
from comptoir.pricing.models import Tax
from conftest import ApiClient, make_user
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db

TRAINING = {
    "code": "FORMATION2",
    "name": "Formation continue",
    "rate": "0",
    "category": "E",
    "exemption_reason": "Exonération de TVA, art. 261-4-4° a du CGI",
    "exemption_reason_code": "VATEX-FR-CGI261-4",
}


def refused(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] and body["message"], body
    if field is not None:
        assert body.get("field") == field, body
    return body


def test_the_french_exemptions_ship_with_their_text_and_vatex_code():
    shipped = {t.code: (t.category, t.rate, t.exemption_reason_code) for t in Tax.objects.all()}
    assert shipped["EXO"] == ("E", Decimal("0.00"), "VATEX-FR-FRANCHISE")
    assert shipped["INTRACOM"] == ("K", Decimal("0.00"), "VATEX-EU-IC")
    assert shipped["EXPORT"] == ("G", Decimal("0.00"), "VATEX-EU-G")
    assert shipped["AUTOLIQ"] == ("AE", Decimal("0.00"), "VATEX-EU-AE")
    assert shipped["AUTOLIQ-BTP"] == ("AE", Decimal("0.00"), "VATEX-FR-AE")
    assert shipped["EXO-FORMATION"] == ("E", Decimal("0.00"), "VATEX-FR-CGI261-4")
    assert shipped["EXO-MEDICAL"] == ("E", Decimal("0.00"), "VATEX-FR-CGI261-4")
    assert shipped["EXO-FINANCE"] == ("E", Decimal("0.00"), "VATEX-FR-CGI261C-1")
    assert "283-2 nonies" in Tax.objects.get(code="AUTOLIQ-BTP").exemption_reason


def test_a_tax_is_created_read_changed_and_deleted_through_the_api(api):
    created = api.post("/taxes", TRAINING)
    assert created.status_code == 201, created.json()
    tax = created.json()
    assert tax["exemption_reason_code"] == "VATEX-FR-CGI261-4" and tax["active"] is True
    assert api.get(f"/taxes/{tax['id']}").json()["name"] == "Formation continue"
    assert "FORMATION2" in [t["code"] for t in api.get("/taxes").json()]
    changed = api.patch(f"/taxes/{tax['id']}", {"name": "Formation professionnelle"})
    assert changed.status_code == 200 and changed.json()["name"] == "Formation professionnelle"
    archived = api.patch(f"/taxes/{tax['id']}", {"active": False})
    assert archived.json()["active"] is False
    assert "FORMATION2" not in [t["code"] for t in api.get("/taxes").json()]
    assert "FORMATION2" in [t["code"] for t in api.get("/taxes?archived=true").json()]
    assert api.delete(f"/taxes/{tax['id']}").status_code == 204
    assert not Tax.objects.filter(code="FORMATION2").exists()
    assert api.get(f"/taxes/{tax['id']}").status_code == 404


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"exemption_reason": "", "exemption_reason_code": ""}, 400, "exemption_reason"),
        ({"rate": "5.5"}, 400, "rate"),
        ({"exemption_reason_code": "VATEX-FR-INVENTE"}, 400, "exemption_reason_code"),
        ({"exemption_reason_code": "VATEX-EU-IC"}, 400, "exemption_reason_code"),
        ({"category": "S", "rate": "20"}, 400, "exemption_reason"),
        (
            {"category": "S", "rate": "0", "exemption_reason": "", "exemption_reason_code": ""},
            400,
            "rate",
        ),
        (
            {"category": "Z", "rate": "5", "exemption_reason": "", "exemption_reason_code": ""},
            400,
            "rate",
        ),
        ({"category": "X"}, 422, None),
        ({"rate": "abc"}, 422, None),
        ({"rate": "1e20"}, 422, None),
        ({"rate": "-1"}, 422, None),
        ({"name": "x" * 300}, 422, None),
        ({"code": ""}, 422, None),
        ({"code": "TVA20"}, 400, "code"),
        ({"code": "tva20"}, 400, "code"),
    ],
    ids=[
        "exempt-without-reason",
        "exempt-with-a-rate",
        "unknown-vatex",
        "vatex-of-another-category",
        "reason-on-a-taxed-category",
        "taxed-category-at-zero",
        "zero-rated-with-a-rate",
        "unknown-category",
        "rate-in-letters",
        "huge-rate",
        "negative-rate",
        "name-too-long",
        "no-code",
        "code-taken",
        "code-taken-in-other-letters",
    ],
)
def test_bad_input_is_a_clear_4xx_and_saves_nothing(api, change, status, field):
    count = Tax.objects.count()
    refused(api.post("/taxes", {**TRAINING, **change}), status, field)
    assert Tax.objects.count() == count


def test_a_vatex_code_alone_is_a_reason_and_is_stored_in_capitals(api):
    created = api.post(
        "/taxes", {**TRAINING, "exemption_reason": "", "exemption_reason_code": "vatex-eu-o"}
    )
    refused(created, 400, "exemption_reason_code")  # outside the scope is category O
    created = api.post(
        "/taxes",
        {
            **TRAINING,
            "category": "O",
            "exemption_reason": "",
            "exemption_reason_code": "vatex-eu-o",
        },
    )
    assert created.status_code == 201, created.json()
    assert created.json()["exemption_reason_code"] == "VATEX-EU-O"


def test_a_tax_on_an_issued_invoice_keeps_its_rate_and_category_and_is_archived_instead(
    api, company
):
    training = Tax.objects.get(code="EXO-FORMATION")
    customer = CustomerFactory()
    line = LineSpec(item=ItemFactory(), quantity=Decimal(1), tax=training)
    invoice = issue_invoice(create_invoice(customer, [line]))

    body = refused(
        api.patch(f"/taxes/{training.pk}", {"category": "O", "exemption_reason_code": ""}),
        409,
        "category",
    )
    assert body["code"] == "tax.in_use" and "Archivez" in body["message"]
    standard = {"category": "S", "rate": "20", "exemption_reason": "", "exemption_reason_code": ""}
    refused(api.patch(f"/taxes/{training.pk}", standard), 409, "rate")
    refused(api.delete(f"/taxes/{training.pk}"), 409)
    training.refresh_from_db()
    assert (training.category, training.rate) == ("E", Decimal("0.00"))

    # Its text may change: the issued invoice keeps what it stated.
    renamed = api.patch(f"/taxes/{training.pk}", {"exemption_reason": "Exonéré, art. 261-4-4° a"})
    assert renamed.status_code == 200
    line = invoice.lines.get()
    assert line.vat_exemption_reason == "Exonération de TVA, art. 261-4-4° a du CGI"

    # Archived, it is offered no more and a new line refuses it.
    assert api.patch(f"/taxes/{training.pk}", {"active": False}).status_code == 200
    draft = api.post(
        "/invoices",
        {"customer": customer.code, "lines": [{"description": "Stage", "quantity": "1",
                                               "unit_price": "100", "tax": "EXO-FORMATION"}]},
    )  # fmt: skip
    assert refused(draft, 400, "lines[0].tax")["code"] == "line.tax_archived"


def test_a_draft_tax_may_change_its_rate(api, company):
    """Only issued invoices fix a tax: a draft is priced again when it is saved."""
    tax = api.post("/taxes", TRAINING).json()
    customer = CustomerFactory()
    create_invoice(
        customer, [LineSpec(ItemFactory(), Decimal(1), tax=Tax.objects.get(pk=tax["id"]))]
    )
    changed = api.patch(
        f"/taxes/{tax['id']}",
        {"category": "S", "rate": "20", "exemption_reason": "", "exemption_reason_code": ""},
    )
    assert changed.status_code == 200, changed.json()


def test_the_franchise_is_refused_to_a_company_with_a_vat_number(api, company):
    franchise = {
        **TRAINING,
        "code": "FRANCHISE2",
        "exemption_reason": "TVA non applicable, art. 293 B du CGI",
        "exemption_reason_code": "VATEX-FR-FRANCHISE",
    }
    body = refused(api.post("/taxes", franchise), 400, "exemption_reason_code")
    assert body["code"] == "tax.franchise_with_vat_id"
    assert "293 B" in body["message"] and "numéro de TVA" in body["message"]
    # Archived, it may be kept; without a VAT number, it is offered.
    assert api.post("/taxes", {**franchise, "active": False}).status_code == 201
    update_company(vat_id="")
    exo = Tax.objects.get(code="EXO")
    assert api.patch(f"/taxes/{exo.pk}", {"name": "Franchise en base"}).status_code == 200


def test_only_who_may_change_settings_changes_taxes(api):
    training = Tax.objects.get(code="EXO-FORMATION")
    for role in (SALES, ACCOUNTING):
        _token, key = create_token(make_user(f"someone-{role}", role), "tests")
        client = ApiClient(key)
        assert client.get("/taxes").status_code == 200
        assert client.post("/taxes", TRAINING).status_code == 403
        assert client.patch(f"/taxes/{training.pk}", {"name": "x"}).status_code == 403
        assert client.delete(f"/taxes/{training.pk}").status_code == 403
    assert Tax.objects.get(pk=training.pk).name == training.name


def test_the_settings_page_creates_a_tax_and_says_what_is_wrong(client, user, company):
    client.force_login(user)
    page = client.get("/settings/taxes/new/")
    assert page.status_code == 200 and "VATEX-FR-CGI261-4" in page.text
    form = {**TRAINING, "rate": "0,0", "active": "on", "account": "445710"}
    wrong = client.post(
        "/settings/taxes/new/", {**form, "exemption_reason": "", "exemption_reason_code": ""}
    )
    assert wrong.status_code == 400
    assert "Indiquez pourquoi aucune TVA n’est facturée" in wrong.text
    letters = client.post("/settings/taxes/new/", {**form, "category": "S", "rate": "abc"})
    assert letters.status_code == 400
    assert "taux supérieur à 0" not in letters.text  # one message, about what was typed
    taken = client.post("/settings/taxes/new/", {**form, "code": "tva20"})
    assert "Une taxe de code TVA20 existe déjà." in taken.text
    assert client.post("/settings/taxes/new/", form).status_code == 302
    tax = Tax.objects.get(code="FORMATION2")
    assert (tax.category, tax.exemption_reason_code) == ("E", "VATEX-FR-CGI261-4")
    listing = client.get("/settings/taxes/")
    assert tax.get_absolute_url() in listing.text and "Nouvelle taxe" in listing.text


def test_the_settings_page_refuses_a_new_rate_for_a_tax_on_issued_invoices(client, user, company):
    training = Tax.objects.get(code="EXO-FORMATION")
    line = LineSpec(item=ItemFactory(), quantity=Decimal(1), tax=training)
    issue_invoice(create_invoice(CustomerFactory(), [line]))
    client.force_login(user)
    url = training.get_absolute_url()
    form = {
        "code": training.code,
        "name": "Formation renommée",
        "category": "S",
        "rate": "20",
        "exemption_reason": "",
        "exemption_reason_code": "",
        "account": training.account,
        "active": "on",
    }
    page = client.post(url, form)
    assert page.status_code == 400
    assert "figure sur des factures émises" in page.text and "Archivez-la" in page.text
    assert 'value="Formation renommée"' in page.text  # what was typed is kept
    training.refresh_from_db()
    assert (training.category, training.name) == ("E", "Exonéré (formation professionnelle)")
    archived = {**form, "category": "E", "rate": "0", "active": ""}
    archived |= {"exemption_reason": training.exemption_reason}
    assert client.post(url, archived).status_code == 302
    training.refresh_from_db()
    assert training.active is False and training.name == "Formation renommée"


def test_a_salesperson_sees_the_taxes_without_a_form_to_change_them(client, company):
    client.force_login(make_user("sam", SALES))
    listing = client.get("/settings/taxes/")
    assert listing.status_code == 200 and "Nouvelle taxe" not in listing.text
    page = client.get(Tax.objects.get(code="EXO-FORMATION").get_absolute_url())
    assert page.status_code == 200 and "disabled" in page.text
    assert client.post("/settings/taxes/new/", TRAINING).status_code == 403


@pytest.mark.parametrize(
    "patch",
    [{"rate": None}, {"category": None}, {"code": None}, {"active": None}, {"name": "\x00"}],
    ids=["no-rate", "no-category", "no-code", "no-active", "nul-byte"],
)
def test_a_patch_with_nothing_where_a_value_is_needed_is_a_4xx(api, patch):
    tax = Tax.objects.get(code="EXO-FORMATION")
    response = api.patch(f"/taxes/{tax.pk}", patch)
    assert 400 <= response.status_code < 500, response.content
    assert response.json()["message"]


def test_an_item_is_given_only_a_tax_it_may_be_sold_with(api, company, client):
    """The franchise of a company with a VAT number, or an archived tax, is refused on an
    item as on a line; the item form offers no archived tax but keeps the one an item has."""
    item = ItemFactory()
    body = refused(api.patch(f"/items/{item.pk}", {"tax": "EXO"}), 400, "tax")
    assert body["code"] == "tax.franchise_with_vat_id"
    training = Tax.objects.get(code="EXO-FORMATION")
    kept = ItemFactory(tax=training)
    assert api.patch(f"/taxes/{training.pk}", {"active": False}).status_code == 200
    new = {"code": "STAGE", "name": "Stage", "sale_price": "100"}
    body = refused(api.post("/items", {**new, "tax": "EXO-FORMATION"}), 400, "tax")
    assert body["code"] == "line.tax_archived"
    assert api.patch(f"/items/{item.pk}", {"tax": "EXO-FORMATION"}).status_code == 400
    assert api.patch(f"/items/{kept.pk}", {"name": "Stage long"}).status_code == 200

    client.force_login(make_user("admin2", ADMINISTRATOR))
    offered = client.get(f"/items/{item.pk}/").content.decode()
    assert f">{training.name}<" not in offered and ">TVA 20" in offered
    assert f">{training.name}<" in client.get(f"/items/{kept.pk}/").content.decode()
