"""The stock figures of one item with a million moves (P11).

Usage: python -m bench.stock [--moves N] [--database-url URL]
Prints one JSON object: the moves written, then the median and slowest of 7 timings (ms)
and the queries of: the figures of the item, the figures of every item, the item's last
moves (the ledger's first page), and posting one more move through the service.

A thousand moves go through the service (post_moves); the rest are written in bulk as the
ledger stands after them, with the balance the service keeps.
"""

import argparse
import json
import os
import random
import statistics
import time
from datetime import date, timedelta
from decimal import Decimal

from bench.setup import database_name, prepare_database

SERVICE_MOVES = 1000


def timed(fn, runs: int = 7) -> dict:
    """The median and slowest of ``runs`` timings, in ms, and the queries of the last."""
    from django.db import connection

    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    timings = []
    for _run in range(runs):
        queries[0] = 0
        with connection.execute_wrapper(count):
            start = time.perf_counter()
            fn()
            timings.append((time.perf_counter() - start) * 1000)
    return {
        "median_ms": round(statistics.median(timings), 2),
        "max_ms": round(max(timings), 2),
        "queries": queries[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.stock")
    parser.add_argument("--moves", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("COMPTOIR_BENCH_DATABASE_URL"))
    args = parser.parse_args()
    prepare_database(args.database_url)
    from django.db import connection, transaction
    from django.db.models import Sum
    from django.utils import timezone

    from comptoir.core.bulk import insert_rows
    from comptoir.core.services import update_company
    from comptoir.stock import services
    from comptoir.stock.models import StockLevel, StockMove
    from comptoir.stock.queries import last_moves, stock_figures
    from tests.factories import ItemFactory

    update_company(stock_management=True, allow_negative_stock=True)
    rnd = random.Random(11)
    item = ItemFactory(code="BENCH-1M")
    others = [ItemFactory() for _other in range(50)]
    warehouse = services.default_warehouse()
    for other in others:
        services.receive(other, "100")
    start = time.perf_counter()
    for _move in range(min(SERVICE_MOVES, args.moves)):
        services.receive(item, str(rnd.randint(1, 20)), reference="bench")
    service_seconds = time.perf_counter() - start

    bulk = max(0, args.moves - SERVICE_MOVES)
    first_day = date(2024, 1, 1)
    total = Decimal("0")
    start = time.perf_counter()
    now = StockMove._meta.get_field("created_at").get_db_prep_save(timezone.now(), connection)
    with transaction.atomic():
        fields = ["item", "warehouse", "date", "quantity", "kind", "reason", "reference"]
        fields.append("created_at")
        chunk = []
        for index in range(bulk):
            quantity = Decimal(rnd.choice([5, 10, -3, -4, -2]))
            total += quantity
            kind = StockMove.Kind.RECEIPT if quantity > 0 else StockMove.Kind.DELIVERY
            day = first_day + timedelta(days=index * 1000 // max(1, bulk))
            chunk.append((item.pk, warehouse.pk, day, quantity, kind, "", f"B{index}", now))
            if len(chunk) == 50_000:
                insert_rows(StockMove, fields, chunk)
                chunk = []
        insert_rows(StockMove, fields, chunk)
        level = StockLevel.objects.get(item=item, warehouse=warehouse)
        StockLevel.objects.filter(pk=level.pk).update(on_hand=level.on_hand + total)
    bulk_seconds = time.perf_counter() - start

    measures = {
        "figures of the item": timed(lambda: stock_figures(item_ids=[item.pk])),
        "figures of every item": timed(lambda: stock_figures()),
        "the item's last 50 moves": timed(lambda: list(last_moves(item, 50))),
        "post one move": timed(lambda: services.receive(item, "1")),
        # What the figures would cost without the balance: every move of the item read.
        "the item's moves summed (the check)": timed(
            lambda: StockMove.objects.filter(item=item).aggregate(Sum("quantity")), runs=3
        ),
    }
    (figures,) = stock_figures(item_ids=[item.pk])
    moves = StockMove.objects.filter(item=item).count()
    print(
        json.dumps(
            {
                "database": database_name(),
                "moves": moves,
                "on_hand": str(figures.on_hand),
                "service_moves_per_s": round(min(SERVICE_MOVES, args.moves) / service_seconds),
                "bulk_seconds": round(bulk_seconds, 1),
                "measures": [{"what": what, **result} for what, result in measures.items()],
            }
        )
    )


if __name__ == "__main__":
    main()
