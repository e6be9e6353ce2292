"""The e-invoicing reform at scale: issued invoices sent to an approved platform (E1) and
supplier invoices received (E2).

Usage: python -m bench.einvoicing [--invoices N] [--received N] [--database-url URL]
       [--profile E1|E2]
Prints one JSON object: the database, and per phase count, seconds, rate, queries and the
process's peak memory.

E1: --invoices issued invoices to French businesses (5 lines each, 500 customers with their
SIREN), sent in UBL by the job worker's own code (the directory read first, then the flow with
its tracking id and sha256) to the platform simulator, run as its own process with its checks
switched off for the timing (--no-validation): what is timed is Comptoir's side. UBL is made
from the database alone; a Factur-X's PDF is made by the worker right after issuing, out of
this phase.
E2: --received supplier invoices made from the official UC1 example (CII), each with its own
number and quantities (so its own amounts), received through ``receive_supplier_invoices``
(``receive_supplier_invoice`` for a page of files: one transaction per page of 100, the files
received before found in one query).
"""

import argparse
import cProfile
import json
import os
import pstats
import random
import resource
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from bench.setup import database_name, make_items, make_requests, prepare_database

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
UC1 = (
    HERE.parent
    / "comptoir/einvoicing/reference/afnor-xp-z12-014-examples-1.2"
    / "UC1_F202500003_00-INV_20250701_CII.xml"
)
CUSTOMERS = 500
SIMULATOR_OPTIONS = ("--port", "0", "--quiet", "--no-validation")


def start_simulator() -> tuple[subprocess.Popen, str]:
    """The simulator in its own process, its checks off: the base URL it listens at."""
    process = subprocess.Popen(
        [sys.executable, "-m", "comptoir", "pa-simulator", *SIMULATOR_OPTIONS],
        stdout=subprocess.PIPE,
        text=True,
        cwd=HERE.parent,
    )
    line = process.stdout.readline()
    if "http://" not in line:
        process.kill()
        sys.exit(f"the simulator did not start: {line}")
    return process, line.split()[-1]


def sirens(count: int, rnd: random.Random) -> list[str]:
    """Valid SIRENs (Luhn), each one different."""
    from stdnum import luhn

    found = set()
    while len(found) < count:
        body = f"{rnd.randrange(10**7, 10**8):08d}"
        found.add(body + luhn.calc_check_digit(body))
    return sorted(found)


def french_businesses(count: int, rnd: random.Random) -> list:
    from comptoir.parties.services import create_customers

    return create_customers(
        [{"name": f"Entreprise {i}", "siren": siren} for i, siren in enumerate(sirens(count, rnd))],
        addresses=[
            [{"line1": f"{i} rue du Commerce", "postal_code": "69001", "city": "Lyon"}]
            for i in range(count)
        ],
    )


def supplier_files(count: int, rnd: random.Random) -> list[tuple[str, bytes]]:
    """The UC1 invoice again and again: its own number, quantities and so amounts each time
    (hours at 40,00 and days at 400,00, VAT 20 %: every total stays exact)."""
    from lxml import etree

    ram = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    rsm = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
    ns = {"ram": ram, "rsm": rsm}
    template = etree.parse(str(UC1))
    files = []
    for n in range(count):
        tree = etree.ElementTree(etree.fromstring(etree.tostring(template)))
        number = f"F2025{n:06d}"
        tree.find("rsm:ExchangedDocument/ram:ID", ns).text = number
        lines = tree.findall(
            ".//rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem", ns
        )
        net = Decimal(0)
        for line in lines:
            price = Decimal(line.find(".//ram:NetPriceProductTradePrice/ram:ChargeAmount", ns).text)
            quantity = Decimal(rnd.randint(1, 300))
            line.find(".//ram:BilledQuantity", ns).text = f"{quantity}.0000"
            amount = price * quantity
            line.find(
                ".//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount", ns
            ).text = f"{amount:.2f}"
            net += amount
        vat = (net * Decimal("0.2")).quantize(Decimal("0.01"))
        settlement = tree.find(".//ram:ApplicableHeaderTradeSettlement", ns)
        tax = settlement.find("ram:ApplicableTradeTax", ns)
        tax.find("ram:CalculatedAmount", ns).text = f"{vat:.2f}"
        tax.find("ram:BasisAmount", ns).text = f"{net:.2f}"
        totals = settlement.find("ram:SpecifiedTradeSettlementHeaderMonetarySummation", ns)
        for name, value in [
            ("LineTotalAmount", net),
            ("TaxBasisTotalAmount", net),
            ("TaxTotalAmount", vat),
            ("GrandTotalAmount", net + vat),
            ("DuePayableAmount", net + vat),
        ]:
            totals.find(f"ram:{name}", ns).text = f"{value:.2f}"
        files.append(
            (f"{number}.xml", etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
        )
    return files


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.einvoicing")
    parser.add_argument("--invoices", type=int, default=10_000)
    parser.add_argument("--received", type=int, default=1_000)
    parser.add_argument("--database-url", default=os.environ.get("COMPTOIR_BENCH_DATABASE_URL"))
    parser.add_argument("--profile", help="profile this phase (E1 or E2) with cProfile")
    args = parser.parse_args()
    prepare_database(args.database_url)
    import tempfile

    from django.conf import settings
    from django.db import connection

    from comptoir.billing.services import create_invoices, issue_invoices
    from comptoir.einvoicing import services as einvoicing
    from comptoir.einvoicing.models import PlatformConnection, Submission
    from comptoir.einvoicing.tasks import send_submissions
    from comptoir.pasim.platform import CLIENT_ID, CLIENT_SECRET
    from comptoir.supplierinvoices.models import SupplierInvoice
    from comptoir.supplierinvoices.services import receive_supplier_invoices
    from examples.facturx import seller

    settings.MEDIA_ROOT = Path(tempfile.mkdtemp()) / "media"
    settings.COMPTOIR_STORE_FILES_AFTER_ISSUE = False
    rnd = random.Random(1)
    rows = []
    queries = [0]

    def count_query(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    def phase(name, count, fn):
        profiler = None
        if args.profile and name.startswith(args.profile + " "):
            profiler = cProfile.Profile()
            profiler.enable()
        queries[0] = 0
        with connection.execute_wrapper(count_query):
            start = time.perf_counter()
            result = fn()
            seconds = time.perf_counter() - start
        if profiler:
            profiler.disable()
            RESULTS.mkdir(parents=True, exist_ok=True)
            path = RESULTS / f"profile-{args.profile}-{connection.vendor}.txt"
            with path.open("w") as out:
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)
        rows.append(
            {
                "phase": name,
                "count": count,
                "seconds": round(seconds, 3),
                "rate": round(count / seconds, 1),
                "queries": queries[0],
                # The process's peak resident memory so far (Linux reports KiB).
                "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
        return result

    simulator, base = start_simulator()
    try:
        seller()
        einvoicing.save_connection(
            enabled=True,
            flow_url=f"{base}/flow-service",
            directory_url=f"{base}/directory-service",
            token_url=f"{base}/oauth/token",
            client_id=CLIENT_ID,
            secret=CLIENT_SECRET,
            syntax=PlatformConnection.Syntax.UBL,
        )
        if args.invoices:
            customers = french_businesses(min(CUSTOMERS, args.invoices), rnd)
            items = make_items(200, rnd)
            requests = make_requests(args.invoices, customers, items, rnd)
            for start in range(0, args.invoices, 1000):  # issued: their submissions queued
                issue_invoices(create_invoices(requests[start : start + 1000]))
            ids = list(
                Submission.objects.filter(state=Submission.State.TO_SEND)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            assert len(ids) == args.invoices, len(ids)
            # The job worker's task, in this process (as the worker runs it).
            phase("E1 invoices sent to the platform", len(ids), lambda: send_submissions.call(ids))
            sent = Submission.objects.filter(state=Submission.State.SENT).count()
            assert sent == args.invoices, Submission.objects.exclude(
                state=Submission.State.SENT
            ).values_list("message", flat=True)[:3]
        if args.received:
            files = supplier_files(args.received, rnd)

            received = phase(
                "E2 supplier invoices received",
                len(files),
                lambda: receive_supplier_invoices(
                    [(content, name) for name, content in files],
                    source=SupplierInvoice.Source.PLATFORM,
                ),
            )
            assert all(reception.created for reception in received), received[:3]
            assert SupplierInvoice.objects.count() == args.received
    finally:
        simulator.terminate()
        simulator.wait(10)
    print(json.dumps({"database": database_name(), "phases": rows}))


if __name__ == "__main__":
    main()
