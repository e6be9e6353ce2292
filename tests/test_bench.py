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
