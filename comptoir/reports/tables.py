"""The pivot as a table of cells: what the page shows and the CSV and XLSX files hold, built
once so that they show the same figures."""

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from comptoir.reports.queries import Figures, Pivot, period_months

MEASURES = {
    "net": _("Net sales"),
    "quantity": _("Quantity"),
    "margin": _("Margin"),
    "invoices": _("Invoices"),
}
MARGIN_MEASURES = {"margin"}


@dataclass(slots=True)
class Cell:
    value: object  # str, Decimal, int or None
    kind: str = "text"  # text, money, quantity, percent, count, class
    url: str = ""


@dataclass
class Table:
    headers: list[Cell]
    rows: list[list[Cell]]
    total: list[Cell]


def measure_of(params, margins: bool) -> str:
    measure = params.get("measure") or "net"
    if measure not in MEASURES or (measure in MARGIN_MEASURES and not margins):
        return "net"
    return measure


def _value(figures: Figures, measure: str) -> Cell:
    if measure == "quantity":
        return Cell(figures.quantity, "quantity")
    if measure == "margin":
        return Cell(figures.margin, "money")
    if measure == "invoices":
        return Cell(figures.invoices, "count")
    return Cell(figures.net, "money")


def _measures(figures: Figures, margins: bool) -> list[Cell]:
    cells = [Cell(figures.quantity, "quantity"), Cell(figures.net, "money")]
    if margins:
        cells += [
            Cell(figures.cost, "money"),
            Cell(figures.margin, "money"),
            Cell(figures.margin_pct, "percent"),
        ]
    return [*cells, Cell(figures.invoices, "count")]


class DrillLinks:
    """The address of the invoices behind each cell: the pivot's filters, the row's value,
    the cell's months (the page and the address are worked out once per pivot)."""

    def __init__(self, pivot: Pivot):
        query = pivot.query
        self.base = reverse("reports:sales_invoices") + "?"
        self.filters = urlencode(query.filters)
        self.rows = query.rows
        self.months = {None: self._months(query.start, query.end)}
        for period in pivot.periods:
            if period is not None:
                first, last = period_months(period, query.columns)
                self.months[period] = self._months(max(query.start, first), min(query.end, last))

    @staticmethod
    def _months(start: date, end: date) -> str:
        return f"start={start:%Y-%m}&end={end:%Y-%m}"

    def url(self, key, period) -> str:
        filters = f"{self.filters}&" if self.filters else ""
        return f"{self.base}{filters}{self.rows}={key}&{self.months[period]}"


# Rows a page shows (the first by net sales); the files hold them all, the total is of all.
PAGE_ROWS = 200


def build(pivot: Pivot, measure: str, margins: bool, limit: int | None = None) -> Table:
    """Row label, one cell per period (the chosen measure), then the row's measures over the
    whole months, the same months a year before and the change; ABC and shares when asked."""
    abc = pivot.query.view == "abc"
    dated = bool(pivot.query.columns)
    headers = [Cell(str(pivot.dimension.label))]
    if dated:
        headers += [
            Cell(pivot.period_label(p), _value(Figures(), measure).kind) for p in pivot.periods
        ]
    headers += [Cell(str(MEASURES["quantity"]), "quantity"), Cell(str(MEASURES["net"]), "money")]
    if margins:
        headers += [
            Cell(gettext("Cost"), "money"),
            Cell(str(MEASURES["margin"]), "money"),
            Cell(gettext("Margin %"), "percent"),
        ]
    headers += [
        Cell(str(MEASURES["invoices"]), "count"),
        Cell(gettext("Y-1"), "money"),
        Cell(gettext("Change %"), "percent"),
    ]
    if abc:
        headers += [
            Cell(gettext("Share %"), "percent"),
            Cell(gettext("Cumulated %"), "percent"),
            Cell(gettext("Class"), "class"),
        ]
    links_to = DrillLinks(pivot)
    rows = []
    for row in pivot.rows[:limit]:
        can_drill = row.key is not None
        cells = [Cell(row.label, "text", row.url)]
        if dated:
            for period in pivot.periods:
                figures = row.cells.get(period, Figures())
                cell = _value(figures, measure)
                url = links_to.url(row.key, period) if can_drill and figures.invoices else ""
                cells.append(Cell(cell.value, cell.kind, url))
        measures = _measures(row.total, margins)
        if can_drill:
            measures[1] = Cell(measures[1].value, "money", links_to.url(row.key, None))
        cells += measures
        cells += [Cell(row.previous.net, "money"), Cell(row.change, "percent")]
        if abc:
            cells += [
                Cell(row.share, "percent"),
                Cell(row.cumulated, "percent"),
                Cell(row.abc, "class"),
            ]
        rows.append(cells)
    total = [Cell(gettext("Total"))]
    if dated:
        total += [_value(pivot.totals.get(p, Figures()), measure) for p in pivot.periods]
    total += _measures(pivot.total, margins)
    total += [Cell(pivot.previous.net, "money"), Cell(pivot.change, "percent")]
    if abc:
        total += [Cell(None, "percent"), Cell(None, "percent"), Cell("")]
    return Table(headers, rows, total)


def values(table: Table) -> list[list]:
    """The table as rows of plain values (for a file): headers, rows, total."""
    return [
        [str(cell.value) for cell in table.headers],
        *([cell.value for cell in row] for row in table.rows),
        [cell.value for cell in table.total],
    ]
