"""Server-side timings of the heaviest pages, on a large data set.

Usage: python -m bench.pages [--invoices N] [--runs N] [--database-url URL]
Prints one JSON object: the database, and per page the median and slowest time in
milliseconds (Django's test client: URL routing, middleware, queries, templates) and the
number of queries.

The invoices of the list are written in bulk (two years of issued invoices, a few credit
notes, most of them paid) because what is measured is the page, not how they were made; the
50-line order goes through the services like any order.
"""

import argparse
import json
import random
import statistics
import time
from datetime import date, timedelta
from decimal import Decimal

from bench.setup import database_name, make_customers, make_items, prepare_database

BATCH = 5000


LINES_PER_INVOICE = 10


def bulk_invoices(count: int, customers, items, today: date, rnd: random.Random) -> int:
    """Issued invoices of 10 lines over two years, 3 % credited, 70 % paid, and their
    sequences; returns the number of invoice lines."""
    from django.db.models import Max

    from comptoir.billing.models import Invoice, InvoiceLine
    from comptoir.core.models import Sequence
    from comptoir.payments.models import Allocation, Payment

    days = sorted(today - timedelta(days=rnd.randint(1, 730)) for _ in range(count))
    numbers: dict[tuple[str, int], int] = {}

    def number(prefix: str, day: date) -> str:
        key = (prefix, day.year)
        numbers[key] = numbers.get(key, 0) + 1
        return f"{prefix}-{day.year}-{numbers[key]:06d}"

    line_count = 0
    for start in range(0, count, BATCH):
        invoices, credit_notes, payments, lines = [], [], [], []
        for day in days[start : start + BATCH]:
            customer = rnd.choice(customers)
            invoice_lines = []
            for position in range(1, LINES_PER_INVOICE + 1):
                item = rnd.choice(items)
                quantity = Decimal(rnd.randint(1, 10))
                invoice_lines.append(
                    InvoiceLine(
                        position=position,
                        item=item,
                        item_code=item.code,
                        description=item.name,
                        quantity=quantity,
                        unit_price=item.sale_price,
                        tax=item.tax,
                        vat_rate=Decimal("20.00"),
                        net_amount=(quantity * item.sale_price).quantize(Decimal("0.01")),
                    )
                )
            lines.append(invoice_lines)
            net = sum(line.net_amount for line in invoice_lines)
            vat = (net * Decimal("0.2")).quantize(Decimal("0.01"))
            fields = {
                "date": day,
                "customer": customer,
                "customer_name": customer.name,
                "total_lines": net,
                "total_net": net,
                "total_vat": vat,
                "total_gross": net + vat,
                "vat_breakdown": [
                    {
                        "category": "S",
                        "rate": "20.00",
                        "taxable_amount": str(net),
                        "tax_amount": str(vat),
                        "exemption_reason": "",
                    }
                ],
                "status": Invoice.Status.ISSUED,
                "payment_terms_text": "30 jours",
            }
            invoices.append(
                Invoice(number=number("FA", day), due_date=day + timedelta(days=30), **fields)
            )
        Invoice.objects.bulk_create(invoices)
        for invoice, invoice_lines in zip(invoices, lines, strict=True):
            for line in invoice_lines:
                line.invoice = invoice
        # Statements of at most BATCH lines: PostgreSQL checks the lines of issued invoices once
        # per statement, and that check was seen to take minutes on one of 50,000 lines.
        InvoiceLine.objects.bulk_create([line for group in lines for line in group], BATCH)
        line_count += sum(len(group) for group in lines)
        for invoice in invoices:
            if rnd.random() < 0.03:
                credit_notes.append(
                    Invoice(
                        **{
                            f: getattr(invoice, f)
                            for f in (
                                "date",
                                "customer",
                                "customer_name",
                                "total_net",
                                "total_vat",
                                "total_gross",
                                "total_lines",
                                "status",
                            )
                        },
                        number=number("AV", invoice.date),
                        kind=Invoice.Kind.CREDIT_NOTE,
                        credited_invoice=invoice,
                    )
                )
            elif rnd.random() < 0.72:
                payment = Payment(
                    number=number("RG", invoice.date),
                    customer=invoice.customer,
                    date=invoice.date + timedelta(days=20),
                    amount=invoice.total_gross,
                )
                payments.append((payment, invoice))
        Invoice.objects.bulk_create(credit_notes)
        Payment.objects.bulk_create([payment for payment, _invoice in payments])
        Allocation.objects.bulk_create(
            Allocation(payment=payment, invoice=invoice, amount=payment.amount, date=payment.date)
            for payment, invoice in payments
        )
    series = {"FA": "invoice", "AV": "credit_note", "RG": "payment"}
    for (prefix, year), last in numbers.items():
        last_date = Invoice.objects.filter(number__startswith=f"{prefix}-{year}-").aggregate(
            d=Max("date")
        )["d"]
        Sequence.objects.update_or_create(
            series=series[prefix],
            year=year,
            defaults={"prefix": prefix, "last_number": last, "last_date": last_date},
        )
    return line_count


def count_queries(fn) -> int:
    """How many SQL statements fn runs (the test client clears Django's own query log)."""
    from django.db import connection

    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        fn()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.pages")
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    prepare_database(args.database_url)

    from django.conf import settings
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from comptoir.billing import services as billing
    from comptoir.billing.queries import sales_by_customer
    from comptoir.billing.views import InvoiceListing
    from comptoir.pricing.engine import LineSpec
    from comptoir.sales import services as sales
    from comptoir.stock import services as stock

    settings.ALLOWED_HOSTS = ["testserver"]
    rnd = random.Random(3)
    today = timezone.localdate()
    customers = make_customers(500, street="quai Saint-Antoine")
    items = make_items(200, rnd, prefix="P")
    line_count = bulk_invoices(args.invoices, customers, items, today, rnd)
    lines = [LineSpec(items[i], Decimal(rnd.randint(1, 20))) for i in range(50)]
    order = sales.create_order(customers[0], lines)
    sales.confirm_order(order)
    first_half = {line.pk: line.quantity for line in order.lines.order_by("position")[:25]}
    stock.create_delivery(order, first_half)
    billing.issue_invoice(billing.invoice_order(order))
    draft = sales.create_order(customers[1], lines)

    if connection.vendor == "postgresql":  # its autovacuum gathers statistics on a live base
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    user = User.objects.create_superuser("bench", "bench@example.fr", "bench")
    client = Client()
    client.force_login(user)
    deep = InvoiceListing({})
    deep_cursor = deep.cursor_for(
        deep.filtered().order_by(*deep.ordering())[args.invoices * 9 // 10]
    )
    draft_form = {"customer": customers[1].code, "date": today.isoformat()}
    for index, line in enumerate(draft.lines.order_by("position")):
        draft_form |= {
            f"lines-{index}-item": line.item_code,
            f"lines-{index}-priced_item": line.item_code,
            f"lines-{index}-quantity": str(line.quantity),
        }
    pages = [
        ("invoice list, first page", "get", "/invoices/", {}),
        (
            f"invoice list, page {args.invoices * 9 // 10 // 50:,} (keyset)",
            "get",
            "/invoices/",
            {"after": deep_cursor},
        ),
        ("invoice list, search “Client 17”", "get", "/invoices/", {"q": "Client 17"}),
        ("invoice list, sorted by amount", "get", "/invoices/", {"sort": "-total_gross"}),
        (
            "invoice list, one customer and a quarter",
            "get",
            "/invoices/",
            {"customer": customers[7].code, "date_from": str(today - timedelta(days=90))},
        ),
        ("order page, 50 lines", "get", f"/sales/orders/{order.pk}/", {}),
        ("draft order form, 50 lines", "get", f"/sales/orders/{draft.pk}/edit/", {}),
        ("live totals of 50 lines (htmx)", "post", f"/sales/orders/{draft.pk}/edit/", draft_form),
        ("dashboard", "get", "/", {}),
        ("receivables, oldest due first", "get", "/receivables/", {}),
    ]

    def request(method, url, params):
        headers = {"HTTP_HX_REQUEST": "true"} if method == "post" else {}
        call = getattr(client, method)

        def page():
            response = call(url, params, **headers)
            assert response.status_code == 200, (url, response.status_code)

        return page

    measured = [(name, request(*how)) for name, *how in pages]
    measured.append(("report: sales by customer, all invoices", lambda: list(sales_by_customer())))
    results = []
    for name, fn in measured:
        fn()  # warm-up, and the check that it works
        queries = count_queries(fn)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        results.append(
            {
                "page": name,
                "median_ms": round(statistics.median(times), 1),
                "max_ms": round(max(times), 1),
                "queries": queries,
            }
        )
    print(
        json.dumps(
            {
                "database": database_name(),
                "invoices": args.invoices,
                "lines": line_count,
                "pages": results,
            }
        )
    )


if __name__ == "__main__":
    main()
