"""The sales analysis over a million invoice lines (P12).

Usage: python -m bench.reports [--lines N] [--through-services N] [--database-url URL]
Prints one JSON object: how the lines were made, then for each pivot the page and the API
ask (by each dimension, by period, filtered, top, ABC) the median and slowest of 7 timings
(ms) of its figures and page cells, the queries, the grain read and the rows out, the median
of 3 timings of all its rows as the files hold them, and the query plan of the slowest.

The first ``--through-services`` lines are issued through the billing service (the summaries
kept in the issuing's transaction, as every issuing does: its time is reported); the rest are
written in bulk as issued invoices, then the summaries are rebuilt from all the lines by
``comptoir reports rebuild`` (timed too), and checked against them on smaller runs.
Sales are spread over 24 months; each of 2,000 customers (20 groups, 10 territories, 15
salespeople, 5 partners) buys among 60 favourite items of 5,000 (50 groups).
"""

import argparse
import json
import os
import random
import resource
import time
from datetime import date
from decimal import Decimal

from bench.setup import database_name, prepare_database
from bench.stock import timed

LINES_PER_INVOICE = 10


def _masters(rnd):
    from django.contrib.auth import get_user_model

    from comptoir.catalog.models import Item, ItemGroup, Unit
    from comptoir.core.bulk import insert_objects
    from comptoir.parties.models import Customer, CustomerGroup, SalesPartner, Territory
    from comptoir.pricing.models import Tax

    groups = insert_objects([CustomerGroup(name=f"Groupe {i}") for i in range(20)], returning=True)
    territories = insert_objects(
        [Territory(name=f"Secteur {i}") for i in range(10)], returning=True
    )
    partners = insert_objects(
        [SalesPartner(name=f"Apporteur {i}") for i in range(5)], returning=True
    )
    people = [get_user_model().objects.create_user(f"commercial{i}") for i in range(15)]
    item_groups = insert_objects(
        [ItemGroup(name=f"Famille {i}") for i in range(50)], returning=True
    )
    customers = insert_objects(
        [
            Customer(
                code=f"C{i:05d}", name=f"Client {i}", group=rnd.choice(groups),
                territory=rnd.choice(territories), salesperson=rnd.choice(people),
                sales_partner=rnd.choice(partners) if rnd.random() < 0.3 else None,
            )
            for i in range(2000)
        ],
        returning=True,
    )  # fmt: skip
    unit, tax = Unit.objects.get(code="C62"), Tax.objects.get(code="TVA20")
    items = insert_objects(
        [
            Item(
                code=f"A{i:05d}", name=f"Article {i}", unit=unit, tax=tax,
                group=rnd.choice(item_groups),
                sale_price=Decimal(rnd.randint(100, 10000)) / 100,
                cost_price=Decimal(rnd.randint(5000, 90000)) / 10000,
            )
            for i in range(5000)
        ],
        returning=True,
    )  # fmt: skip
    return customers, items


def _months(today: date) -> list[date]:
    from comptoir.reports.queries import shift

    this = today.replace(day=1)
    return [shift(this, back) for back in range(-23, 1)]


def _through_services(count: int, customers, items, favourites, months, rnd) -> float:
    """``count`` lines issued through the billing service, 200 invoices at a time."""
    from comptoir.billing.services import create_issued_invoices
    from comptoir.pricing.documents import DocumentRequest
    from comptoir.pricing.engine import LineSpec

    invoices = count // LINES_PER_INVOICE
    seconds = 0.0
    per_month = max(1, invoices // len(months))
    for month in months:
        for start in range(0, per_month, 200):
            requests = []
            for _n in range(min(200, per_month - start)):
                customer = rnd.choice(customers)
                requests.append(
                    DocumentRequest(
                        customer,
                        [LineSpec(items[rnd.choice(favourites[customer.pk])],
                                  Decimal(rnd.randint(1, 10)))
                         for _ in range(LINES_PER_INVOICE)],
                    )
                )  # fmt: skip
            began = time.perf_counter()
            create_issued_invoices(requests, day=month.replace(day=15))
            seconds += time.perf_counter() - began
    return seconds


def _in_bulk(count: int, customers, items, favourites, months, rnd) -> None:
    """Issued invoices written straight into the tables, as issuing leaves them (numbers,
    totals, lines); the summaries are rebuilt afterwards."""
    from django.db import connection, transaction

    from comptoir.billing.models import Invoice, InvoiceLine
    from comptoir.core.bulk import insert_objects, new_instances

    invoices = count // LINES_PER_INVOICE
    per_month = invoices // len(months)
    number = 0
    for month in months:
        with transaction.atomic():
            if connection.vendor == "postgresql":  # the immutability triggers: nothing to refuse
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = replica")
            for start in range(0, per_month, 2000):
                heads, bodies = [], []
                for _n in range(min(2000, per_month - start)):
                    number += 1
                    customer = rnd.choice(customers)
                    lines = []
                    for position in range(LINES_PER_INVOICE):
                        item = items[rnd.choice(favourites[customer.pk])]
                        quantity = Decimal(rnd.randint(1, 10))
                        lines.append(
                            {"position": position, "item": item, "item_code": item.code,
                             "description": item.name, "quantity": quantity,
                             "unit_price": item.sale_price, "tax_id": item.tax_id,
                             "vat_rate": Decimal(20), "net_amount": quantity * item.sale_price}
                        )  # fmt: skip
                    net = sum(line["net_amount"] for line in lines)
                    heads.append(
                        {"kind": "invoice", "status": "issued", "number": f"FB-{number:07d}",
                         "date": month.replace(day=rnd.randint(1, 28)), "customer": customer,
                         "customer_name": customer.name, "total_lines": net, "total_net": net,
                         "total_vat": net / 5, "total_gross": net * Decimal("1.2"),
                         "amount_paid": Decimal(0), "amount_credited": Decimal(0),
                         "amount_due": net * Decimal("1.2")}
                    )  # fmt: skip
                    bodies.append(lines)
                written = insert_objects(new_instances(Invoice, heads), returning=True)
                rows = [
                    {**line, "invoice": invoice}
                    for invoice, lines in zip(written, bodies, strict=True)
                    for line in lines
                ]
                insert_objects(new_instances(InvoiceLine, rows))


def _now():
    from django.utils import timezone

    return timezone.now()


def _fill(args, result: dict, today: date) -> None:
    from comptoir.reports import facts

    rnd = random.Random(12)
    customers, items = _masters(rnd)
    favourites = {c.pk: rnd.sample(range(len(items)), 60) for c in customers}
    months = _months(today)
    began = time.perf_counter()
    bulk = args.lines - args.through_services
    _in_bulk(bulk, customers, items, favourites, months[:-1] or months, rnd)
    result["bulk_write_s"] = round(time.perf_counter() - began, 1)
    began = time.perf_counter()
    facts.rebuild()
    result["rebuild_s"] = round(time.perf_counter() - began, 1)
    seconds = _through_services(
        args.through_services, customers, items, favourites, months[-1:], rnd
    )
    result["issued_through_services"] = args.through_services
    result["issuing_s"] = round(seconds, 1)


PIVOTS = [
    ("by item group × month", {"rows": "item_group", "columns": "month"}),
    ("by item × month", {"rows": "item", "columns": "month"}),
    ("by customer × quarter", {"rows": "customer", "columns": "quarter"}),
    ("by customer group × month", {"rows": "customer_group", "columns": "month"}),
    ("by territory × year", {"rows": "territory", "columns": "year"}),
    ("by salesperson × month", {"rows": "salesperson", "columns": "month"}),
    ("by sales partner", {"rows": "sales_partner", "columns": ""}),
    ("by item, one customer group", {"rows": "item", "columns": "month", "customer_group": 1}),
    ("by customer, one item group", {"rows": "customer", "columns": "month", "item_group": 1}),
    ("by item group, one salesperson", {"rows": "item_group", "columns": "month",
                                        "salesperson": 1}),
    ("top items", {"rows": "item", "view": "top", "columns": ""}),
    ("top customers", {"rows": "customer", "view": "top", "columns": ""}),
    ("ABC of items", {"rows": "item", "view": "abc", "columns": ""}),
    ("by item, 24 months", {"rows": "item", "columns": "month", "start": "-23"}),
]  # fmt: skip


def _plan(sql: str, params) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return [row[-1] for row in cursor.fetchall()]
        cursor.execute("EXPLAIN ANALYZE " + sql, params)
        return [row[0] for row in cursor.fetchall()]


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.reports")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--through-services", type=int, default=20_000)
    parser.add_argument("--database-url", default=os.environ.get("COMPTOIR_BENCH_DATABASE_URL"))
    parser.add_argument(
        "--existing",
        metavar="URL",
        help="measure the pivots of a database an earlier run filled (its lines stay as made)",
    )
    args = parser.parse_args()
    if args.existing:
        os.environ["DATABASE_URL"] = args.existing
        os.environ["DJANGO_SETTINGS_MODULE"] = "comptoir.settings"
        os.environ["DEBUG"] = "0"
        os.environ.setdefault("SECRET_KEY", "comptoir-benchmark-key-not-a-secret")
        import django

        django.setup()
    else:
        prepare_database(args.database_url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from comptoir.reports import facts, queries, tables
    from comptoir.reports.models import GRAINS

    today = timezone.localdate()
    result = {"database": database_name(), "lines": args.lines}
    if args.existing:
        from comptoir.billing.models import InvoiceLine

        result["lines"] = InvoiceLine.objects.count()
    else:
        _fill(args, result, today)
    if args.lines <= 200_000:
        result["check_differences"] = len(facts.differences())
    result["grain_rows"] = {grain.__name__: grain.objects.count() for grain in GRAINS}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    from django.urls import reverse

    reverse("reports:sales")  # the URLs are loaded once per process, not by the first pivot
    rows = []
    this = today.replace(day=1)
    for name, asked in PIVOTS:
        params = {k: str(v) for k, v in asked.items()}
        if "start" in params:
            params["start"] = f"{queries.shift(this, int(params['start'])):%Y-%m}"
        query = queries.read_query(params)

        def answer(query=query):
            """What the page shows: the pivot and its first rows as cells."""
            pivot = queries.analysis(query, limit=tables.PAGE_ROWS)
            return tables.build(pivot, "net", True, limit=tables.PAGE_ROWS)

        def whole_file(query=query):
            """What the files hold: every row as cells (written out by openpyxl or csv)."""
            return tables.build(queries.analysis(query), "net", True)

        figures = timed(answer)
        file_figures = timed(whole_file, runs=3)
        with CaptureQueriesContext(connection) as captured:
            answer()
        slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
        grain = queries.grain_for(query)
        rows.append(
            {
                "what": name,
                **figures,
                "file_median_ms": file_figures["median_ms"],
                "grain": grain.__name__,
                "rows_out": len(queries.analysis(query).rows),
                "slowest_sql": slowest["sql"][:300],
            }
        )
    result["measures"] = rows
    worst = max(rows, key=lambda r: r["max_ms"])
    query = queries.read_query({k: str(v) for k, v in dict(PIVOTS)[worst["what"]].items()
                                if k != "start"})  # fmt: skip
    grain = queries.grain_for(query)
    sums = (
        grain.objects.filter(month__gte=query.start, month__lte=query.end, **dict(query.filters))
        .values(query.rows, "month")
        .order_by()
    )
    from django.db.models import Sum

    sql, params = sums.annotate(n=Sum("net")).query.sql_with_params()
    result["slowest_plan"] = {"what": worst["what"], "plan": _plan(sql, params)}
    result["peak_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
