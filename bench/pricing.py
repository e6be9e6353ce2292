"""Pricing rules at scale (R1-R6): pricing lines and entering orders with 1,000 active rules.

Usage: python -m bench.pricing [--rules N] [--lines N] [--orders N] [--database-url URL]
Prints one JSON object: per phase count, seconds, rate, queries.

R1 writes the rules (in bulk: their checks are the services' and are not what is measured).
R2 prices 10,000 lines of 1,000 documents against them, as a batch of documents is priced.
R3 and R4 create orders (the standard P3 batch) without, then with the rules, 100 promotions
and a shipping method of 100 rules; R5 and R6 create orders one at a time (an order typed or
sent through the API), without, then with. Each of R2-R6 is run three times and its best run
kept: the machine is shared, and the ratios of R4 to R3 and R6 to R5 compare what the rules
cost, not what the neighbours did meanwhile.
The rules mix what a sales manager sets (``make_rules``).
"""

import argparse
import json
import os
import random
import resource
import time
from datetime import date, timedelta
from decimal import Decimal

from bench.setup import (
    database_name,
    make_customers,
    make_items,
    make_requests,
    prepare_database,
)


def make_rules(count: int, customers: list, items: list, rnd) -> None:
    """``count`` active rules, as a sales manager sets them: half are contract prices or
    discounts of an item for a customer group, a fifth discounts of an item group for a
    customer group, 17.7 % a customer's own terms, 10 % quantity breaks of an item, 2 % dated
    promotions of an item group (about one per group), 0.3 % for everyone above a quantity; a
    few stop the others. A line meets about three of them."""
    from comptoir.catalog.models import ItemGroup
    from comptoir.core.bulk import insert_objects
    from comptoir.parties.models import CustomerGroup
    from comptoir.pricing.models import PricingRule, RuleAction

    groups = insert_objects([ItemGroup(name=f"Famille {i}") for i in range(20)], returning=True)
    customer_groups = insert_objects(
        [CustomerGroup(name=f"Groupe {i}") for i in range(10)], returning=True
    )
    for item in items:
        item.group = rnd.choice(groups)
    type(items[0]).objects.bulk_update(items, ["group"], batch_size=500)
    for customer in customers:
        customer.group = rnd.choice(customer_groups)
    type(customers[0]).objects.bulk_update(customers, ["group"], batch_size=500)
    today = date.today()
    kinds = [
        (0.50, lambda: {"item": rnd.choice(items), "customer_group": rnd.choice(customer_groups)}),
        (0.70, lambda: {"item_group": rnd.choice(groups),
                        "customer_group": rnd.choice(customer_groups)}),
        (0.877, lambda: {"customer": rnd.choice(customers)}
                       | ({"item_group": rnd.choice(groups)} if rnd.random() < 0.5 else {})),
        (0.977, lambda: {"item": rnd.choice(items), "min_quantity": Decimal(rnd.randint(3, 8))}),
        (0.997, lambda: {"item_group": rnd.choice(groups),
                        "valid_from": today - timedelta(days=rnd.randint(0, 30)),
                        "valid_to": today + timedelta(days=rnd.randint(0, 30))}),
        (1.00, lambda: {"min_quantity": Decimal(rnd.randint(5, 10))}),
    ]  # fmt: skip
    actions = [RuleAction.DISCOUNT_PCT, RuleAction.DISCOUNT_PCT, RuleAction.FIXED_PRICE,
               RuleAction.DISCOUNT_AMOUNT, RuleAction.COST_PLUS]  # fmt: skip
    rules = []
    for index in range(count):
        conditions = next(make() for share, make in kinds if index / count < share)
        action = rnd.choice(actions)
        value = {
            RuleAction.DISCOUNT_PCT: Decimal(rnd.randint(1, 15)),
            RuleAction.FIXED_PRICE: Decimal(rnd.randint(200, 9000)) / 100,
            RuleAction.DISCOUNT_AMOUNT: Decimal(rnd.randint(10, 100)) / 100,
            RuleAction.COST_PLUS: Decimal(rnd.randint(20, 80)),
        }[action]
        rule = PricingRule(
            code=f"R{index:05d}",
            name=f"Règle {index}",
            action=action,
            value=value,
            priority=rnd.randint(0, 9),
            stop_others=rnd.random() < 0.05,
            **conditions,
        )
        rules.append(rule)
    insert_objects(rules)


def make_promotions(count: int, items: list, rnd) -> None:
    """``count`` active promotions through the service: half « buy 3, get 1 free » on an item,
    three in ten a discount on documents above an amount for a customer group, the rest bundles
    of two items at a set price."""
    from comptoir.parties.models import CustomerGroup
    from comptoir.pricing.models import PromotionKind
    from comptoir.pricing.services import save_promotion

    groups = list(CustomerGroup.objects.all()) or [None]
    for index in range(count):
        share, code = index / count, f"PROMO{index:03d}"
        if share < 0.5:
            item = rnd.choice(items)
            save_promotion(
                code=code, name=f"3 + 1 offert {item.code}", kind=PromotionKind.BUY_X_GET_Y,
                item=item, quantity=Decimal(3), reward_quantity=Decimal(1),
                reward_discount_pct=Decimal(100),
            )  # fmt: skip
        elif share < 0.8:
            save_promotion(
                code=code, name=f"Remise dès 500 € ({index})", kind=PromotionKind.THRESHOLD,
                customer_group=rnd.choice(groups), min_amount=Decimal(500),
                discount_pct=Decimal(rnd.randint(2, 8)),
            )  # fmt: skip
        else:
            first, second = rnd.sample(items, 2)
            price = (first.sale_price + second.sale_price) * Decimal("0.85")
            save_promotion(
                components=[(first, Decimal(1)), (second, Decimal(1))], code=code,
                name=f"Lot {first.code} + {second.code}", kind=PromotionKind.BUNDLE,
                set_price=price.quantize(Decimal("0.01")),
            )  # fmt: skip


def make_shipping(items: list, rnd):
    """A carrier with 100 shipping rules: 19 zones of five departments with five weight bands
    each, four bands for the rest of France, free shipping from 300 €; items weigh 0,1 to 5 kg."""
    from comptoir.pricing.models import ShippingMethod, ShippingRule, ShippingZone, Tax
    from comptoir.pricing.services import save_shipping

    for item in items:
        item.weight = Decimal(rnd.randint(100, 5000)) / 1000
    type(items[0]).objects.bulk_update(items, ["weight"], batch_size=500)
    method = save_shipping(
        ShippingMethod,
        code="TRANSPORT",
        name="Transporteur",
        tax=Tax.objects.get(code="TVA20"),
    )
    zones = [
        save_shipping(
            ShippingZone,
            code=f"Z{index:02d}",
            name=f"Zone {index}",
            postal_prefixes=",".join(f"{5 * index + d + 1:02d}" for d in range(5)),
        )
        for index in range(19)
    ]
    bands = [Decimal(w) for w in ("2", "5", "10", "30")]
    for zone in zones:  # 19 zones × 5 weight bands
        for low, high in zip([None, *bands], [*bands, None], strict=True):
            save_shipping(
                ShippingRule, method=method, country="FR", zone=zone, weight_over=low,
                weight_up_to=high, charge=Decimal(rnd.randint(490, 2990)) / 100,
            )  # fmt: skip
    for low, high in zip([None, *bands[1:]], [*bands[1:], None], strict=True):  # the rest: 4
        save_shipping(
            ShippingRule, method=method, country="FR", weight_over=low, weight_up_to=high,
            charge=Decimal(rnd.randint(990, 3990)) / 100,
        )  # fmt: skip
    save_shipping(
        ShippingRule, method=method, country="FR", amount_from=Decimal("300"), charge=Decimal("0")
    )
    return method


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.pricing")
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--single-orders", type=int, default=200)
    parser.add_argument("--database-url", default=os.environ.get("COMPTOIR_BENCH_DATABASE_URL"))
    args = parser.parse_args()
    prepare_database(args.database_url)
    from django.db import connection
    from django.utils import timezone

    from comptoir.pricing.engine import PricingContext, price_lines
    from comptoir.sales import services as sales

    rnd = random.Random(7)
    rows = []

    def phase(name, count, fn, runs: int = 1):
        """Run ``fn`` (``runs`` times: the best run counts, the machine being shared)."""
        best = None
        for _run in range(runs):
            queries = [0]

            def counted(execute, sql, params, many, context, queries=queries):
                queries[0] += 1
                return execute(sql, params, many, context)

            with connection.execute_wrapper(counted):
                start = time.perf_counter()
                result = fn()
                seconds = time.perf_counter() - start
            if best is None or seconds < best[0]:
                best = (seconds, queries[0])
        seconds, queries = best
        rows.append(
            {
                "phase": name,
                "count": count,
                "seconds": round(seconds, 3),
                "rate": round(count / seconds, 1),
                "queries": queries,
                "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
        return result

    customers = make_customers(1000)
    items = make_items(500, rnd)

    def requests(count: int, shipping=None):
        made = make_requests(count, customers, items, rnd)
        for request in made:
            request.header["shipping_method"] = shipping
        return made

    def entry(rules: str, shipping=None):
        """Orders entered in a batch (P3), then one at a time, each run with new orders."""
        phase(
            f"{'R4' if rules else 'R3'} orders created{rules}",
            args.orders,
            lambda: sales.create_orders(requests(args.orders, shipping)),
            runs=3,
        )
        phase(
            f"{'R6' if rules else 'R5'} orders one at a time{rules}",
            args.single_orders,
            lambda: [
                sales.create_orders([request]) for request in requests(args.single_orders, shipping)
            ],
            runs=3,
        )

    entry("")
    phase("R1 rules written", args.rules, lambda: make_rules(args.rules, customers, items, rnd))
    shipping = make_shipping(items, rnd)
    make_promotions(100, items, rnd)
    day = timezone.localdate()
    documents = make_requests(args.lines // 10, customers, items, rnd, lines=10)

    def price_all():
        context = PricingContext.load(items)
        return sum(len(price_lines(r.customer, day, r.lines, context=context)) for r in documents)

    phase(f"R2 lines priced against {args.rules:,} rules", args.lines, price_all, runs=3)
    entry(f", {args.rules:,} rules, 100 promotions, 100 shipping rules", shipping)
    by_name = {row["phase"][:2]: row for row in rows}
    for with_rules, without_rules in (("R4", "R3"), ("R6", "R5")):
        row = by_name[with_rules]
        row["ratio"] = round(row["rate"] / by_name[without_rules]["rate"], 3)
    print(json.dumps({"database": database_name(), "phases": rows}))


if __name__ == "__main__":
    main()
