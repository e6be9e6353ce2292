"""Promotions: buy X get Y, discounts above a threshold, bundles at a set price; applied when a
document is made, again as its lines change (never twice, gone when no longer met), carried to
orders and invoices, credited, valid in the e-invoice, and managed through the API."""

from datetime import date
from decimal import Decimal

import pytest

from comptoir.billing.facturx import build_xml
from comptoir.billing.services import create_invoice, credit_invoice, issue_invoice
from comptoir.billing.tests.validation import assert_valid, validate_cii
from comptoir.catalog.models import ItemGroup
from comptoir.pricing.engine import LineSpec
from comptoir.pricing.explanation import describe
from comptoir.pricing.models import PromotionKind, Tax
from comptoir.pricing.services import save_promotion, set_promotion_active
from comptoir.pricing.tests.test_shipping import colissimo  # noqa: F401 (a fixture)
from comptoir.sales import services as sales
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def shop(company):
    group = ItemGroup.objects.create(name="Sièges")
    return {
        "chair": ItemFactory(code="CHAISE", name="Chaise hêtre", sale_price=D("45"), group=group),
        "stool": ItemFactory(code="TABOURET", name="Tabouret", sale_price=D("30"), group=group),
        "cushion": ItemFactory(code="COUSSIN", name="Coussin", sale_price=D("12")),
        "book": ItemFactory(
            code="LIVRE", name="Livre", sale_price=D("20"), tax=Tax.objects.get(code="TVA55")
        ),
        "customer": CustomerFactory(),
    }


def promotion(code, kind, **fields):
    return save_promotion(code=code, name=fields.pop("name", code), kind=kind, **fields)


PROMOTIONS = {
    "3+1": lambda s: promotion(
        "TROIS", PromotionKind.BUY_X_GET_Y, name="3 achetées, 1 offerte",
        item=s["chair"], quantity=3, reward_quantity=1,
    ),
    "group 2 + cushion half": lambda s: promotion(
        "SIEGE", PromotionKind.BUY_X_GET_Y, item_group=ItemGroup.objects.get(name="Sièges"),
        quantity=2, reward_item=s["cushion"], reward_quantity=1, reward_discount_pct=50,
    ),
    "100 € → 10 %": lambda s: promotion(
        "CENT", PromotionKind.THRESHOLD, min_amount=D("100"), discount_pct=D("10")
    ),
    "5 units → 15 €": lambda s: promotion(
        "CINQ", PromotionKind.THRESHOLD, min_quantity=D("5"), discount_amount=D("15")
    ),
    "chair + book 55 €": lambda s: promotion(
        "LOT", PromotionKind.BUNDLE, name="Lecture", set_price=D("55"),
        components=[(s["chair"], 1), (s["book"], 1)],
    ),
}  # fmt: skip


def lines(shop, **quantities):
    return [LineSpec(shop[name], D(q)) for name, q in quantities.items()]


def summary(document) -> tuple:
    rewards = sorted(
        (line.item_code, line.quantity, line.discount_pct)
        for line in document.lines.all()
        if line.promotion_code
    )
    allowances = [
        (row["promotion"], row["vat_rate"], D(row["amount"]))
        for row in document.allowances_charges
        if row.get("source") == "promotion"
    ]
    return rewards, allowances, document.total_net


@pytest.mark.parametrize(
    ("offer", "quantities", "rewards", "allowances", "total_net"),
    [
        ("3+1", {"chair": 2}, [], [], "90.00"),
        ("3+1", {"chair": 3}, [("CHAISE", D("1"), D("100"))], [], "135.00"),
        ("3+1", {"chair": 5}, [("CHAISE", D("1"), D("100"))], [], "225.00"),
        ("3+1", {"chair": 6}, [("CHAISE", D("2"), D("100"))], [], "270.00"),
        # Any seat of the group counts; the cushion given is half price.
        (
            "group 2 + cushion half",
            {"chair": 1, "stool": 3},
            [("COUSSIN", D("2"), D("50"))],
            [],
            "147.00",
        ),
        ("100 € → 10 %", {"chair": 2}, [], [], "90.00"),
        ("100 € → 10 %", {"chair": 2, "cushion": 1}, [], [("CENT", "20", D("10.20"))], "91.80"),
        # An amount on several VAT rates: split in proportion to their lines (90 / 60).
        (
            "5 units → 15 €",
            {"chair": 2, "book": 3},
            [],
            [("CINQ", "20.00", D("9.00")), ("CINQ", "5.50", D("6.00"))],
            "135.00",
        ),
        ("5 units → 15 €", {"chair": 2, "book": 2}, [], [], "130.00"),
        # 45 + 20 = 65 for 55: 10 off, split between the rates (45 / 20).
        (
            "chair + book 55 €",
            {"chair": 2, "book": 1},
            [],
            [("LOT", "20.00", D("6.92")), ("LOT", "5.50", D("3.08"))],
            "100.00",
        ),
        ("chair + book 55 €", {"chair": 1}, [], [], "45.00"),
    ],
)
def test_what_a_promotion_gives(shop, offer, quantities, rewards, allowances, total_net):
    PROMOTIONS[offer](shop)
    quotation = sales.create_quotation(shop["customer"], lines(shop, **quantities))
    got_rewards, got_allowances, net = summary(quotation)
    assert got_rewards == rewards
    assert [(c, D(r), a) for c, r, a in got_allowances] == [(c, D(r), a) for c, r, a in allowances]
    assert net == D(total_net)


def test_applied_again_as_lines_change_never_twice_and_gone_below(shop):
    PROMOTIONS["3+1"](shop)
    PROMOTIONS["100 € → 10 %"](shop)
    quotation = sales.create_quotation(shop["customer"], lines(shop, chair=3))
    first = summary(quotation)
    assert first[0] == [("CHAISE", D("1"), D("100"))] and len(first[1]) == 1
    # The same lines again, and a change of the header that prices the draft again.
    sales.update_quotation(quotation, lines=lines(shop, chair=3))
    sales.update_quotation(quotation, allowances_charges=quotation.allowances_charges)
    quotation.refresh_from_db()
    assert summary(quotation) == first
    assert quotation.lines.count() == 2
    sales.update_quotation(quotation, lines=lines(shop, chair=6))
    quotation.refresh_from_db()
    assert summary(quotation)[0] == [("CHAISE", D("2"), D("100"))]
    sales.update_quotation(quotation, lines=lines(shop, chair=2))
    quotation.refresh_from_db()
    assert summary(quotation) == ([], [], D("90.00"))
    assert quotation.lines.count() == 1


def test_a_switched_off_or_ended_promotion_no_longer_applies(shop):
    offer = PROMOTIONS["3+1"](shop)
    set_promotion_active(offer, False)
    assert summary(sales.create_quotation(shop["customer"], lines(shop, chair=3)))[0] == []
    set_promotion_active(offer, True)
    save_promotion(offer, valid_to=date(2020, 1, 1))
    assert summary(sales.create_quotation(shop["customer"], lines(shop, chair=3)))[0] == []


def test_the_reward_line_explains_itself(shop, english):
    PROMOTIONS["3+1"](shop)
    quotation = sales.create_quotation(shop["customer"], lines(shop, chair=3))
    reward = quotation.lines.get(promotion_code="TROIS")
    said = describe(reward.price_explanation)
    assert said[-1].label == "Promotion “3 achetées, 1 offerte”"
    assert said[-1].after == 0 and reward.net_amount == 0
    assert "3 achetées, 1 offerte" in reward.description


def test_an_order_and_its_invoice_keep_the_promotion_and_its_credit_note_gives_it_back(shop):
    PROMOTIONS["3+1"](shop)
    PROMOTIONS["100 € → 10 %"](shop)
    quotation = sales.create_quotation(shop["customer"], lines(shop, chair=3))
    sales.send_quotation(quotation)
    sales.accept_quotation(quotation)
    order = sales.convert_quotation_to_order(quotation)
    assert summary(order) == summary(quotation)
    order_reward = order.lines.get(promotion_code="TROIS")
    sales.confirm_order(order)
    from comptoir.billing.services import invoice_order
    from comptoir.core.models import Company, InvoiceBasis

    Company.objects.update(invoice_basis=InvoiceBasis.ORDERED)

    invoice = issue_invoice(invoice_order(order))
    assert summary(invoice) == summary(order)
    assert invoice.lines.get(promotion_code="TROIS").source_line == order_reward
    assert_valid(validate_cii(build_xml(invoice)), "promotion invoice")
    whole = credit_invoice(invoice)
    assert whole.total_gross == invoice.total_gross
    assert whole.lines.filter(promotion_code="TROIS").count() == 1
    # Crediting one bought chair: the free one stays with the customer, at no cost.
    invoice2 = issue_invoice(create_invoice(shop["customer"], lines(shop, chair=3)))
    bought = invoice2.lines.get(promotion_code="")
    partial = issue_invoice(credit_invoice(invoice2, {bought.pk: D("1")}))
    assert partial.total_net == D("40.50")  # 45 less the 10 % of the whole document
    assert_valid(validate_cii(build_xml(partial)), "promotion credit note")


def test_an_invoice_with_every_kind_of_promotion_is_a_valid_e_invoice(shop):
    made = {name: offer(shop) for name, offer in PROMOTIONS.items()}
    # First the bundle (it counts a chair and the book), then the others on what is left.
    save_promotion(made["chair + book 55 €"], priority=10)
    invoice = issue_invoice(
        create_invoice(shop["customer"], lines(shop, chair=4, stool=2, book=1, cushion=1))
    )
    assert {line.promotion_code for line in invoice.lines.all()} >= {"TROIS", "SIEGE"}
    assert {row.get("promotion") for row in invoice.allowances_charges} == {"CENT", "CINQ", "LOT"}
    assert invoice.lines.get(promotion_code="TROIS").quantity == 1
    assert_valid(validate_cii(build_xml(invoice)), "promotions")


def test_the_api_creates_changes_switches_off_and_deletes_promotions(api, shop):
    made = api.post(
        "/promotions",
        {
            "code": "LOT",
            "name": "Lecture",
            "kind": "bundle",
            "set_price": "55",
            "components": [{"item": "CHAISE", "quantity": "1"}, {"item": "LIVRE", "quantity": 1}],
        },
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["components"] == [
        {"item": "CHAISE", "quantity": "1.000"},
        {"item": "LIVRE", "quantity": "1.000"},
    ]
    pk = body["id"]
    assert api.patch(f"/promotions/{pk}", {"active": False}).json()["active"] is False
    assert api.get("/promotions").json() == []
    assert [p["code"] for p in api.get("/promotions?inactive=true").json()] == ["LOT"]
    assert api.delete(f"/promotions/{pk}").status_code == 204
    assert api.get(f"/promotions/{pk}").status_code == 404


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"code": "X", "name": "X", "kind": "buy_x_get_y", "quantity": "2"}, 400, "item"),
        (
            {"code": "X", "name": "X", "kind": "buy_x_get_y", "item": "NOPE", "quantity": 2},
            404,
            "item",
        ),
        ({"code": "X", "name": "X", "kind": "threshold", "discount_pct": "10"}, 400, "min_amount"),
        (
            {"code": "X", "name": "X", "kind": "threshold", "min_amount": 1, "discount_pct": 10,
             "discount_amount": 5},
            400,
            "discount_pct",
        ),
        ({"code": "X", "name": "X", "kind": "bundle", "set_price": "10"}, 400, "components"),
        (
            {"code": "X", "name": "X", "kind": "bundle", "set_price": "10",
             "components": [{"item": "CHAISE", "quantity": "0"}]},
            422,
            None,
        ),
        ({"code": "X", "name": "X", "kind": "lottery"}, 422, None),
        (
            {"code": "X", "name": "X", "kind": "threshold", "min_amount": 1, "discount_pct": 5,
             "customer_group": "Personne"},
            404,
            "customer_group",
        ),
    ],
)  # fmt: skip
def test_the_api_refuses_a_wrong_promotion_with_its_reason(api, shop, payload, status, field):
    answer = api.post("/promotions", payload)
    assert answer.status_code == status, answer.json()
    if field:
        assert answer.json()["field"] == field and answer.json()["message"]


def test_the_api_states_reward_lines_and_discounts_and_ignores_them_sent_back(api, shop):
    PROMOTIONS["3+1"](shop)
    PROMOTIONS["100 € → 10 %"](shop)
    customer = shop["customer"].code
    made = api.post(
        "/quotations", {"customer": customer, "lines": [{"item": "CHAISE", "quantity": 3}]}
    ).json()
    assert [line["promotion_code"] for line in made["lines"]] == ["", "TROIS"]
    assert made["lines"][1]["price_explanation"][-1]["kind"] == "promotion"
    assert [row.get("promotion") for row in made["allowances_charges"]] == ["CENT"]
    # The lines and discounts sent back as they were read: nothing given twice.
    again = api.patch(
        f"/quotations/{made['id']}",
        {
            "lines": [
                {"item": x["item_code"], "quantity": x["quantity"], "promotion_code": code}
                for x, code in ((x, x["promotion_code"]) for x in made["lines"])
            ],
            "allowances_charges": [
                {"percent": row["percent"], "reason": row["reason"], "promotion": "CENT"}
                for row in made["allowances_charges"]
            ],
        },
    )
    assert again.status_code == 200, again.json()
    assert again.json()["total_gross"] == made["total_gross"]
    assert len(again.json()["lines"]) == 2 and len(again.json()["allowances_charges"]) == 1


def test_the_settings_pages_list_edit_switch_off_and_show_the_history(client, admin_user, shop):
    client.force_login(admin_user)
    offer = PROMOTIONS["chair + book 55 €"](shop)
    page = client.get("/settings/promotions/")
    assert page.status_code == 200 and "Lecture" in page.content.decode()
    form = client.get(f"/settings/promotions/{offer.pk}/").content.decode()
    assert "CHAISE 1" in form and "LIVRE 1" in form
    data = {
        "code": "LOT",
        "name": "Lecture",
        "kind": "bundle",
        "priority": "0",
        "set_price": "50",
        "components": "CHAISE 1\nLIVRE 2",
    }
    saved = client.post(f"/settings/promotions/{offer.pk}/", data)
    assert saved.status_code == 302
    offer.refresh_from_db()
    assert not offer.active and offer.set_price == D("50")
    assert [(c.item.code, c.quantity) for c in offer.components.all()] == [
        ("CHAISE", D("1")),
        ("LIVRE", D("2")),
    ]
    refused = client.post(f"/settings/promotions/{offer.pk}/", {**data, "components": "NOPE 1"})
    assert refused.status_code == 400 and "NOPE" in refused.content.decode()
    history = client.get(f"/settings/promotions/{offer.pk}/").content.decode()
    assert "50" in history


def test_the_printed_invoice_shows_what_each_promotion_gave(shop):
    from comptoir.billing.pdf import render_html

    PROMOTIONS["3+1"](shop)
    PROMOTIONS["chair + book 55 €"](shop)
    invoice = issue_invoice(create_invoice(shop["customer"], lines(shop, chair=4, book=1)))
    html = render_html(invoice)
    assert "Chaise hêtre — promotion «\u00a03 achetées, 1 offerte\u00a0»" in html
    assert "Lot «\u00a0Lecture\u00a0» × 1" in html


def test_a_batch_of_orders_reads_the_promotions_once(shop):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from comptoir.pricing.documents import DocumentRequest

    for offer in PROMOTIONS.values():
        offer(shop)

    def batch(size: int) -> int:
        requests = [
            DocumentRequest(shop["customer"], lines(shop, chair=3, book=1)) for _n in range(size)
        ]
        with CaptureQueriesContext(connection) as queries:
            orders = sales.create_orders(requests)
        assert all(order.lines.filter(promotion_code="TROIS").exists() for order in orders)
        return len(queries)

    batch(1)  # what a process reads once (the company, the rules' version…)
    assert batch(2) == batch(20)


def test_free_shipping_from_an_amount_sees_the_amount_after_promotions(shop, request):
    method = request.getfixturevalue("colissimo")  # Colissimo: free from 100 €, else 6 €
    wanted = lines(shop, chair=1, book=1, cushion=3)  # 45 + 20 + 36 = 101 €
    before = sales.create_order(shop["customer"], wanted, shipping_method=method)
    assert before.total_charges == 0  # free from 100 €
    PROMOTIONS["chair + book 55 €"](shop)  # 10 € off: 91 €
    after = sales.create_order(shop["customer"], wanted, shipping_method=method)
    assert after.total_allowances == D("10.00") and after.total_charges == D("6.00")
    assert after.shipping_quote.amount == D("91.00")


def test_an_invoice_from_an_order_keeps_its_promotion_lines_when_its_discount_changes(shop):
    from comptoir.billing.services import invoice_order, update_invoice
    from comptoir.core.models import Company, InvoiceBasis

    Company.objects.update(invoice_basis=InvoiceBasis.ORDERED)
    PROMOTIONS["3+1"](shop)
    order = sales.confirm_order(sales.create_order(shop["customer"], lines(shop, chair=3)))
    invoice = invoice_order(order)
    reward = invoice.lines.get(promotion_code="TROIS")
    # A promotion created since does not change what the order agreed.
    PROMOTIONS["100 € → 10 %"](shop)
    update_invoice(
        invoice, allowances_charges=[{"amount": "5", "reason": "Geste", "vat_category": "S",
                                      "vat_rate": "20.00"}]
    )  # fmt: skip
    invoice.refresh_from_db()
    assert invoice.lines.get(promotion_code="TROIS") == reward and reward.source_line_id
    assert [row["reason"] for row in invoice.allowances_charges] == ["Geste"]
    assert invoice.total_net == D("130.00")


def test_the_example_matrix_has_an_invoice_of_each_kind_of_promotion(company):
    from examples.facturx import catalogue, matrix, seller

    seller()
    cases = matrix(catalogue())
    invoice, credit = cases["promotions"], cases["promotions-partial-credit"]
    assert [(x.item_code, x.quantity, x.net_amount) for x in invoice.lines.all()] == [
        ("CHAISE", D("4"), D("180.00")),
        ("LIVRE", D("1"), D("21.10")),
        ("REPAS", D("1"), D("18.00")),
        ("CHAISE", D("1"), D("0.00")),  # given
    ]
    assert [row["promotion"] for row in invoice.allowances_charges] == [
        "LOT-LECTURE", "LOT-LECTURE", "DES200", "DES200", "DES200",
    ]  # fmt: skip
    assert credit.kind == "credit_note" and credit.lines.count() == 1
    for case in (invoice, credit):
        assert_valid(validate_cii(build_xml(case)), case.number)
