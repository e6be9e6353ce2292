"""The sales analysis over the API: the page's figures, amounts as decimal strings."""

from decimal import Decimal

from ninja import Router, Schema

from comptoir.core.schemas import ERRORS, CostOut
from comptoir.reports import queries

router = Router(tags=["reports"])


class SalesFiguresOut(Schema):
    quantity: Decimal
    net: Decimal
    cost: CostOut = None
    margin: CostOut = None
    margin_pct: CostOut = None
    invoices: int


class SalesCellOut(SalesFiguresOut):
    period: str


class SalesLineOut(Schema):
    key: int | None
    label: str
    cells: list[SalesCellOut]
    total: SalesFiguresOut
    previous: SalesFiguresOut
    change_pct: Decimal | None
    share_pct: Decimal | None = None
    cumulated_pct: Decimal | None = None
    abc: str = ""


class SalesPeriodOut(Schema):
    key: str
    label: str


class SalesAnalysisOut(Schema):
    rows: str
    columns: str
    view: str
    start: str
    end: str
    periods: list[SalesPeriodOut]
    lines: list[SalesLineOut]
    totals: list[SalesCellOut]
    total: SalesFiguresOut
    previous: SalesFiguresOut
    change_pct: Decimal | None


def _figures(figures: queries.Figures) -> dict:
    return {
        "quantity": figures.quantity,
        "net": figures.net,
        "cost": figures.cost,
        "margin": figures.margin,
        "margin_pct": figures.margin_pct,
        "invoices": figures.invoices,
    }


def _period_key(period, columns: str) -> str:
    if columns == "month":
        return f"{period:%Y-%m}"
    if columns == "quarter":
        return f"{period[0]}-Q{period[1]}"
    return "" if period is None else str(period)


def _cells(cells: dict, result: queries.Pivot) -> list[dict]:
    columns = result.query.columns
    return [
        {"period": _period_key(p, columns), **_figures(cells.get(p, queries.Figures()))}
        for p in result.periods
        if columns
    ]


@router.get("/reports/sales", response={200: SalesAnalysisOut, **ERRORS})
def sales_analysis(
    request,
    rows: str = "item_group",
    columns: str = "month",
    view: str = "pivot",
    start: str = "",
    end: str = "",
    customer_group: str = "",
    item_group: str = "",
    territory: str = "",
    salesperson: str = "",
):
    """Net sales, quantities, costs, margins (for who may see them) and invoices, by ``rows``
    (customer, customer_group, territory, item, item_group, salesperson, sales_partner) and
    ``columns`` (month, quarter, year or empty), over the months ``start`` to ``end``
    (YYYY-MM, by default the last twelve), with the same months a year before. ``view``:
    pivot, top (the first 20 rows) or abc (classes A, B and C)."""
    query = queries.read_query(request.GET)
    result = queries.analysis(query)
    return {
        "rows": query.rows,
        "columns": query.columns,
        "view": query.view,
        "start": f"{query.start:%Y-%m}",
        "end": f"{query.end:%Y-%m}",
        "periods": [
            {"key": _period_key(p, query.columns), "label": result.period_label(p)}
            for p in result.periods
            if query.columns
        ],
        "lines": [
            {
                "key": row.key,
                "label": row.label,
                "cells": _cells(row.cells, result),
                "total": _figures(row.total),
                "previous": _figures(row.previous),
                "change_pct": row.change,
                "share_pct": row.share,
                "cumulated_pct": row.cumulated,
                "abc": row.abc,
            }
            for row in result.rows
        ],
        "totals": _cells(result.totals, result),
        "total": _figures(result.total),
        "previous": _figures(result.previous),
        "change_pct": result.change,
    }
