"""`make bench`: the standard sales workload (P1-P8), the partner import (P9), the pages at
scale (P10), the stock figures of an item with a million moves (P11), the operational reports
over a million order lines (O1-O5) and the approved
platform (E1 invoices sent to the simulator, E2 supplier invoices received), on SQLite
and, when COMPTOIR_BENCH_DATABASE_URL is set, on PostgreSQL, where the load test runs too
(concurrent users against the production server); with --peer, the peer ERP
(Tryton, ../shared/bench/peers/tryton/run) in the same run and the rate ratios per phase.

Tables on stdout, bench/results/latest.json and latest.md, opened by the targets
(bench/targets.py) and this run's verdict on each. Each workload runs in its own process
(a fresh Django set-up and a fresh database).
"""

import argparse
import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.targets import cell, judge, summary

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SHARED = HERE.parent.parent / "shared" / "bench"
PEER = SHARED / "peers" / "tryton" / "run"
FLOOR = SHARED / "limit" / "raw_cycle_sqlite.py"
FLOOR_ORDERS = 10_000


def run(module: str, database_url: str | None, *options: str) -> dict:
    """Run bench.<module> in its own process; it prints one JSON object last."""
    command = [sys.executable, "-m", f"bench.{module}", *options]
    if database_url:
        command += ["--database-url", database_url]
    env = {k: v for k, v in os.environ.items() if k != "COMPTOIR_BENCH_DATABASE_URL"}
    output = subprocess.run(command, capture_output=True, text=True, env=env)
    if output.returncode != 0:
        sys.exit(f"bench.{module} failed on {database_url or 'SQLite'}:\n{output.stderr}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def run_peer(database_url: str | None, orders: int, mode: str) -> dict:
    """The peer's own script, unchanged, on the same kind of database."""
    if not PEER.exists():
        sys.exit(f"--peer needs {PEER} (the shared folder beside the project)")
    target = "sqlite"
    if database_url:  # the peer creates its own database with the same role
        parts = urlsplit(database_url)
        target = urlunsplit(("postgresql", parts.netloc, "/", "", ""))
    env = {**os.environ, "N_ORDERS": str(orders), "PEER_MODE": mode}
    print(f"peer: Tryton, {orders} orders, on {target} (a few minutes)…", file=sys.stderr)
    output = subprocess.run([str(PEER), target], capture_output=True, text=True, env=env)
    if output.returncode != 0:
        sys.exit(f"the peer failed on {target}:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def run_floor() -> dict | None:
    """The raw-insert floor of one order-to-paid cycle on SQLite (no business logic at all)."""
    if not FLOOR.exists():
        return None
    output = subprocess.run(
        [sys.executable, str(FLOOR), str(FLOOR_ORDERS)], capture_output=True, text=True
    )
    # "10000 order cycles, 250000 rows in 0.6s: 16,000 cycles/s, 400,000 rows/s"
    words = output.stdout.replace(",", "").split()
    if output.returncode != 0 or "cycles/s" not in words:
        return None
    return {"orders": FLOOR_ORDERS, "cycles_per_s": float(words[words.index("cycles/s") - 1])}


def add_ratios(result: dict, peer: dict) -> None:
    """peer_rate and ratio (Comptoir rate / peer rate) on each phase both measured."""
    peer_rates = {name.split("_")[0]: p["rate_per_s"] for name, p in peer["phases"].items()}
    cycle = [p for key, p in peer["phases"].items() if key[:2] in {f"P{i}" for i in range(3, 8)}]
    if len(cycle) == 5:
        peer_rates["P3-P7"] = round(peer["orders"] / sum(p["seconds"] for p in cycle), 3)
    for row in result["phases"]:
        key = row["phase"].split(" ")[0]
        if key in peer_rates and "rate" in row:
            row["peer_rate"] = peer_rates[key]
            row["ratio"] = round(row["rate"] / peer_rates[key], 1)
    result["peer"] = {"name": peer.get("peer"), "orders": peer.get("orders")}


def with_targets(head: str, rule: str, rows: list[dict], lines: list[str]) -> list[str]:
    """A table's header, rule and row lines, with a target column when a row has a target."""
    if not any("target" in row for row in rows):
        return [head, rule, *lines]
    return [
        head + " target |",
        rule + "---|",
        *(f"{line} {cell(row)} |" for line, row in zip(lines, rows, strict=True)),
    ]


def table(result: dict) -> str:
    peer = "peer" in result
    head = "| phase | count | seconds | per s | queries | peak MiB |"
    rule = "|---|---:|---:|---:|---:|---:|"
    if peer:
        head += " peer per s | ratio |"
        rule += "---:|---:|"
    title = f"### {result['database']}"
    if peer:
        title += f" — peer: {result['peer']['name']}, {result['peer']['orders']} orders"
    rows = []
    for row in result["phases"]:
        if "skipped" in row:
            rows.append(
                f"| {row['phase']} | — | {row['skipped']} | | | |" + (" | |" if peer else "")
            )
            continue
        line = (
            f"| {row['phase']} | {row['count']} | {row['seconds']:.2f} | {row['rate']:.0f} "
            f"| {row['queries']} | {row['peak_mib']:.0f} |"
        )
        if peer:
            if "ratio" in row:
                line += f" {row['peer_rate']:g} | {row['ratio']:.0f}× |"
            else:
                line += " — | — |"
        rows.append(line)
    lines = [title, "", *with_targets(head, rule, result["phases"], rows)]
    cycle = next((r for r in result["phases"] if r["phase"].startswith("P3-P7")), None)
    if cycle:
        lines += ["", f"Queries per order, P3-P7: {cycle['queries_per_order']}."]
        floor = result.get("floor")
        if floor:
            lines.append(
                f"The floor (raw SQLite inserts of the same rows, no rules): "
                f"{floor['cycles_per_s']:,.0f} cycles/s; P3-P7 runs at "
                f"1/{floor['cycles_per_s'] / cycle['rate']:.0f} of it."
            )
    return "\n".join(lines)


def pages_table(result: dict) -> str:
    title = (
        f"### P10 pages, {result['database']}: {result['invoices']:,} invoices, "
        f"{result['lines']:,} invoice lines"
    )
    rows = [
        f"| {row['page']} | {row['median_ms']:.0f} | {row['max_ms']:.0f} | {row['queries']} |"
        for row in result["pages"]
    ]
    head, rule = "| page | median ms | slowest ms | queries |", "|---|---:|---:|---:|"
    return "\n".join([title, "", *with_targets(head, rule, result["pages"], rows)])


def imports_table(result: dict) -> str:
    file = result["file"]
    title = (
        f"### P9 partner import, {result['database']}: {file['lines']:,} lines, "
        f"{file['documents']:,} documents, {file['mib']} MiB"
    )
    rows = [
        f"| {row['phase']} | {row['count']:,} | {row['seconds']:.2f} | {row['rate']:,.0f} "
        f"| {row['queries']} | {row['peak_mib']:.0f} |"
        for row in result["phases"]
    ]
    head = "| phase | lines | seconds | lines per s | queries | peak MiB |"
    rule = "|---|---:|---:|---:|---:|---:|"
    return "\n".join([title, "", *with_targets(head, rule, result["phases"], rows)])


def stock_table(result: dict) -> str:
    title = (
        f"### P11 stock figures, {result['database']}: {result['moves']:,} moves of one item "
        f"(written in bulk in {result['bulk_seconds']} s; {result['service_moves_per_s']} moves "
        "per s through the service)"
    )
    rows = [
        f"| {row['what']} | {row['median_ms']:.1f} | {row['max_ms']:.1f} | {row['queries']} |"
        for row in result["measures"]
    ]
    head, rule = "| read | median ms | slowest ms | queries |", "|---|---:|---:|---:|"
    return "\n".join([title, "", *with_targets(head, rule, result["measures"], rows)])


def reports_table(result: dict) -> str:
    title = (
        f"### P12 sales analysis, {result['database']}: {result['lines']:,} invoice lines "
        f"({result['issued_through_services']:,} issued through the service in "
        f"{result['issuing_s']} s, the rest written in bulk and summed by the rebuild in "
        f"{result['rebuild_s']} s)"
    )
    rows = [
        f"| {row['what']} | {row['median_ms']:.1f} | {row['max_ms']:.1f} | {row['queries']} "
        f"| {row['grain']} | {row['rows_out']:,} | {row['file_median_ms']:.0f} |"
        for row in result["measures"]
    ]
    head = "| pivot | median ms | slowest ms | queries | grain read | rows | all rows ms |"
    rule = "|---|---:|---:|---:|---|---:|---:|"
    plan = result["slowest_plan"]
    return "\n".join(
        [title, "", *with_targets(head, rule, result["measures"], rows), "",
         f"Plan of the slowest ({plan['what']}):", "", "```", *plan["plan"], "```"]
    )  # fmt: skip


def operations_table(result: dict) -> str:
    title = (
        f"### O1-O5 operational reports, {result['database']}: {result['order_lines']:,} order "
        f"lines, {result['invoices']:,} invoices, {result['quotations']:,} quotations "
        f"({result['backlog_rows']:,} lines left to deliver, {result['to_invoice_rows']:,} "
        "delivery notes to invoice)"
    )
    rows = [
        f"| {row['what']} | {row['median_ms']:.1f} | {row['max_ms']:.1f} | {row['queries']} |"
        for row in result["measures"]
    ]
    head, rule = "| report | median ms | slowest ms | queries |", "|---|---:|---:|---:|"
    return "\n".join([title, "", *with_targets(head, rule, result["measures"], rows)])


def einvoicing_table(result: dict) -> str:
    title = (
        f"### E1-E2 approved platform, {result['database']}: the simulator in its own process, "
        "its checks off"
    )
    rows = [
        f"| {row['phase']} | {row['count']:,} | {row['seconds']:.2f} | {row['rate']:,.0f} "
        f"| {row['queries']:,} | {row['peak_mib']:.0f} |"
        for row in result["phases"]
    ]
    head = "| phase | count | seconds | per s | queries | peak MiB |"
    rule = "|---|---:|---:|---:|---:|---:|"
    return "\n".join([title, "", *with_targets(head, rule, result["phases"], rows)])


def pricing_table(result: dict) -> str:
    title = f"### R1-R6 pricing rules, {result['database']}: best of 3 runs from R2 on"
    rows = [
        f"| {row['phase']} | {row['count']:,} | {row['seconds']:.3f} | {row['rate']:,.0f} "
        f"| {row.get('ratio', '')} | {row['queries']:,} |"
        for row in result["phases"]
    ]
    head = "| phase | count | seconds | per s | rate with / without | queries |"
    rule = "|---|---:|---:|---:|---:|---:|"
    return "\n".join([title, "", *with_targets(head, rule, result["phases"], rows)])


def load_table(result: dict) -> str:
    title = (
        f"### Load test, {result['database']}: {result['users']} users "
        f"({result['spawn_rate']:g} more a second), for {result['seconds']} s "
        f"(at most {result['run_time_s']} s or {result['max_requests']:,} requests); "
        f"{result['server']}"
    )
    rows = [
        f"| {row['name']} | {row['requests']:,} | {row['per_s']:g} | {row['p50_ms']:.0f} "
        f"| {row['p95_ms']:.0f} | {row['p99_ms']:.0f} | {row['max_ms']:.0f} | {row['failures']} |"
        for row in result["requests"]
    ]
    head = "| requests | count | per s | p50 ms | p95 ms | p99 ms | slowest ms | errors |"
    rule = "|---|---:|---:|---:|---:|---:|---:|---:|"
    errors = ", ".join(f"{kind}: {n}" for kind, n in result["errors"].items()) or "none"
    data = ", ".join(f"{n:,} {what}" for what, n in result["data"].items())
    before, after = result["load_average"]
    notes = [
        f"Invoices issued: {result['invoices_issued']:,}, {result['issued_per_s']:g} a second. "
        f"Errors by kind: {errors}. Jobs waiting at the end: {result['jobs_waiting']}.",
        f"CPU: {result['cpu_ms_per_request']:g} ms per request in the web processes; "
        f"{result['jobs_cpu_s']:g} s in the job worker, {result['locust_cpu_s']:g} s in locust.",
        f"Data: {data}. The machine's load average: {before:g} before, {after:g} after.",
    ]
    table = with_targets(head, rule, result["requests"], rows)
    return "\n".join([title, "", *table, "", *notes])


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument(
        "--scale",
        type=int,
        default=100_000,
        help="invoices (10 lines each) bulk-built for P10, the pages at scale; 0 skips P10",
    )
    parser.add_argument(
        "--import-lines",
        type=int,
        default=100_000,
        help="lines of the partner file read and processed into issued invoices (P9); 0 skips",
    )
    parser.add_argument(
        "--import-memory-lines",
        type=int,
        default=1_000_000,
        help="lines of a file only read, on SQLite, for the memory bound; 0 skips",
    )
    parser.add_argument(
        "--stock-moves",
        type=int,
        default=1_000_000,
        help="moves of one item before its stock figures are read (P11); 0 skips",
    )
    parser.add_argument(
        "--report-lines",
        type=int,
        default=1_000_000,
        help="invoice lines the sales analysis pivots sum (P12), order lines the operational "
        "reports and the dashboard read (O1-O5); 0 skips",
    )
    parser.add_argument(
        "--einvoicing-invoices",
        type=int,
        default=10_000,
        help="issued invoices sent to the platform simulator (E1); 0 skips",
    )
    parser.add_argument(
        "--supplier-invoices",
        type=int,
        default=1_000,
        help="supplier invoices received, made from the official UC1 example (E2); 0 skips",
    )
    parser.add_argument(
        "--pricing-rules",
        type=int,
        default=1_000,
        help="active pricing rules lines and orders are priced against (R1-R6); 0 skips",
    )
    parser.add_argument(
        "--load-users",
        type=int,
        default=50,
        help="concurrent users of the load test, on PostgreSQL; 0 skips it",
    )
    parser.add_argument(
        "--load-seconds", type=int, default=60, help="the longest the load test runs; 0 skips it"
    )
    parser.add_argument(
        "--load-requests",
        type=int,
        default=0,
        help="the load test stops after that many requests (default: 2 × users × seconds)",
    )
    parser.add_argument("--peer", action="store_true", help="run the peer ERP in the same run")
    parser.add_argument("--peer-orders", type=int, default=200)
    parser.add_argument(
        "--peer-mode",
        choices=["server", "client"],
        default="server",
        help="server: the peer's best path, P3-P7 (default); client: through its client, P1-P8",
    )
    parser.add_argument("--profile", help="profile this phase (e.g. P6): bench/results/profile-*")
    args = parser.parse_args()
    databases = [None]
    if os.environ.get("COMPTOIR_BENCH_DATABASE_URL"):
        databases.append(os.environ["COMPTOIR_BENCH_DATABASE_URL"])
    workload_options = ["--orders", str(args.orders)]
    runs = [run("workload", url, *workload_options) for url in databases]
    if args.profile:  # a run of its own: the profiler slows what it watches
        for url in databases:
            run("workload", url, *workload_options, "--profile", args.profile)
    runs[0]["floor"] = run_floor()
    imports = [
        run("imports", url, "--lines", str(args.import_lines))
        for url in databases
        if args.import_lines
    ]
    if args.import_memory_lines:
        imports.append(
            run("imports", None, "--lines", str(args.import_memory_lines), "--read-only")
        )
    pages = [run("pages", url, "--invoices", str(args.scale)) for url in databases if args.scale]
    stock = [
        run("stock", url, "--moves", str(args.stock_moves)) for url in databases if args.stock_moves
    ]
    reports = [
        run("reports", url, "--lines", str(args.report_lines))
        for url in databases
        if args.report_lines
    ]
    operations = [
        run("operations", url, "--lines", str(args.report_lines))
        for url in databases
        if args.report_lines
    ]
    einvoicing = [
        run(
            "einvoicing",
            url,
            *("--invoices", str(args.einvoicing_invoices)),
            *("--received", str(args.supplier_invoices)),
        )
        for url in databases
        if args.einvoicing_invoices or args.supplier_invoices
    ]
    pricing = [
        run("pricing", url, "--rules", str(args.pricing_rules), "--orders", str(args.orders))
        for url in databases
        if args.pricing_rules
    ]
    load = [
        run(
            "load",
            url,
            *("--users", str(args.load_users), "--seconds", str(args.load_seconds)),
            *("--requests", str(args.load_requests)),
        )
        for url in databases[1:]  # on PostgreSQL only
        if args.load_users and args.load_seconds
    ]
    if args.peer:
        for url, result in zip(databases, runs, strict=True):
            add_ratios(result, run_peer(url, args.peer_orders, args.peer_mode))
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "orders": args.orders,
        "runs": runs,
        "imports": imports,
        "pages": pages,
        "stock": stock,
        "operations": operations,
        "einvoicing": einvoicing,
        "pricing": pricing,
        "reports": reports,
        "load": load,
    }
    report["targets"] = judge(report, vars(args))
    skipped = []
    if args.load_users and args.load_seconds and not load:
        skipped.append("Load test: not run, it needs PostgreSQL (COMPTOIR_BENCH_DATABASE_URL).")
    markdown = "\n\n".join(
        [f"# Comptoir benchmark, {report['date']}", f"Machine: {report['machine']}"]
        + [summary(report["targets"])]
        + [table(result) for result in runs]
        + [imports_table(result) for result in imports]
        + [pages_table(result) for result in pages]
        + [stock_table(result) for result in stock]
        + [operations_table(result) for result in operations]
        + [einvoicing_table(result) for result in einvoicing]
        + [pricing_table(result) for result in pricing]
        + [reports_table(result) for result in reports]
        + [load_table(result) for result in load]
        + skipped
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2))
    (RESULTS / "latest.md").write_text(markdown + "\n")
    print(markdown)


if __name__ == "__main__":
    main()
