"""The operational reports and the dashboard on a large database (O1-O5).

Usage: python -m bench.operations [--lines N] [--database-url URL]
Prints one JSON object: the rows written, then the median and slowest of 7 timings (ms) and
the queries of: the backlog, what is left to invoice, the quotations pipeline, a month's
sales and the dashboard's figures (which add up the first three).

The database holds ``--lines`` order lines (10 per order, 1,000,000 by default) as a company
has them after two years: 95 % of the orders done (delivered and invoiced), 3 % confirmed and
partly delivered, some of that not invoiced yet, 1 % confirmed and not delivered, 1 % drafts
or cancelled; one issued invoice per done order; a quotation for every fourth order and
one more per 50 lines, open or decided. Rows are written in bulk (``bulk_create``): the reports read
what the services would have stored, and writing it through them is not what is measured.
"""

import argparse
import json
import os
import random
from datetime import date, timedelta
from decimal import Decimal

from bench.setup import database_name, make_customers, make_items, prepare_database
from bench.stock import timed

BATCH = 5000


def populate(lines: int, rnd) -> dict:
    from django.db import transaction

    from comptoir.billing.models import Invoice
    from comptoir.sales.models import Quotation, SalesOrder, SalesOrderLine
    from comptoir.stock.models import DeliveryNote, DeliveryNoteLine

    customers = make_customers(1000)
    items = make_items(500, rnd)
    today = date.today()
    orders_count = lines // 10
    written = {"orders": 0, "order_lines": 0, "invoices": 0, "quotations": 0, "deliveries": 0}
    with transaction.atomic():
        quotations = []
        for index in range(orders_count // 4 + lines // 50):
            customer = rnd.choice(customers)
            day = today - timedelta(days=rnd.randint(0, 730))
            converted = index < orders_count // 4
            status = (
                Quotation.Status.ACCEPTED
                if converted
                else rnd.choice(["draft", "sent", "sent", "refused", "expired"])
            )
            net = Decimal(rnd.randint(1000, 500000)) / 100
            quotations.append(
                Quotation(
                    number=f"DE-{index:07d}",
                    date=day,
                    customer=customer,
                    customer_name=customer.name,
                    status=status,
                    valid_until=day + timedelta(days=30),
                    total_lines=net,
                    total_net=net,
                    total_gross=net * Decimal("1.2"),
                )
            )
        quotations = Quotation.objects.bulk_create(quotations, batch_size=BATCH)
        written["quotations"] = len(quotations)
        for start in range(0, orders_count, BATCH):
            orders, order_lines, invoices = [], [], []
            for index in range(start, min(start + BATCH, orders_count)):
                customer = rnd.choice(customers)
                day = today - timedelta(days=rnd.randint(0, 730))
                draw = rnd.random()
                status = (
                    SalesOrder.Status.DONE
                    if draw < 0.95
                    else SalesOrder.Status.CONFIRMED
                    if draw < 0.99
                    else rnd.choice([SalesOrder.Status.DRAFT, SalesOrder.Status.CANCELLED])
                )
                orders.append(
                    SalesOrder(
                        number=f"CC-{index:07d}",
                        date=day,
                        customer=customer,
                        customer_name=customer.name,
                        status=status,
                        quotation=quotations[index] if index < orders_count // 4 else None,
                        requested_delivery_date=day + timedelta(days=rnd.randint(5, 60)),
                    )
                )
            orders = SalesOrder.objects.bulk_create(orders, batch_size=BATCH)
            for order in orders:
                total = Decimal("0.00")
                partly = order.status == SalesOrder.Status.CONFIRMED and rnd.random() < 0.75
                for position in range(10):
                    item = rnd.choice(items)
                    quantity = Decimal(rnd.randint(1, 10))
                    net = (quantity * item.sale_price).quantize(Decimal("0.01"))
                    total += net
                    if order.status == SalesOrder.Status.DONE:
                        delivered = invoiced = quantity
                    elif partly:
                        delivered = Decimal(rnd.randint(0, int(quantity)))
                        invoiced = delivered if rnd.random() < 0.5 else Decimal(0)
                    else:
                        delivered = invoiced = Decimal(0)
                    order_lines.append(
                        SalesOrderLine(
                            order=order,
                            position=position,
                            item=item,
                            item_code=item.code,
                            description=item.name,
                            quantity=quantity,
                            unit_price=item.sale_price,
                            vat_rate=Decimal("20"),
                            net_amount=net,
                            quantity_delivered=delivered,
                            quantity_invoiced=invoiced,
                        )
                    )
                order.total_net = order.total_lines = total
                if order.status == SalesOrder.Status.DONE:
                    invoices.append(
                        Invoice(
                            number=f"FA-{order.pk:07d}",
                            date=order.date + timedelta(days=3),
                            customer_id=order.customer_id,
                            customer_name=order.customer_name,
                            status=Invoice.Status.ISSUED,
                            order=order,
                            total_lines=total,
                            total_net=total,
                            total_vat=(total * Decimal("0.2")).quantize(Decimal("0.01")),
                            total_gross=(total * Decimal("1.2")).quantize(Decimal("0.01")),
                            amount_due=Decimal("0.00"),
                        )
                    )
            order_lines = SalesOrderLine.objects.bulk_create(order_lines, batch_size=BATCH)
            SalesOrder.objects.bulk_update(orders, ["total_net", "total_lines"], batch_size=BATCH)
            Invoice.objects.bulk_create(invoices, batch_size=BATCH)
            # The deliveries of what is delivered and not invoiced yet.
            pending: dict[int, list] = {}
            for line in order_lines:
                if line.quantity_delivered > line.quantity_invoiced:
                    pending.setdefault(line.order_id, []).append(line)
            by_id = {order.pk: order for order in orders}
            notes = DeliveryNote.objects.bulk_create(
                [
                    DeliveryNote(
                        number=f"BL-{order_id:07d}",
                        order_id=order_id,
                        customer_id=by_id[order_id].customer_id,
                        date=by_id[order_id].date + timedelta(days=2),
                        status=DeliveryNote.Status.SHIPPED,
                    )
                    for order_id in pending
                ]
            )
            DeliveryNoteLine.objects.bulk_create(
                [
                    DeliveryNoteLine(
                        delivery=note,
                        source_line=line,
                        item_id=line.item_id,
                        description=line.description,
                        quantity=line.quantity_delivered,
                    )
                    for note in notes
                    for line in pending[note.order_id]
                ]
            )
            written["orders"] += len(orders)
            written["order_lines"] += len(order_lines)
            written["invoices"] += len(invoices)
            written["deliveries"] += len(notes)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.operations")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("COMPTOIR_BENCH_DATABASE_URL"))
    args = parser.parse_args()
    prepare_database(args.database_url)
    import time

    from django.db import connection

    from comptoir.reports import operations
    from comptoir.web.dashboard import indicators

    start = time.perf_counter()
    written = populate(args.lines, random.Random(21))
    populate_seconds = time.perf_counter() - start
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    today = date.today()
    backlog, to_invoice = operations.backlog(), operations.to_invoice()
    measures = {
        "O1 backlog": timed(lambda: operations.backlog()),
        "O2 to invoice": timed(lambda: operations.to_invoice()),
        "O3 quotations pipeline": timed(lambda: operations.quotations()),
        "O4 sales of the month": timed(lambda: operations.month_sales(month=today)),
        "O5 dashboard figures": timed(lambda: indicators(today)),
    }
    print(
        json.dumps(
            {
                "database": database_name(),
                **written,
                "populate_seconds": round(populate_seconds, 1),
                "backlog_rows": len(backlog.rows),
                "to_invoice_rows": len(to_invoice.rows),
                "measures": [{"what": what, **result} for what, result in measures.items()],
            }
        )
    )


if __name__ == "__main__":
    main()
