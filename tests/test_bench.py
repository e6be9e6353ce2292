"""The benchmark runs end to end at a tiny size (its figures are measured by `make bench`)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*command: str) -> dict:
    # On a temporary SQLite database, whatever database the tests run on.
    env = {k: v for k, v in os.environ.items() if "DATABASE_URL" not in k}
    output = subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, env=env
    )
    assert output.returncode == 0, output.stderr[-2000:]
    return json.loads(output.stdout.strip().splitlines()[-1])


def test_the_workload_reports_every_phase():
    result = run("bench.workload", "--orders", "6", "--customers", "4", "--items", "5")
    phases = {row["phase"].split(" ")[0]: row for row in result["phases"]}
    assert list(phases) == ["P1", "P2", "P3", "P4", "P5", "P6", "P7", "P3-P7", "P8"]
    for key in ("P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8"):
        assert {"count", "seconds", "rate", "queries", "peak_mib"} <= set(phases[key])
    assert phases["P3-P7"]["queries"] == sum(phases[f"P{i}"]["queries"] for i in range(3, 8))
    assert phases["P8"]["rows"] <= 4


def test_the_pages_at_scale_answer():
    result = run("bench.pages", "--invoices", "120", "--runs", "1")
    assert result["lines"] == 1200
    assert len(result["pages"]) == 11
    assert all(page["queries"] > 0 for page in result["pages"])


def test_the_import_benchmark_processes_its_file():
    result = run("bench.imports", "--lines", "50")
    phases = [row["phase"].split(" ")[0] for row in result["phases"]]
    assert phases == ["I1", "I2", "I1-I2"]
    assert result["report"]["documents_created"] == 10
    assert result["report"]["file_total"] == result["report"]["created_total"]


def test_the_stock_benchmark_reads_the_figures_of_its_item():
    result = run("bench.stock", "--moves", "1500")
    assert result["moves"] == 1500 + 7  # and the 7 timed posts
    measures = {row["what"]: row for row in result["measures"]}
    assert measures["figures of the item"]["queries"] == 1
    assert len(measures) == 5


def test_the_sales_analysis_benchmark_answers_each_pivot_and_checks_its_sums():
    result = run("bench.reports", "--lines", "2400", "--through-services", "200")
    assert result["check_differences"] == 0
    measures = {row["what"]: row for row in result["measures"]}
    assert len(measures) == 14
    assert measures["by item group × month"]["grain"] == "SalesByItemGroup"
    # The sums, the year before, the cells, the columns' totals, the labels; by item or item
    # group, the invoices of the totals counted by customer, this year and the year before.
    assert all(row["queries"] <= 7 for row in measures.values())
    assert result["slowest_plan"]["plan"]


def test_the_operations_benchmark_times_each_report():
    result = run("bench.operations", "--lines", "2000")
    assert result["order_lines"] == 2000
    measures = {row["what"].split(" ")[0]: row for row in result["measures"]}
    assert list(measures) == ["O1", "O2", "O3", "O4", "O5"]
    assert measures["O1"]["queries"] == 1 and measures["O2"]["queries"] == 2


def test_the_platform_benchmark_sends_to_the_simulator_and_receives():
    result = run("bench.einvoicing", "--invoices", "30", "--received", "5")
    phases = {row["phase"].split(" ")[0]: row for row in result["phases"]}
    assert list(phases) == ["E1", "E2"]
    assert (phases["E1"]["count"], phases["E2"]["count"]) == (30, 5)
    for row in phases.values():
        assert {"seconds", "rate", "queries", "peak_mib"} <= set(row)


def test_the_load_test_stops_by_itself_after_its_requests():
    result = run(
        "bench.load",
        *("--users", "3", "--seconds", "60", "--requests", "12", "--workers", "1"),
        *("--customers", "20", "--items", "20", "--invoices", "40", "--orders", "4"),
    )
    rows = {row["name"]: row for row in result["requests"]}
    assert set(rows) <= {
        "list page",
        "document page",
        "live totals (htmx)",
        "issue an invoice (API)",
        "API read",
        "all requests",
    }
    total = rows.pop("all requests")
    assert 12 <= total["requests"] <= 12 + 3  # stopped at the count, long before the minute
    assert result["seconds"] < 50
    assert total["requests"] == sum(row["requests"] for row in rows.values())
    assert result["errors"] == {} and total["failures"] == 0, result.get("server_log")
    assert total["p50_ms"] <= total["p95_ms"] <= total["p99_ms"] <= total["max_ms"]
    issued = rows.get("issue an invoice (API)", {"requests": 0})["requests"]
    assert result["invoices_issued"] == issued
    assert result["cpu_ms_per_request"] > 0


def judged(report: dict, **options) -> list[dict]:
    from bench.targets import judge

    sizes = {"orders": 1000, "import_lines": 100_000, "import_memory_lines": 1_000_000}
    sizes |= {"scale": 100_000, "stock_moves": 1_000_000, "load_users": 50}
    return judge(report, sizes | options)


def test_a_target_is_met_missed_or_not_judged_with_the_reason():
    phases = [
        {"phase": "P3 orders created", "seconds": 1.0, "ratio": 27.0},
        {"phase": "P4 orders confirmed", "seconds": 1.0, "ratio": 12.0},
        {"phase": "P5 orders delivered", "seconds": 1.0},
        {"phase": "P3-P7 order to paid", "seconds": 9.5},
    ]
    report = {"runs": [{"database": "sqlite 3.40.1", "phases": phases}]}
    verdicts = judged(report)
    p3, p4, p5, cycle = phases
    assert (p3["met"], p4["met"], p5["met"], cycle["met"]) == (True, False, None, True)
    assert "--peer" in p5["why"]
    assert cycle["target"] == "order to paid under 10 s for 1,000 orders"
    assert {"where": "P3-P7 order to paid, sqlite 3.40.1", "measured": "9.5 s"}.items() <= next(
        v for v in verdicts if v["where"].startswith("P3-P7")
    ).items()
    # A target set for a size is not judged at another.
    del cycle["target"], cycle["met"]
    judged(report, orders=200)
    assert cycle["met"] is None
    assert cycle["why"] == "set for 1,000 orders; this run had 200"
    # What did not run is listed, not judged.
    load = next(v for v in verdicts if v["where"].startswith("load test"))
    assert load["met"] is None and load["why"] == "not run"


def test_the_load_test_has_two_targets_and_the_import_memory_one_the_read_only_file():
    rows = [{"name": "all requests", "p95_ms": 620.0, "failures": 0}]
    imports = [
        {
            "database": "sqlite 3.40.1",
            "read_only": False,
            "phases": [
                {"phase": "I1 upload + read", "peak_mib": 500},
                {"phase": "I1-I2 file → issued invoices", "seconds": 21.0},
            ],
        },
        {
            "database": "sqlite 3.40.1",
            "read_only": True,
            "phases": [{"phase": "I1 upload + read", "peak_mib": 127}],
        },
    ]
    report = {"load": [{"database": "postgresql 150018", "requests": rows}], "imports": imports}
    judged(report)
    assert rows[0]["target"] == "p95 under 500 ms at 50 users; no error at 50 users"
    assert rows[0]["met"] is False
    full, memory = imports
    assert "target" not in full["phases"][0]
    assert full["phases"][1]["met"] is False
    assert memory["phases"][0]["met"] is True


def test_the_report_shows_each_verdict_at_a_glance():
    from bench.__main__ import load_table
    from bench.targets import summary

    rows = [
        {"name": "list page", "requests": 90, "per_s": 1.5, "failures": 0}
        | {"p50_ms": 40.0, "p95_ms": 120.0, "p99_ms": 300.0, "max_ms": 410.0},
        {"name": "all requests", "requests": 100, "per_s": 1.7, "failures": 2}
        | {"p50_ms": 41.0, "p95_ms": 130.0, "p99_ms": 320.0, "max_ms": 900.0},
    ]
    result = {
        "database": "postgresql 150018",
        "users": 50,
        "spawn_rate": 10,
        "seconds": 59.8,
        "run_time_s": 60,
        "max_requests": 6000,
        "server": "gunicorn, 5 workers, and the job worker",
        "requests": rows,
        "errors": {"issue an invoice (API): HTTP 500": 2},
        "invoices_issued": 240,
        "issued_per_s": 4.0,
        "jobs_waiting": 0,
        "data": {"customers": 1000},
        "load_average": [3.0, 5.5],
        "cpu_ms_per_request": 38.5,
        "jobs_cpu_s": 12.0,
        "locust_cpu_s": 4.2,
    }
    verdicts = judged({"load": [result]})
    markdown = load_table(result)
    assert "| all requests | 100 | 1.7 | 41 | 130 | 320 | 900 | 2 | **MISSED** |" in markdown
    assert "| list page | 90 | 1.5 | 40 | 120 | 300 | 410 | 0 |  |" in markdown
    assert "issue an invoice (API): HTTP 500: 2" in markdown
    assert "CPU: 38.5 ms per request in the web processes; 12 s in the job worker" in markdown
    top = summary(verdicts).splitlines()
    assert top[0].startswith("## Targets: 1 met, 1 missed, ")
    assert top[4] == (
        "| load test: all requests, postgresql 150018 | no error at 50 users | 2 | **MISSED** |"
    )
    assert top[5].endswith("| p95 under 500 ms at 50 users | 130 ms | met |")
    # What was not judged for one reason is one line.
    assert sum("not judged (not run)" in line for line in top) == len(top) - 6
