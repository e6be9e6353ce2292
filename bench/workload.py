"""The standard sales workload through the services, on one fresh database.

Usage: python -m bench.workload [--orders N] [--database-url URL]
Prints one JSON object: the database, and per phase count, seconds, rate, queries.
Run by `python -m bench`, once per database, each in its own process.
"""

import argparse
import json
import os
import random
import resource
import time
from pathlib import Path

from bench.setup import (
    database_name,
    make_customers,
    make_items,
    make_requests,
    prepare_database,
)

PROFILES = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.workload")
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--database-url", default=os.environ.get("COMPTOIR_BENCH_DATABASE_URL"))
    parser.add_argument("--profile", help="profile this phase (e.g. P6) with pyinstrument")
    args = parser.parse_args()
    prepare_database(args.database_url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from comptoir.billing import services as billing
    from comptoir.billing.queries import sales_by_customer
    from comptoir.payments.services import PaymentRequest, register_payments
    from comptoir.sales import services as sales
    from comptoir.stock import services as stock

    rnd = random.Random(1)
    rows = []

    def phase(name, count, fn):
        profiler = None
        if args.profile and name.startswith(args.profile + " "):
            from pyinstrument import Profiler

            profiler = Profiler()
            profiler.start()
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            result = fn()
            seconds = time.perf_counter() - start
        if profiler:
            profiler.stop()
            PROFILES.mkdir(parents=True, exist_ok=True)
            path = PROFILES / f"profile-{args.profile}-{connection.vendor}.txt"
            path.write_text(profiler.output_text(show_all=False, color=False))
        rows.append(
            {
                "phase": name,
                "count": count,
                "seconds": round(seconds, 3),
                "rate": round(count / seconds, 1),
                "queries": len(ctx.captured_queries),
                # The process's peak resident memory so far (Linux reports KiB).
                "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
        return result

    customers = phase("P1 customers", args.customers, lambda: make_customers(args.customers))
    items = phase("P2 items", args.items, lambda: make_items(args.items, rnd))
    n = args.orders
    requests = make_requests(n, customers, items, rnd)
    cycle_start = time.perf_counter()
    orders = phase("P3 orders created", n, lambda: sales.create_orders(requests))
    phase("P4 orders confirmed", n, lambda: sales.confirm_orders(orders))
    phase("P5 orders delivered", n, lambda: stock.create_deliveries([(o, None) for o in orders]))
    invoices = phase(
        "P6 invoices issued", n, lambda: billing.issue_invoices(billing.invoice_orders(orders))
    )
    by_id = {c.pk: c for c in customers}
    phase(
        "P7 payments",
        n,
        lambda: register_payments(
            [
                PaymentRequest(
                    by_id[i.customer_id], i.total_gross, allocations=[(i, i.total_gross)]
                )
                for i in invoices
            ]
        ),
    )
    cycle = time.perf_counter() - cycle_start
    cycle_queries = sum(r["queries"] for r in rows[2:])
    rows.append(
        {
            "phase": "P3-P7 order to paid",
            "count": n,
            "seconds": round(cycle, 3),
            "rate": round(n / cycle, 1),
            "queries": cycle_queries,
            "queries_per_order": round(cycle_queries / n, 3),
            "peak_mib": rows[-1]["peak_mib"],
        }
    )
    report = phase("P8 sales by customer", 1, lambda: list(sales_by_customer()))
    rows[-1]["rows"] = len(report)
    print(json.dumps({"database": database_name(), "phases": rows}))


if __name__ == "__main__":
    main()
