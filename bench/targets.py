"""The targets the benchmark is held to, in one place, and the verdict of a run on each.

A target belongs to the rows of one section of the report (a phase, a page, a reading, the
load test) whose name starts with ``row``, on one database or on each. A target set for a size
(1,000 orders, 100,000 invoices, 50 users …) is judged only when the run used that size;
then, and when what it compares was not measured, its verdict is ``"met": null`` with the
reason in ``"why"``.
"""

import operator
from collections.abc import Callable
from dataclasses import dataclass

MB = 1_000_000 / 2**20  # one megabyte in MiB (peak memory is reported in MiB)
SECTIONS = {
    "runs": "",
    "imports": "P9 ",
    "pages": "P10 ",
    "stock": "P11 ",
    "operations": "",
    "einvoicing": "",
    "pricing": "",
    "reports": "P12 ",
    "load": "load test: ",
}


@dataclass(frozen=True)
class Target:
    section: str  # where in latest.json: runs, imports, pages, stock, pricing, load
    row: str  # the rows whose name starts with this
    field: str  # the row's figure compared
    below: bool  # the figure must be under the limit (else at least the limit)
    limit: float
    unit: str  # how the figure is written: " s", " ms", " MiB", "×", ""
    text: str
    size: tuple[str, int, str] | None = None  # (option of `python -m bench`, value, its noun)
    database: str = ""  # "sqlite" or "postgresql": only there; "" on each
    when: Callable[[dict], bool] = lambda result: True  # which results of the section
    missing: str = "not measured in this run"  # why, when the row lacks the figure


def _peer(phase: str) -> Target:
    return Target(
        "runs",
        f"{phase} ",
        "ratio",
        False,
        20,
        "×",
        "at least 20× the peer's rate",
        missing="no peer rate: run with --peer (P1, P2 and P8 need --peer-mode client)",
    )


TARGETS = [
    # The standard sales workload.
    Target(
        "runs",
        "P3-P7 ",
        "seconds",
        True,
        10,
        " s",
        "order to paid under 10 s for 1,000 orders",
        size=("orders", 1000, "orders"),
    ),
    *[_peer(f"P{i}") for i in range(1, 9)],
    # The partner import.
    Target(
        "imports",
        "I1-I2 ",
        "seconds",
        True,
        20,
        " s",
        "file → issued invoices under 20 s for 100,000 lines",
        size=("import_lines", 100_000, "lines"),
        when=lambda result: not result.get("read_only"),
    ),
    Target(
        "imports",
        "I1 ",
        "peak_mib",
        True,
        round(400 * MB, 1),
        " MiB",
        "peak RSS under 400 MB reading 1,000,000 lines",
        size=("import_memory_lines", 1_000_000, "lines"),
        when=lambda result: bool(result.get("read_only")),
    ),
    # The pages at 100,000 invoices (median of the timed runs), on SQLite.
    *[
        Target(
            "pages",
            page,
            "median_ms",
            True,
            200,
            " ms",
            "under 200 ms at 100,000 invoices",
            size=("scale", 100_000, "invoices"),
            database="sqlite",
        )
        for page in ("invoice list", "order page, 50 lines")
    ],
    # The approved platform: invoices sent to the simulator, supplier invoices received.
    Target(
        "einvoicing",
        "E1 ",
        "seconds",
        True,
        60,
        " s",
        "10,000 issued invoices sent to the platform under 60 s",
        size=("einvoicing_invoices", 10_000, "invoices"),
    ),
    Target(
        "einvoicing",
        "E2 ",
        "seconds",
        True,
        10,
        " s",
        "1,000 supplier invoices received under 10 s",
        size=("supplier_invoices", 1_000, "supplier invoices"),
    ),
    # Pricing rules: lines priced against them, orders entered with them.
    Target(
        "pricing",
        "R2 ",
        "seconds",
        True,
        1,
        " s",
        "10,000 lines priced against 1,000 rules under 1 s",
        size=("pricing_rules", 1_000, "rules"),
    ),
    Target(
        "pricing",
        "R4 ",
        "ratio",
        False,
        0.8,
        "×",
        "orders entered (P3) with 1,000 rules at 80 % or more of the rate without",
        size=("pricing_rules", 1_000, "rules"),
    ),
    # The stock figures of an item with a million moves, on PostgreSQL.
    Target(
        "stock",
        "figures of the item",
        "median_ms",
        True,
        100,
        " ms",
        "under 100 ms with 1,000,000 moves",
        size=("stock_moves", 1_000_000, "moves"),
        database="postgresql",
    ),
    # Each pivot of the sales analysis over a million invoice lines, on each database.
    Target(
        "reports",
        "",
        "max_ms",
        True,
        1000,
        " ms",
        "under 1 s (slowest of 7) with 1,000,000 invoice lines",
        size=("report_lines", 1_000_000, "invoice lines"),
    ),
    # The operational reports and the dashboard over a million order lines, on each database.
    *[
        Target(
            "operations",
            f"{row} ",
            "max_ms",
            True,
            1000,
            " ms",
            "slowest of 7 runs under 1 s with 1,000,000 order lines",
            size=("report_lines", 1_000_000, "order lines"),
        )
        for row in ("O1", "O2", "O3", "O4", "O5")
    ],
    # The load test, on PostgreSQL.
    *[
        Target(
            "load",
            "all requests",
            field,
            True,
            limit,
            unit,
            text,
            size=("load_users", 50, "users"),
            database="postgresql",
        )
        for field, limit, unit, text in (
            ("p95_ms", 500, " ms", "p95 under 500 ms at 50 users"),
            ("failures", 1, "", "no error at 50 users"),
        )
    ],
]


def rows_of(result: dict) -> list[dict]:
    for key in ("phases", "pages", "measures", "requests"):
        if key in result:
            return result[key]
    return []


def name_of(row: dict) -> str:
    return next(row[key] for key in ("phase", "page", "what", "name") if key in row)


def _verdict(target: Target, row: dict, options: dict) -> dict:
    verdict = {"target": target.text}
    if target.size:
        option, value, noun = target.size
        if options.get(option) != value:
            return verdict | {
                "met": None,
                "why": f"set for {value:,} {noun}; this run had {options.get(option) or 0:,}",
            }
    if row.get(target.field) is None:
        return verdict | {"met": None, "why": target.missing}
    compare = operator.lt if target.below else operator.ge
    measured = row[target.field]
    return verdict | {
        "met": compare(measured, target.limit),
        "measured": f"{measured:,g}{target.unit}",
    }


def judge(report: dict, options: dict) -> list[dict]:
    """Write on each row a target is for its ``target``, ``met`` (true, false, or null with
    ``why``); return the verdicts, one per target and row, for the summary."""
    verdicts = []
    for target in TARGETS:
        found = False
        for result in report.get(target.section, []):
            if not result["database"].startswith(target.database) or not target.when(result):
                continue
            for row in rows_of(result):
                if not name_of(row).startswith(target.row):
                    continue
                found = True
                verdict = _verdict(target, row, options)
                _combine(row, verdict)
                where = f"{SECTIONS[target.section]}{name_of(row)}, {result['database']}"
                verdicts.append({"where": where, **verdict})
        if not found:
            where = SECTIONS[target.section] + target.row.strip()
            where += f", {target.database}" if target.database else ""
            verdicts.append({"where": where, "target": target.text, "met": None, "why": "not run"})
    return verdicts


def _combine(row: dict, verdict: dict) -> None:
    """One row may have several targets: their texts joined, met only when each is."""
    if "target" not in row:
        row.update({k: verdict[k] for k in ("target", "met", "why") if k in verdict})
        return
    row["target"] += f"; {verdict['target']}"
    mets = (row["met"], verdict["met"])
    row["met"] = False if False in mets else None if None in mets else True
    why = "; ".join(w for w in (row.get("why"), verdict.get("why")) if w)
    if why:
        row["why"] = why


def cell(row: dict) -> str:
    """The target column of a markdown table."""
    if "target" not in row:
        return ""
    return {True: "met", False: "**MISSED**", None: "not judged"}[row["met"]]


def summary(verdicts: list[dict]) -> str:
    """The markdown block that opens the report: every target and this run's verdict."""
    if not verdicts:
        return ""
    counts = {
        word: sum(v["met"] is met for v in verdicts)
        for word, met in (("met", True), ("missed", False), ("not judged", None))
    }
    lines = [
        "## Targets: " + ", ".join(f"{n} {word}" for word, n in counts.items() if n),
        "",
        "| where | target | measured | verdict |",
        "|---|---|---:|---|",
    ]
    judged = [v for v in verdicts if v["met"] is not None]
    for v in sorted(judged, key=lambda v: v["met"]):  # the missed ones first
        lines.append(f"| {v['where']} | {v['target']} | {v['measured']} | {cell(v)} |")
    unjudged: dict[tuple[str, str], list[str]] = {}
    for v in verdicts:
        if v["met"] is None:
            unjudged.setdefault((v["target"], v["why"]), []).append(v["where"])
    for (target, why), wheres in unjudged.items():  # one line per reason
        lines.append(f"| {'; '.join(wheres)} | {target} | | not judged ({why}) |")
    return "\n".join(lines)
