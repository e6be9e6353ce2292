"""The sales analysis: a pivot of the summary tables by one dimension and a period, read
from the smallest grain that has what it asks, exact to the cent on every database."""

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Q, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from comptoir.catalog.models import Item, ItemGroup
from comptoir.core import access
from comptoir.core.errors import BusinessError
from comptoir.parties.models import Customer, CustomerGroup, SalesPartner, Territory
from comptoir.reports.errors import ReportError
from comptoir.reports.models import GRAINS, LINE_DIMENSIONS, SalesGrain

CENT = Decimal("0.01")
THOUSANDTH = Decimal("0.001")


def may_see_margins(user) -> bool:
    """Cost, margin and margin % are shown only to who may see cost prices and margins."""
    return access.allows(user, access.SEE_COSTS)


@dataclass(frozen=True)
class Dimension:
    name: str
    label: str
    model: type
    link: str = ""  # the URL name of one of its records' page


def _user_model():
    return get_user_model()


DIMENSIONS = {
    "customer": Dimension("customer", _("Customer"), Customer, "parties:customer"),
    "customer_group": Dimension("customer_group", _("Customer group"), CustomerGroup),
    "territory": Dimension("territory", _("Territory"), Territory),
    "item": Dimension("item", _("Item"), Item, "catalog:item"),
    "item_group": Dimension("item_group", _("Item group"), ItemGroup),
    "salesperson": Dimension("salesperson", _("Salesperson"), object),
    "sales_partner": Dimension("sales_partner", _("Sales partner"), SalesPartner),
}
PERIODS = {
    "": _("No period"),
    "month": _("Month"),
    "quarter": _("Quarter"),
    "year": _("Year"),
}
# The filters a pivot takes besides its months: one record of a dimension each.
FILTERS = ("customer_group", "item_group", "territory", "salesperson")
VIEWS = {
    "pivot": _("Analysis"),
    "top": _("Top"),
    "abc": pgettext_lazy("classification", "ABC analysis"),
}


def shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(slots=True)
class Figures:
    """Sums in integer cents and thousandths; as decimals through the properties."""

    quantity_milli: int = 0
    net_cents: int = 0
    cost_cents: int = 0
    invoices: int = 0

    def copy(self) -> "Figures":
        return Figures(self.quantity_milli, self.net_cents, self.cost_cents, self.invoices)

    def add(self, other: "Figures") -> None:
        self.quantity_milli += other.quantity_milli
        self.net_cents += other.net_cents
        self.cost_cents += other.cost_cents
        self.invoices += other.invoices

    @property
    def quantity(self) -> Decimal:
        return (Decimal(self.quantity_milli) * THOUSANDTH).normalize() + 0

    @property
    def net(self) -> Decimal:
        return Decimal(self.net_cents) * CENT

    @property
    def cost(self) -> Decimal:
        return Decimal(self.cost_cents) * CENT

    @property
    def margin(self) -> Decimal:
        return Decimal(self.net_cents - self.cost_cents) * CENT

    @property
    def margin_pct(self) -> Decimal | None:
        """The margin as a share of net sales, to a tenth of a percent (none without sales)."""
        if not self.net_cents:
            return None
        return (Decimal(100) * (self.net_cents - self.cost_cents) / self.net_cents).quantize(
            Decimal("0.1")
        )


def change_pct(now: Figures, before: Figures) -> Decimal | None:
    """Net sales' change from the year before, to a tenth of a percent."""
    if not before.net_cents:
        return None
    return (Decimal(100) * (now.net_cents - before.net_cents) / abs(before.net_cents)).quantize(
        Decimal("0.1")
    )


@dataclass(frozen=True)
class SalesQuery:
    rows: str = "item_group"
    columns: str = "month"
    start: date = None  # first month
    end: date = None  # last month (included)
    filters: tuple[tuple[str, int], ...] = ()
    view: str = "pivot"

    @property
    def previous(self) -> "SalesQuery":
        """The same months a year before."""
        return SalesQuery(
            self.rows, self.columns, shift(self.start, -12), shift(self.end, -12), self.filters
        )


YEARS = range(1950, 2200)  # the months a pivot and the year before it may reach
MOST_MONTHS = 120  # ten years in one table


def _month(text: str, name: str) -> date | None:
    """A month written 2026-12 (as a month field sends it) or 12/2026 (as a French user
    types it in a plain text field)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        if "/" in text:
            month, year = (int(part) for part in text.split("/"))
        else:
            year, month = (int(part) for part in text[:7].split("-"))
        if year not in YEARS:
            raise ValueError
        return date(year, month, 1)
    except ValueError:
        raise BusinessError(
            ReportError.MONTH, gettext("Give a month as on a calendar (e.g. 12/2026)."), name
        ) from None


def _months_asked(params) -> tuple[date, date]:
    """The first and last months asked (the last 12 months by default), checked."""
    end = _month(params.get("end"), "end") or timezone.localdate().replace(day=1)
    start = _month(params.get("start"), "start") or shift(end, -11)
    if start > end:
        raise BusinessError(
            ReportError.MONTH, gettext("The first month comes after the last one."), "start"
        )
    if shift(start, MOST_MONTHS) <= end:
        raise BusinessError(
            ReportError.MONTH, gettext("Choose at most ten years at a time."), "start"
        )
    return start, end


def read_query(params) -> SalesQuery:
    """The pivot a page's or the API's parameters ask for; BusinessError on a wrong one."""
    rows = params.get("rows") or "item_group"
    if rows not in DIMENSIONS:
        raise BusinessError(
            ReportError.DIMENSION,
            gettext("Sales cannot be shown by “%(name)s”.") % {"name": rows},
            "rows",
        )
    columns = params.get("columns", "month") or ""
    if columns not in PERIODS:
        raise BusinessError(
            ReportError.PERIOD, gettext("Choose months, quarters, years or none."), "columns"
        )
    view = params.get("view") or "pivot"
    if view not in VIEWS:
        raise BusinessError(ReportError.VIEW, gettext("This view does not exist."), "view")
    start, end = _months_asked(params)
    filters = []
    for name in FILTERS:
        value = (params.get(name) or "").strip()
        if not value:
            continue
        if not value.isdigit():
            raise BusinessError(ReportError.FILTER, gettext("Choose one in the list."), name)
        filters.append((name, int(value)))
    return SalesQuery(rows, columns, start, end, tuple(filters), view)


def grain_for(query: SalesQuery) -> type[SalesGrain]:
    """The smallest grain holding the pivot's dimension and filters, whose invoice counts are
    exact for it: a grain holding a line's dimension (item, item group) counts an invoice in
    each of its rows, so that dimension must be the pivot's own, or pinned by a filter."""
    wanted = {query.rows} | {name for name, _value in query.filters}
    for grain in GRAINS:
        held = set(grain.DIMENSIONS)
        if not wanted <= held:
            continue
        pinned = wanted | ({"item_group"} if "item" in wanted else set())
        if all(name in pinned for name in held & set(LINE_DIMENSIONS)):
            return grain
    raise AssertionError(f"no grain holds {wanted}")  # the finest holds every dimension


def period_of(month: date, columns: str):
    if columns == "month":
        return month
    if columns == "quarter":
        return (month.year, (month.month - 1) // 3 + 1)
    if columns == "year":
        return month.year
    return None


def period_label(period, columns: str) -> str:
    if columns == "month":
        return formats.date_format(period, "N Y")
    if columns == "quarter":
        return gettext("Q%(quarter)s %(year)s") % {"quarter": period[1], "year": period[0]}
    if columns == "year":
        return str(period)
    return gettext("Total")


def period_months(period, columns: str) -> tuple[date, date]:
    """The first and last months of a period."""
    if columns == "month":
        return period, period
    if columns == "quarter":
        first = date(period[0], 3 * period[1] - 2, 1)
        return first, shift(first, 2)
    return date(period, 1, 1), date(period, 12, 1)


def _sums(query: SalesQuery, fields: list[str], keys=None) -> list[tuple]:
    """(values of ``fields``…, Figures) from the query's grain, summed in the database; only
    the rows whose value is among ``keys`` when given."""
    grain = grain_for(query)
    rows = grain.objects.filter(month__gte=query.start, month__lte=query.end, **dict(query.filters))
    if keys is not None:
        wanted = Q(**{f"{query.rows}__in": [key for key in keys if key is not None]})
        if None in keys:
            wanted |= Q(**{f"{query.rows}__isnull": True})
        rows = rows.filter(wanted)
    width = len(fields)
    return [
        (*row[:width], Figures(*row[width:]))
        for row in rows.values_list(*fields)
        .annotate(Sum("quantity"), Sum("net"), Sum("cost"), Sum("invoices"))
        .order_by()
    ]


@dataclass
class PivotRow:
    key: int | None
    label: str
    cells: dict = field(default_factory=dict)  # period → Figures
    total: Figures = field(default_factory=Figures)
    previous: Figures = field(default_factory=Figures)
    url: str = ""
    share: Decimal | None = None  # of the whole net sales, in % (ABC)
    cumulated: Decimal | None = None
    abc: str = ""

    @property
    def change(self) -> Decimal | None:
        return change_pct(self.total, self.previous)


@dataclass
class Pivot:
    query: SalesQuery
    periods: list
    rows: list[PivotRow]
    totals: dict  # period → Figures
    total: Figures
    previous: Figures

    @property
    def change(self) -> Decimal | None:
        return change_pct(self.total, self.previous)

    @property
    def dimension(self) -> Dimension:
        return DIMENSIONS[self.query.rows]

    def period_label(self, period) -> str:
        return period_label(period, self.query.columns)


def _labels(dimension: str, keys) -> dict:
    ids = [key for key in keys if key is not None]
    if dimension == "salesperson":
        users = _user_model().objects.filter(pk__in=ids)
        return {u.pk: u.get_full_name() or u.get_username() for u in users}
    model = DIMENSIONS[dimension].model
    if dimension in ("customer", "item"):
        return {
            pk: f"{code} · {name}" if code else name
            for pk, code, name in model.objects.filter(pk__in=ids).values_list("pk", "code", "name")
        }
    return dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))


def no_value_label(dimension: str) -> str:
    return {
        "customer": gettext("No customer"),
        "customer_group": gettext("No customer group"),
        "territory": gettext("No territory"),
        "item": gettext("Lines without an item"),
        "item_group": gettext("No item group"),
        "salesperson": gettext("No salesperson"),
        "sales_partner": gettext("No sales partner"),
    }[dimension]


def pivot(query: SalesQuery, limit: int | None = None) -> Pivot:
    """The pivot: one row per value of the dimension (by net sales, largest first), one column
    per period, with the totals and the same months a year before.

    The rows' totals and the columns' totals are summed in the database; the cells only for
    the first ``limit`` rows (all without a limit): a page of 5,000 items reads 5,000 totals
    and 200 rows of cells, not 5,000 × 12 cells."""
    rows = {key: PivotRow(key, "", total=figures) for key, figures in _sums(query, [query.rows])}
    for key, figures in _sums(query.previous, [query.rows]):
        rows.setdefault(key, PivotRow(key, "")).previous = figures
    ordered = sorted(rows.values(), key=lambda r: (-r.total.net_cents, r.key is None, r.key or 0))
    shown = ordered[:limit]
    total, previous = Figures(), Figures()
    for row in ordered:
        total.add(row.total)
        previous.add(row.previous)
    labels = _labels(query.rows, [row.key for row in shown])
    for row in shown:
        row.label = labels.get(row.key, "") if row.key is not None else no_value_label(query.rows)
        if row.key is not None and not row.label:
            row.label = gettext("Deleted since (no. %(id)s)") % {"id": row.key}
    totals: dict = {}
    if query.columns:
        keys = [row.key for row in shown] if limit is not None and len(ordered) > limit else None
        for key, month, figures in _sums(query, [query.rows, "month"], keys):
            period = period_of(month, query.columns)
            cells = rows[key].cells
            if period in cells:
                cells[period].add(figures)
            else:
                cells[period] = figures
        for month, figures in _sums(query, ["month"]):
            period = period_of(month, query.columns)
            if period in totals:
                totals[period].add(figures)
            else:
                totals[period] = figures
        periods = list(dict.fromkeys(period_of(month, query.columns) for month in _months(query)))
    else:
        periods = [None] if rows else []
    if query.rows in LINE_DIMENSIONS:
        _count_each_invoice_once(query, total, previous, totals)
    return Pivot(query, periods, ordered, totals, total, previous)


def _count_each_invoice_once(query: SalesQuery, total, previous, totals: dict) -> None:
    """The totals' invoices when the rows are items or item groups: an invoice of three items
    is in three rows, but one invoice. Counted by customer (an invoice has one), with the
    same filters: a grain holding an item's dimension counts exactly when it is pinned."""
    whole = replace(query, rows="customer")
    by_month = {month: figures.invoices for month, figures in _sums(whole, ["month"])}
    total.invoices = sum(by_month.values())
    previous.invoices = sum(f.invoices for _month, f in _sums(whole.previous, ["month"]))
    for period, figures in totals.items():
        first, last = period_months(period, query.columns)
        figures.invoices = sum(n for month, n in by_month.items() if first <= month <= last)


def _months(query: SalesQuery) -> list[date]:
    months, month = [], query.start
    while month <= query.end:
        months.append(month)
        month = shift(month, 1)
    return months


def classify(result: Pivot) -> Pivot:
    """ABC analysis: rows by net sales, A the first 80 % of the sales, B the next 15 %, C the
    rest (a row is in the class where its sales start)."""
    whole = sum(max(row.total.net_cents, 0) for row in result.rows)
    running = 0
    for row in result.rows:
        positive = max(row.total.net_cents, 0)
        if whole:
            row.share = (Decimal(100) * positive / whole).quantize(Decimal("0.1"))
            start = Decimal(100) * running / whole
            running += positive
            row.cumulated = (Decimal(100) * running / whole).quantize(Decimal("0.1"))
        else:
            start = Decimal(100)
        row.abc = "A" if start < 80 else "B" if start < 95 else "C"
    return result


TOP = 20


def top(result: Pivot) -> Pivot:
    """The first rows by net sales (the totals stay those of every row)."""
    result.rows = result.rows[:TOP]
    return result


def analysis(query: SalesQuery, limit: int | None = None) -> Pivot:
    """The pivot the query's view asks for; cells and labels for the first ``limit`` rows."""
    if query.view == "top":
        return top(pivot(query, TOP if limit is None else min(limit, TOP)))
    result = pivot(query, limit)
    if query.view == "abc":
        return classify(result)
    return result


# The invoices behind a figure --------------------------------------------------------------

LINE_LOOKUPS = {
    "customer": "invoice__customer_id",
    "customer_group": "invoice__customer__group_id",
    "territory": "invoice__customer__territory_id",
    "salesperson": "invoice__customer__salesperson_id",
    "sales_partner": "invoice__customer__sales_partner_id",
    "item": "item_id",
    "item_group": "item__group_id",
}
DRILL_LIMIT = 200


@dataclass
class DrilledInvoice:
    pk: int
    number: str
    date: date
    customer_name: str
    kind: str
    figures: Figures = field(default_factory=Figures)


@dataclass
class Drill:
    start: date
    end: date
    conditions: list[tuple[str, str]]  # (dimension's label, the value's label)
    invoices: list[DrilledInvoice]
    count: int  # every invoice behind the figure (only the first DRILL_LIMIT are listed)
    total: Figures


def drill(params) -> Drill:
    """The issued invoices and credit notes whose lines make a figure of the pivot: its
    months and, for each dimension given, the value of the customer or item now (the pivot
    holds the values at the issue: they differ only for records moved since)."""
    from comptoir.billing.models import Invoice, InvoiceLine
    from comptoir.reports.facts import cents, shared_out, thousandths

    start, end = _months_asked(params)
    lookups, conditions = {}, []
    for name, lookup in LINE_LOOKUPS.items():
        value = (params.get(name) or "").strip()
        if not value:
            continue
        if not value.isdigit():
            raise BusinessError(ReportError.FILTER, gettext("Choose one in the list."), name)
        lookups[lookup] = int(value)
        label = _labels(name, [int(value)]).get(int(value), value)
        conditions.append((str(DIMENSIONS[name].label), label))
    lines = InvoiceLine.objects.filter(
        invoice__status=Invoice.Status.ISSUED,
        invoice__date__gte=start,
        invoice__date__lt=shift(end, 1),
        **lookups,
    )
    invoices = Invoice.objects.filter(pk__in=lines.values("invoice_id")).order_by("-date", "-pk")
    count = invoices.count()
    read = invoices.only("pk", "number", "date", "customer_name", "kind", "allowances_charges")[
        :DRILL_LIMIT
    ]
    documents = {i.pk: i for i in read}
    listed = {
        i.pk: DrilledInvoice(i.pk, i.number, i.date, i.customer_name, i.kind)
        for i in documents.values()
    }
    # Every line of the documents, to share their allowances out as the summaries do; the
    # figure counts those the conditions keep, and the charges when no item is asked.
    kept = set(lines.filter(invoice_id__in=list(listed)).values_list("pk", flat=True))
    lines_of: dict[int, list] = {pk: [] for pk in listed}
    for line in InvoiceLine.objects.filter(invoice_id__in=list(listed)).order_by("pk"):
        lines_of[line.invoice_id].append(line)
    item_asked = any(LINE_LOOKUPS[name] in lookups for name in ("item", "item_group"))
    total = Figures()
    for pk, document_lines in lines_of.items():
        invoice = listed[pk]
        sign = documents[pk].sign
        nets, charges = shared_out(documents[pk], document_lines)
        for line in document_lines:
            if line.pk in kept:
                invoice.figures.add(
                    Figures(
                        sign * thousandths(line.quantity),
                        sign * cents(nets[line.pk]),
                        sign * cents(line.cost_amount),
                    )
                )
        if charges and not item_asked:
            invoice.figures.add(Figures(0, sign * cents(charges), 0))
    for invoice in listed.values():
        invoice.figures.invoices = int(invoice.kind != Invoice.Kind.CREDIT_NOTE)
        total.add(invoice.figures)
    return Drill(start, end, conditions, list(listed.values()), count, total)
