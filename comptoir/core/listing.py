"""Lists of the web UI: search, filters, sort, keyset pagination and export of one query.

A page is found by the sort key of the row it follows (keyset pagination), so page 2,000 of
100,000 invoices costs what page 1 costs. Exports stream every filtered row.
"""

import base64
import csv
import datetime
import functools
import html
import io
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import and_, or_

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, Sum
from django.http import HttpResponse, StreamingHttpResponse
from django.template import Context, defaultfilters
from django.template.base import render_value_in_context
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.timezone import template_localtime
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from comptoir.core import access
from comptoir.core.forms import NumberField


@dataclass(frozen=True)
class Column:
    """A column of a list: what it shows (an attribute path), how, and what sorts it."""

    key: str
    label: str
    value: str
    kind: str = "text"  # text, money, date, quantity, status, bool
    sort: str | None = None


@dataclass(frozen=True)
class Cell:
    kind: str
    value: object
    css: str = ""


@dataclass
class Row:
    obj: object
    cells: list[Cell]
    url: str = ""  # the row's page, when the user may open it

    @property
    def html(self) -> str:
        """The row's cells as the list table shows them, the first one linking to the row's
        page. Rendered here, in one go: a template per cell cost most of a list page."""
        tds = []
        for index, cell in enumerate(self.cells):
            inner = cell_html(cell)
            if index == 0 and self.url:
                inner = f'<a href="{html.escape(self.url)}">{inner}</a>'
            tds.append(f'\n      <td class="{html.escape(cell.kind)}">{inner}</td>\n      ')
        return mark_safe("".join(tds))


_CONTEXT = Context()  # what a page's template renders values with: escaped and localised

_DATE_CODES = {"d": "{0.day:02d}", "j": "{0.day}", "m": "{0.month:02d}", "n": "{0.month}"}


@functools.cache
def _short_date_pattern(language: str | None) -> str | None:
    """The language's short date format (d/m/Y) as a str.format pattern; None when it uses
    more than day, month and year numbers."""
    form = formats.get_format("SHORT_DATE_FORMAT", lang=language, use_l10n=True)
    codes = _DATE_CODES | {"Y": "{0.year:04d}"}
    if any(c.isalpha() and c not in codes for c in form) or set(form) & set("\\{}"):
        return None
    return "".join(codes.get(c, c) for c in form)


def short_date(value) -> str:
    """A date as the list shows it, in the active language (07/12/2026 in French)."""
    pattern = _short_date_pattern(get_language())
    if pattern is not None and type(value) is datetime.date:
        return pattern.format(value)
    return defaultfilters.date(template_localtime(value), "SHORT_DATE_FORMAT")


def cell_html(cell: Cell) -> str:
    """A cell's value, formatted by its kind, as escaped HTML."""
    from comptoir.core.templatetags.comptoir import money, quantity

    value, kind = cell.value, cell.kind
    if kind == "money":
        value = money(value)
    elif kind == "date":
        value = short_date(value)
    elif kind == "quantity":
        value = quantity(value)
    elif kind == "status":
        css = render_value_in_context(cell.css, _CONTEXT)
        return f'<span class="badge {css}">{render_value_in_context(value, _CONTEXT)}</span>'
    elif kind == "bool":
        value = defaultfilters.yesno(value)
    elif value is None:
        return ""
    if type(value) is str:  # most cells: escaped as the template would, without its detours
        return html.escape(value)
    return render_value_in_context(value, _CONTEXT)


@dataclass
class Page:
    rows: list[Row]
    count: int
    total: Decimal | None
    next_cursor: str = ""
    previous_cursor: str = ""


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ListFilters(forms.Form):
    """The filters every list understands; a list shows those it has a field for."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)
    customer = forms.CharField(label=_("Customer"), required=False, max_length=100)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_WIDGET)
    amount_min = NumberField(label=_("Amount from"), required=False, max_digits=14)
    amount_max = NumberField(label=_("Amount to"), required=False, max_digits=14)


def read_path(obj, path: str):
    """The value at a dotted attribute path; methods are called."""
    for part in path.split("."):
        if obj is None:
            return None
        obj = getattr(obj, part)
        if callable(obj):
            obj = obj()
    return obj


def _encode(values) -> str:
    raw = json.dumps([None if v is None else str(v) for v in values]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> list | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, TypeError):
        return None
    if not (isinstance(values, list) and len(values) == 2 and str(values[1]).isdigit()):
        return None
    return [None if values[0] is None else str(values[0]), int(values[1])]


class Listing:
    """One list page: subclasses name the model, columns and the fields filters apply to."""

    model = None
    title = ""
    columns: list[Column] = []
    search_fields: tuple[str, ...] = ()
    status_field: str | None = "status"
    customer_field: str | None = "customer"
    date_field: str | None = "date"
    amount_field: str | None = "total_gross"
    default_sort = "-date"
    per_page = 50
    create_url_name = ""  # the page creating a new row, if users create them here
    create_label = _("New")
    # The path from a row to its customer, whose salesperson may alone see it ("" for the
    # customers themselves); None: rows that belong to no customer. Default: customer_field.
    owner_path: str | None = None

    def __init__(self, params, user=None):
        """``user``: whose list it is; columns of money are left out for a user who may not
        see prices (and amounts cannot be filtered or summed). No user: everything."""
        self.params = params
        self.user = user
        if user is not None and not access.allows(user, access.SEE_PRICES):
            self.columns = [column for column in self.columns if column.kind != "money"]
            self.amount_field = None
        self.form = ListFilters(params or None)
        self._shape_form()
        self.filters = self.form.cleaned_data if self.form.is_valid() else {}
        self.sort_key, self.descending = self._read_sort(params.get("sort", ""))

    # -- what the page offers -------------------------------------------------------------
    def _shape_form(self) -> None:
        fields = self.form.fields
        if self.status_field:
            choices = self.model._meta.get_field(self.status_field).choices
            fields["status"].choices = [("", _("All")), *choices]
        else:
            del fields["status"]
        for name, needed in (
            ("customer", self.customer_field),
            ("date_from", self.date_field),
            ("date_to", self.date_field),
            ("amount_min", self.amount_field),
            ("amount_max", self.amount_field),
        ):
            if not needed:
                del fields[name]

    def get_queryset(self):
        return self.model.objects.all()

    @property
    def create_url(self) -> str:
        """The page making a new row, if the user may open it."""
        if not self.create_url_name:
            return ""
        if self.user is not None and not access.may_open(self.user, self.create_url_name):
            return ""
        return reverse(self.create_url_name)

    # Other pages the list leads to, as (label, URL name), shown to who may open them.
    other_page_names: tuple[tuple[str, str], ...] = ()

    @property
    def other_pages(self) -> list[tuple[str, str]]:
        return [
            (label, reverse(name))
            for label, name in self.other_page_names
            if self.user is None or access.may_open(self.user, name)
        ]

    def _read_sort(self, raw: str) -> tuple[Column, bool]:
        sortable = {c.key: c for c in self.columns if c.sort}
        descending = raw.startswith("-")
        column = sortable.get(raw.lstrip("-"))
        if column is None:
            descending = self.default_sort.startswith("-")
            column = sortable[self.default_sort.lstrip("-")]
        return column, descending

    def headers(self) -> list[dict]:
        """Column headings with the sort parameter each one links to."""
        result = []
        for column in self.columns:
            current = column.sort and column.key == self.sort_key.key
            param = f"-{column.key}" if current and not self.descending else column.key
            arrow = ("▼" if self.descending else "▲") if current else ""
            result.append({"column": column, "sort": param if column.sort else "", "arrow": arrow})
        return result

    # -- the query ----------------------------------------------------------------------------
    def filtered(self):
        qs = self.get_queryset()
        path = self.customer_field if self.owner_path is None else self.owner_path
        if path is not None:
            qs = access.owned(qs, self.user, path)
        f = self.filters
        if f.get("q") and self.search_fields:
            words = f["q"].split()
            qs = qs.filter(
                reduce(
                    and_,
                    (
                        reduce(
                            or_, (Q(**{f"{field}__icontains": w}) for field in self.search_fields)
                        )
                        for w in words
                    ),
                )
            )
        if f.get("status"):
            qs = qs.filter(**{self.status_field: f["status"]})
        if f.get("customer"):
            key = f["customer"].strip()
            qs = qs.filter(
                Q(**{f"{self.customer_field}__code__iexact": key})
                | Q(**{f"{self.customer_field}__name__icontains": key})
            )
        for name, lookup, field in (
            ("date_from", "gte", self.date_field),
            ("date_to", "lte", self.date_field),
            ("amount_min", "gte", self.amount_field),
            ("amount_max", "lte", self.amount_field),
        ):
            if f.get(name) is not None:
                qs = qs.filter(**{f"{field}__{lookup}": f[name]})
        return qs

    def ordering(self, reverse: bool = False):
        """Sort key then id; rows without a sort value come last (first when reversed)."""
        descending = self.descending != reverse
        key = F(self.sort_key.sort)
        if self._sort_path_nullable():  # said explicitly: databases differ by default
            nulls = {"nulls_first": True} if reverse else {"nulls_last": True}
            key = key.desc(**nulls) if descending else key.asc(**nulls)
        else:  # plain, so that an index on the column serves it
            key = key.desc() if descending else key.asc()
        return [key, "-pk" if descending else "pk"]

    def _sort_path(self) -> list:
        """The fields the sort key goes through, e.g. [Invoice.customer, Customer.name]."""
        model, fields = self.model, []
        for part in self.sort_key.sort.split("__"):
            field = model._meta.get_field(part)
            fields.append(field)
            model = field.related_model
        return fields

    def _sort_path_nullable(self) -> bool:
        return any(field.null for field in self._sort_path())

    def _sort_field(self):
        return self._sort_path()[-1]

    def _after(self, qs, cursor: list, backwards: bool):
        """The rows after the cursor in the page's direction (before it, going backwards)."""
        field = self.sort_key.sort
        value, pk = cursor
        op = "lt" if self.descending != backwards else "gt"
        is_null = Q(**{f"{field}__isnull": True})
        if value is None:  # in the rows without a sort value, which come last
            same = is_null & Q(**{f"pk__{op}": pk})
            return qs.filter(~is_null | same if backwards else same)
        try:
            value = self._sort_field().to_python(value)
        except ValidationError:
            return qs  # a cursor that was not made here: start again from the first page
        rows = Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"pk__{op}": pk})
        return qs.filter(rows if backwards else rows | is_null)

    def page(self) -> Page:
        qs = self.filtered()
        stats = qs.aggregate(
            count=Count("pk"), **({"total": Sum(self.amount_field)} if self.amount_field else {})
        )
        after = _decode(self.params.get("after", ""))
        before = None if after else _decode(self.params.get("before", ""))
        window = qs
        if after or before:
            window = self._after(qs, after or before, backwards=before is not None)
        objects = list(
            window.order_by(*self.ordering(reverse=before is not None))[: self.per_page + 1]
        )
        more = len(objects) > self.per_page
        objects = objects[: self.per_page]
        if before:
            objects.reverse()
        self.prepare(objects)
        page = Page(
            rows=[Row(obj, self.cells(obj), self._link(obj)) for obj in objects],
            count=stats["count"],
            total=stats.get("total"),
        )
        if objects:
            # Going forwards, there is a next page when one more row came back; going
            # backwards, the page we came from follows.
            if more or before:
                page.next_cursor = self.cursor_for(objects[-1])
            if after or (before and more):
                page.previous_cursor = self.cursor_for(objects[0])
        return page

    def _link(self, obj) -> str:
        link = getattr(obj, "get_absolute_url", None)
        url = link() if link else ""
        if url and self.user is not None and not self._may_open(url):
            return ""
        return url

    def _may_open(self, url: str) -> bool:
        """Whether the user may open the row's page, checked once per page of the list: rows'
        paths differ only by their ids (/invoices/12/, /invoices/13/), which name no page."""
        shape = re.sub(r"\d+", "0", url)
        cache = self.__dict__.setdefault("_opens", {})
        if shape not in cache:
            cache[shape] = access.may_open_url(self.user, url)
        return cache[shape]

    def prepare(self, objects: list) -> None:
        """Add to a page's rows what the query does not carry (one query per page at most)."""

    def _key(self, obj) -> tuple:
        return read_path(obj, self.sort_key.sort.replace("__", ".")), obj.pk

    def cursor_for(self, obj) -> str:
        """The cursor of the page that starts after obj."""
        return _encode(self._key(obj))

    def cells(self, obj) -> list[Cell]:
        cells = []
        for column in self.columns:
            if column.kind == "status":
                raw = read_path(obj, column.value)
                display = getattr(obj, f"get_{column.value}_display", raw)
                cells.append(Cell("status", display() if callable(display) else display, css=raw))
            else:
                cells.append(Cell(column.kind, read_path(obj, column.value)))
        return cells

    # -- exports ------------------------------------------------------------------------------
    def export_rows(self, chunk: int = 2000):
        chunk_objects = []
        for obj in self.filtered().order_by(*self.ordering()).iterator(chunk_size=chunk):
            chunk_objects.append(obj)
            if len(chunk_objects) == chunk:
                yield from self._export_chunk(chunk_objects)
                chunk_objects = []
        yield from self._export_chunk(chunk_objects)

    def _export_chunk(self, objects):
        self.prepare(objects)
        for obj in objects:
            yield [cell.value for cell in self.cells(obj)]

    def file_name(self, extension: str) -> str:
        """The export's name as the user reads the list, with the day: factures-2026-12-07.csv."""
        return file_name(self.title, extension)

    def export(self, kind: str) -> HttpResponse:
        from comptoir.core import audit

        headers = [str(c.label) for c in self.columns]
        filters = {name: [None, str(value)] for name, value in self.filters.items() if value}
        audit.record_event(audit.EXPORTED, f"{self.title} ({kind})", changes=filters)
        return export_table(kind, self.title, headers, self.export_rows())


def file_name(title, extension: str) -> str:
    """An export's name as the user reads its title, with the day: factures-2026-12-07.csv."""
    name = slugify(str(title)) or "export"
    return f"{name}-{timezone.localdate().isoformat()}.{extension}"


def export_table(kind: str, title, headers: list[str], rows) -> HttpResponse:
    """Rows of values (text, Decimal, dates…) as a CSV or XLSX file named after ``title``."""
    if kind == "xlsx":
        return xlsx_response(file_name(title, "xlsx"), str(title), headers, rows)
    return csv_response(file_name(title, "csv"), headers, rows)


def csv_response(name: str, headers: list[str], rows) -> StreamingHttpResponse:
    """CSV as French spreadsheets read it: UTF-8 with BOM, semicolons, local decimals; the
    rows (lists of values) streamed as they come."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")

    def lines():
        yield "\ufeff"
        writer.writerow(headers)
        for values in rows:
            writer.writerow([_as_text(v) for v in values])
            if buffer.tell() > 65536:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def xlsx_response(name: str, title: str, headers: list[str], rows) -> HttpResponse:
    """An XLSX workbook of one sheet: numbers stay numbers, text never runs as a formula."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31] or "export")
    sheet.append(headers)
    for values in rows:
        sheet.append([_as_cell(v, sheet) for v in values])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text that a spreadsheet would run as a formula is kept as text (a leading quote)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return formats.number_format(value, use_l10n=True)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return neutralise(str(value))


# How a spreadsheet shows a decimal: an amount (two places) as 1 234,56, another with the
# places it has (a quantity 2,5, a rate 38,9).
AMOUNT_FORMAT, NUMBER_FORMAT = "#,##0.00", "#,##0.###"


def _as_cell(value, sheet=None):
    if isinstance(value, Decimal) and sheet is not None:
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=value)
        exponent = value.as_tuple().exponent
        cell.number_format = AMOUNT_FORMAT if exponent == -2 else NUMBER_FORMAT
        return cell
    if value is None or isinstance(value, (Decimal, int, float)) or hasattr(value, "isoformat"):
        return value
    return neutralise(str(value))
