"""How pricing rules resolve: conditions, priorities, stops, ties, the minimum margin, and the
explanation each priced line keeps."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.catalog import services as catalog
from comptoir.catalog.models import ItemGroup
from comptoir.core.errors import BusinessError
from comptoir.core.models import Company
from comptoir.parties.models import CustomerGroup, Territory
from comptoir.pricing import services
from comptoir.pricing.engine import LineSpec, PricingContext, price_lines
from comptoir.pricing.models import PricingRule, RuleChannel
from comptoir.pricing.rules import net_price
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db
D = Decimal
DAY = date(2026, 6, 15)


@pytest.fixture
def world(company):
    """Two customer groups, a territory, an item group with a sub-group, and items in them."""
    retail = CustomerGroup.objects.create(name="Détaillants")
    wholesale = CustomerGroup.objects.create(name="Grossistes")
    south = Territory.objects.create(name="Sud")
    drinks = ItemGroup.objects.create(name="Boissons")
    coffee = ItemGroup.objects.create(name="Cafés", parent=drinks)
    return {
        "retail": retail,
        "wholesale": wholesale,
        "south": south,
        "drinks": drinks,
        "coffee": coffee,
        "shop": CustomerFactory(group=retail, territory=south),
        "depot": CustomerFactory(group=wholesale),
        "arabica": ItemFactory(group=coffee, sale_price=D("20.00"), cost_price=D("8.00")),
        "juice": ItemFactory(group=drinks, sale_price=D("5.00"), cost_price=D("2.00")),
        "pen": ItemFactory(sale_price=D("2.00"), cost_price=D("0.50")),
    }


def rule(world, code, action, value, **conditions):
    """A rule from short names of the world's rows (``item="arabica"``, ``customer_group=…``)."""
    fields = {
        name: world[ref] if isinstance(ref, str) and ref in world else ref
        for name, ref in conditions.items()
    }
    return services.save_rule(code=code, name=code, action=action, value=D(value), **fields)


def net(world, customer, item, quantity="1", day=DAY, **context):
    line = price_lines(
        world[customer],
        day,
        [LineSpec(world[item], D(quantity))],
        context=PricingContext.load([world[item]], **context),
    )[0]
    return net_price(line["unit_price"], line["discount_pct"]), line


# Each case: the rules (code, action, value, conditions), the line, and the net price expected.
CASES = [
    ("no rule: the item's price", [], ("shop", "arabica", "1"), "20.0000"),
    (
        "a customer group's discount",
        [("R", "discount_pct", "10", {"customer_group": "retail"})],
        ("shop", "arabica", "1"),
        "18.0000",
    ),
    (
        "another group's rule does not apply",
        [("R", "discount_pct", "10", {"customer_group": "wholesale"})],
        ("shop", "arabica", "1"),
        "20.0000",
    ),
    (
        "a rule on a parent item group covers its sub-groups",
        [("R", "fixed_price", "15", {"item_group": "drinks"})],
        ("shop", "arabica", "1"),
        "15.0000",
    ),
    (
        "a quantity threshold not reached",
        [("R", "discount_pct", "10", {"min_quantity": D("10")})],
        ("shop", "arabica", "9"),
        "20.0000",
    ),
    (
        "a quantity threshold reached",
        [("R", "discount_pct", "10", {"min_quantity": D("10")})],
        ("shop", "arabica", "10"),
        "18.0000",
    ),
    (
        "a line amount threshold (5 × 5,00 = 25,00 ≥ 25)",
        [("R", "discount_amount", "1", {"min_amount": D("25")})],
        ("shop", "juice", "5"),
        "4.0000",
    ),
    (
        "outside its dates",
        [("R", "discount_pct", "10", {"valid_from": date(2026, 7, 1)})],
        ("shop", "arabica", "1"),
        "20.0000",
    ),
    (
        "the highest priority sets the price; the lower one is shadowed",
        [
            ("LOW", "fixed_price", "12", {"item_group": "coffee", "priority": 1}),
            ("HIGH", "fixed_price", "14", {"customer_group": "retail", "priority": 5}),
        ],
        ("shop", "arabica", "1"),
        "14.0000",
    ),
    (
        "discounts cascade: amount off the price, then the percentages add up",
        [
            ("A", "discount_pct", "10", {"customer_group": "retail", "priority": 3}),
            ("B", "discount_amount", "2", {"item": "arabica", "priority": 2}),
            ("C", "discount_pct", "5", {"territory": "south", "priority": 1}),
        ],
        ("shop", "arabica", "1"),
        "15.3900",  # (20 − 2) × (1 − 14,5 %)
    ),
    (
        "a rule that stops the others: no lower priority applies",
        [
            ("STOP", "discount_pct", "10", {"item": "arabica", "priority": 5, "stop_others": True}),
            ("MORE", "discount_pct", "5", {"customer_group": "retail", "priority": 1}),
        ],
        ("shop", "arabica", "1"),
        "18.0000",
    ),
    (
        "a stop lower down leaves the higher rules",
        [
            ("HIGH", "discount_pct", "5", {"item": "arabica", "priority": 9}),
            ("STOP", "discount_pct", "10", {"item": "arabica", "priority": 5, "stop_others": True}),
            ("LOW", "fixed_price", "1", {"priority": 1}),
        ],
        ("shop", "arabica", "1"),
        "17.1000",  # 20 × (1 − 14,5 %)
    ),
    (
        "a tie on priority: the oldest rule sets the price",
        [
            ("FIRST", "fixed_price", "11", {"item": "arabica", "priority": 2}),
            ("SECOND", "fixed_price", "13", {"customer": "shop", "priority": 2}),
        ],
        ("shop", "arabica", "1"),
        "11.0000",
    ),
    (
        "cost + margin",
        [("R", "cost_plus", "50", {"item": "arabica"})],
        ("depot", "arabica", "1"),
        "12.0000",
    ),
    (
        "a channel condition: typed documents only",
        [("R", "discount_pct", "10", {"channel": RuleChannel.IMPORT})],
        ("shop", "arabica", "1"),
        "20.0000",
    ),
    (
        "another currency",
        [("R", "discount_pct", "10", {"currency": "USD"})],
        ("shop", "arabica", "1"),
        "20.0000",
    ),
]


@pytest.mark.parametrize(("case", "rules", "line", "expected"), CASES, ids=[c[0] for c in CASES])
def test_rule_resolution(world, case, rules, line, expected):
    for code, action, value, conditions in rules:
        rule(world, code, action, value, **conditions)
    price, priced = net(world, *line)
    assert price == D(expected), case
    assert D(priced["price_explanation"][-1]["after"]) == price


def test_a_price_from_another_price_list_with_its_quantity_breaks(world):
    promo = catalog.create_price_list(code="PROMO", name="Promotion")
    catalog.set_item_price(promo, world["arabica"], D("17.00"))
    catalog.set_item_price(promo, world["arabica"], D("16.00"), min_quantity=D("6"))
    rule(world, "LIST", "price_list", "0", item_group="coffee", price_list=promo)
    assert net(world, "shop", "arabica", "1")[0] == D("17.0000")
    assert net(world, "shop", "arabica", "6")[0] == D("16.0000")
    # An item the list does not price keeps its own price, and the rule says why.
    rule(world, "LIST2", "price_list", "0", item="juice", price_list=promo)
    assert net(world, "shop", "juice", "1")[0] == D("5.0000")


def test_the_import_channel_and_its_partner(world):
    rule(world, "SHOP", "discount_pct", "10", channel=RuleChannel.IMPORT, partner="Boutique")
    assert net(world, "shop", "arabica")[0] == D("20.0000")
    assert net(world, "shop", "arabica", channel="import", partner="Autre")[0] == D("20.0000")
    assert net(world, "shop", "arabica", channel="import", partner="Boutique")[0] == D("18.0000")


def test_the_explanation_keeps_each_step_with_the_price_before_and_after(world):
    rule(world, "GROUP10", "discount_pct", "10", customer_group="retail", priority=2)
    rule(world, "ARA2", "discount_amount", "2", item="arabica", priority=1)
    line = price_lines(
        world["shop"], DAY, [LineSpec(world["arabica"], D("1"), discount_pct=D("20"))]
    )[0]
    steps = [(s["kind"], s.get("code"), s["before"], s["after"]) for s in line["price_explanation"]]
    assert steps == [
        ("item", None, None, "20.0000"),
        ("rule", "ARA2", "20.0000", "18.0000"),
        ("rule", "GROUP10", "18.0000", "16.2000"),
        ("manual_discount", None, "16.2000", "14.4000"),
    ]
    assert (line["unit_price"], line["discount_pct"]) == (D("18.0000"), D("20.00"))


def test_overlapping_rules_are_refused_unless_their_priorities_differ(world):
    rule(world, "A", "discount_pct", "10", item="arabica", valid_to=date(2026, 6, 30))
    with pytest.raises(BusinessError) as refused:
        rule(world, "B", "discount_pct", "5", item="arabica", valid_from=date(2026, 6, 1))
    assert refused.value.code == "rule.overlaps" and refused.value.field == "priority"
    assert "«\u00a0A\u00a0»" in refused.value.message
    rule(world, "C", "discount_pct", "5", item="arabica", valid_from=date(2026, 7, 1))
    rule(world, "D", "discount_pct", "5", item="arabica", priority=1)
    rule(world, "E", "fixed_price", "5", item="arabica")  # a price and a discount: no clash
    with pytest.raises(BusinessError):
        rule(world, "F", "cost_plus", "40", item="arabica")  # two prices: a clash


@pytest.mark.parametrize(
    ("action", "value", "field"),
    [
        ("discount_pct", "120", "value"),
        ("discount_pct", "0", "value"),
        ("discount_amount", "-1", "value"),
        ("fixed_price", "-3", "value"),
        ("price_list", "0", "price_list"),
    ],
)
def test_a_rule_that_cannot_work_is_refused_on_its_field(world, action, value, field):
    with pytest.raises(BusinessError) as refused:
        rule(world, "BAD", action, value)
    assert refused.value.field == field


def test_a_rule_under_the_minimum_margin_needs_the_permission(world, django_user_model):
    Company.objects.update(minimum_margin_pct=D("25"))  # arabica: at least 10,00
    with pytest.raises(BusinessError) as refused:
        rule(world, "DEEP", "discount_pct", "60", item_group="drinks")
    assert refused.value.code == "rule.below_minimum_margin"
    assert "2 articles" in refused.value.message
    rule(world, "FAIR", "discount_pct", "50", item="arabica")  # 10,00: just at the floor
    manager = django_user_model.objects.create_user("chef")
    manager.user_permissions.add(Permission.objects.get(codename="sell_below_minimum_margin"))
    services.save_rule(
        code="DEEP", name="DEEP", action="discount_pct", value=D("60"), item_group=world["drinks"],
        priority=3, by=manager,
    )  # fmt: skip


def test_the_minimum_margin_holds_against_rules_and_typed_prices(world, django_user_model):
    rule(world, "DEEP", "discount_pct", "70", item="arabica")  # saved before the minimum
    Company.objects.update(minimum_margin_pct=D("25"))
    price, line = net(world, "shop", "arabica")
    assert price == D("10.0000") and line["price_explanation"][-1]["kind"] == "floor"
    with pytest.raises(BusinessError) as refused:
        price_lines(world["shop"], DAY, [LineSpec(world["arabica"], D("1"), unit_price=D("9"))])
    assert refused.value.code == "line.below_minimum_margin"
    assert refused.value.field == "lines[0].unit_price"
    assert "10,00" in refused.value.message
    with pytest.raises(BusinessError) as refused:
        price_lines(world["shop"], DAY, [LineSpec(world["arabica"], D("1"), discount_pct=D("60"))])
    assert refused.value.field == "lines[0].discount_pct"
    manager = django_user_model.objects.create_user("chef")
    manager.user_permissions.add(Permission.objects.get(codename="sell_below_minimum_margin"))
    allowed = PricingContext.load([world["arabica"]], by=manager)
    spec = LineSpec(world["arabica"], D("1"), unit_price=D("9"))
    assert price_lines(world["shop"], DAY, [spec], context=allowed)[0]["unit_price"] == D("9")
    # The engine proposes the same to everyone: not under the minimum.
    assert net(world, "shop", "arabica", by=manager)[0] == D("10.0000")


def test_rules_are_read_once_for_a_batch_and_kept_while_unchanged(world, django_assert_num_queries):
    for index in range(30):
        rule(world, f"R{index}", "discount_pct", "1", item="arabica", priority=index)
    specs = [LineSpec(world["arabica"], D(str(q))) for q in range(1, 41)]
    with django_assert_num_queries(3):  # the company; whether the rules changed; they did
        context = PricingContext.load([world["arabica"]])
    with django_assert_num_queries(0):
        lines = price_lines(CustomerFactory.build(), DAY, specs, context=context)
    assert len(lines[0]["price_explanation"]) == 31
    with django_assert_num_queries(2):  # unchanged: the rules read before serve
        PricingContext.load([world["arabica"]])
    services.set_rule_active(PricingRule.objects.get(code="R29"), False)
    context = PricingContext.load([world["arabica"]])
    assert context.book.size == 29


ACTIONS = st.sampled_from(["fixed_price", "discount_pct", "discount_amount", "cost_plus"])
RULES = st.lists(
    st.tuples(
        ACTIONS,
        st.decimals(min_value=1, max_value=60, places=2),
        st.integers(min_value=0, max_value=3),  # priority
        st.booleans(),  # stops the others
        st.sampled_from([{}, {"item": "arabica"}, {"customer_group": "retail"},
                         {"item_group": "drinks"}, {"min_quantity": D("5")}]),
    ),
    max_size=6,
)  # fmt: skip


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rules=RULES,
    quantity=st.integers(min_value=1, max_value=12),
    margin=st.one_of(st.none(), st.decimals(min_value=0, max_value=80, places=1)),
    typed_discount=st.one_of(st.none(), st.decimals(min_value=0, max_value=30, places=2)),
)
def test_pricing_properties(world, rules, quantity, margin, typed_discount):
    """Whatever the rules: pricing twice gives the same price, the explanation ends on the
    line's price, and no line goes under the minimum margin without the permission."""
    PricingRule.objects.all().delete()
    Company.objects.update(minimum_margin_pct=margin)
    for index, (action, value, priority, stops, conditions) in enumerate(rules):
        PricingRule.objects.create(
            code=f"P{index}", name=f"P{index}", action=action, value=value, priority=priority,
            stop_others=stops, **{k: world.get(v, v) for k, v in conditions.items()},
        )  # fmt: skip
    spec = LineSpec(world["arabica"], D(quantity), discount_pct=typed_discount)
    try:
        first = price_lines(world["shop"], DAY, [spec])[0]
    except BusinessError as error:
        assert error.code == "line.below_minimum_margin" and typed_discount is not None
        return
    again = price_lines(world["shop"], DAY, [spec])[0]
    assert (first["unit_price"], first["discount_pct"]) == (
        again["unit_price"],
        again["discount_pct"],
    )
    assert first["price_explanation"] == again["price_explanation"]
    price = net_price(first["unit_price"], first["discount_pct"])
    assert D(first["price_explanation"][-1]["after"]) == price
    if margin is not None:
        assert price >= world["arabica"].cost_price * (100 + margin) / 100 - D("0.0001")


def test_a_rule_on_a_model_or_on_an_attribute_value_prices_its_variants(world):
    from comptoir.catalog import services as catalog_services

    colour = catalog_services.create_attribute(
        code="COULEUR", name="Couleur", values=[("ROUGE", "Rouge"), ("BLEU", "Bleu")]
    )
    red = colour.values.get(code="ROUGE")
    shirt = ItemFactory(code="TSHIRT", sale_price=D("10.00"), cost_price=D("4.00"))
    catalog_services.set_template_attributes(shirt, [colour])
    generated = catalog_services.generate_variants(shirt, {"COULEUR": ["ROUGE", "BLEU"]})
    variants = {v.code: v for v in generated}
    red_shirt, blue_shirt = variants["TSHIRT-ROUGE"], variants["TSHIRT-BLEU"]
    rule(world, "MODEL", "discount_pct", "10", item=shirt)
    rule(world, "RED", "discount_amount", "1", attribute_value=red, priority=1)
    world.update(red_shirt=red_shirt, blue_shirt=blue_shirt)
    assert net(world, "shop", "red_shirt")[0] == D("8.1000")  # (10 − 1) × 0,9
    assert net(world, "shop", "blue_shirt")[0] == D("9.0000")


def test_a_price_allowed_under_the_margin_stays_when_another_user_saves_the_draft(
    world, django_user_model
):
    from comptoir.sales import services as sales

    Company.objects.update(minimum_margin_pct=D("25"))  # arabica: at least 10,00
    manager = django_user_model.objects.create_user("chef")
    manager.user_permissions.add(Permission.objects.get(codename="sell_below_minimum_margin"))
    seller = django_user_model.objects.create_user("vendeur")
    under = [LineSpec(world["arabica"], D("2"), unit_price=D("9"))]
    quotation = sales.create_quotation(world["shop"], under, by=manager)
    assert quotation.lines.get().price_explanation[-1]["below_margin"] is True
    # The seller adds a note and saves the lines as they are: the price stays.
    sales.update_quotation(quotation, lines=under, notes="Livraison le matin", by=seller)
    assert quotation.lines.get().unit_price == D("9")
    # Lower still: that needs the right.
    with pytest.raises(BusinessError) as refused:
        lower = [LineSpec(world["arabica"], D("2"), unit_price=D("8.5"))]
        sales.update_quotation(quotation, lines=lower, by=seller)
    assert refused.value.code == "line.below_minimum_margin"
