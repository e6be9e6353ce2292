"""`make bench`: the standard sales workload and the page timings on SQLite, and on
PostgreSQL when COMPTOIR_BENCH_DATABASE_URL is set; tables on stdout, bench/results/latest.json
and latest.md.

Each run has its own process (a fresh Django set-up and a fresh database).
"""

import argparse
import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


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


def table(result: dict) -> str:
    lines = [
        f"### {result['database']}",
        "",
        "| phase | count | seconds | per s | queries |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in result["phases"]:
        lines.append(
            f"| {row['phase']} | {row['count']} | {row['seconds']:.2f} | {row['rate']:.0f} "
            f"| {row['queries']} |"
        )
    return "\n".join(lines)


def pages_table(result: dict) -> str:
    lines = [
        f"### Pages, {result['database']}, {result['invoices']:,} invoices",
        "",
        "| page | median ms | slowest ms | queries |",
        "|---|---:|---:|---:|",
    ]
    for row in result["pages"]:
        lines.append(
            f"| {row['page']} | {row['median_ms']:.0f} | {row['max_ms']:.0f} | {row['queries']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--invoices", type=int, default=100_000, help="for the page timings")
    args = parser.parse_args()
    databases = [None]
    if os.environ.get("COMPTOIR_BENCH_DATABASE_URL"):
        databases.append(os.environ["COMPTOIR_BENCH_DATABASE_URL"])
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "orders": args.orders,
        "runs": [run("workload", url, "--orders", str(args.orders)) for url in databases],
        "pages": [run("pages", url, "--invoices", str(args.invoices)) for url in databases],
    }
    markdown = "\n\n".join(
        [f"# Comptoir benchmark, {report['date']}", f"Machine: {report['machine']}"]
        + [table(result) for result in report["runs"]]
        + [pages_table(result) for result in report["pages"]]
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2))
    (RESULTS / "latest.md").write_text(markdown + "\n")
    print(markdown)


if __name__ == "__main__":
    main()
