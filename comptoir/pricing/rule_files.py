"""Pricing rules in a spreadsheet: the file the list exports, read back to create or change
rules by their code (CSV with `;`, UTF-8 with BOM, French decimal commas; or XLSX).

A row is one rule; its linked rows are named as people know them (a customer or an item by
its code, a group by its name, a price list by its code). Each row is saved on its own, through
``services.save_rule``, and gets its result: created, changed, unchanged, or refused with the
line, the column and the reason. The file itself is kept by nobody: rules are settings, and
their history keeps every change.
"""

import csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass, field

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from comptoir.catalog.models import Item, ItemAttributeValue, ItemGroup, PriceList
from comptoir.core.errors import BusinessError
from comptoir.core.listing import FORMULA_START, neutralise
from comptoir.core.money import MAX_AMOUNT, MAX_PRICE, MAX_QUANTITY, format_quantity, parse_decimal
from comptoir.core.validation import day_range_error
from comptoir.parties.models import Customer, CustomerGroup, Territory
from comptoir.pricing import services
from comptoir.pricing.errors import PricingError
from comptoir.pricing.models import PricingRule, RuleAction, RuleChannel
from comptoir.pricing.rule_texts import describe_action, describe_conditions

ZIP_MAGIC = b"PK\x03\x04"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Link:
    """A linked row as a file or the API names it: by ``key`` (its code, or its name)."""

    model: type
    key: str
    unknown: str  # the message when nothing has that key


# The rows a rule points to, by its field.
LINKS = {
    "customer": Link(Customer, "code", gettext_lazy("No customer has the code %(key)s.")),
    "customer_group": Link(
        CustomerGroup, "name", gettext_lazy("No customer group is named %(key)s.")
    ),
    "territory": Link(Territory, "name", gettext_lazy("No territory is named %(key)s.")),
    "item": Link(Item, "code", gettext_lazy("No item has the code %(key)s.")),
    "item_group": Link(ItemGroup, "name", gettext_lazy("No item group is named %(key)s.")),
    "attribute_value": Link(
        ItemAttributeValue,
        "reference",
        gettext_lazy(
            "No attribute value is named %(key)s (write ATTRIBUTE:VALUE, e.g. COULEUR:ROUGE)."
        ),
    ),
    "price_list": Link(PriceList, "code", gettext_lazy("No price list has the code %(key)s.")),
}


def resolve_link(name: str, key):
    """The row a rule's field ``name`` names by ``key`` (None for an empty key)."""
    key = (key or "").strip() if isinstance(key, str) else key
    if not key:
        return None
    link = LINKS[name]
    if link.key == "reference":  # « COULEUR:ROUGE »: an attribute's code, then its value's
        attribute, __, value = key.partition(":")
        lookup = {"attribute__code__iexact": attribute.strip(), "code__iexact": value.strip()}
    else:
        lookup = {f"{link.key}__iexact": key}
    found = link.model.objects.filter(**lookup).first()
    if found is None:
        raise BusinessError(
            PricingError.RULE_UNKNOWN_REFERENCE,
            link.unknown % {"key": f"«\u00a0{key}\u00a0»"},
            name,
        )
    return found


def link_key(rule: PricingRule, name: str) -> str:
    row = getattr(rule, name)
    return getattr(row, LINKS[name].key) if row is not None else ""


@dataclass(frozen=True)
class FileColumn:
    name: str  # the rule's field, or a text in words (exported, not read back)
    label: str
    kind: str  # text, bool, int, decimal, date, choice, link, words
    maximum: object = None


COLUMNS = [
    FileColumn("code", gettext_lazy("Code"), "text"),
    FileColumn("name", gettext_lazy("Name"), "text"),
    FileColumn("active", gettext_lazy("Active"), "bool"),
    FileColumn("priority", gettext_lazy("Priority"), "int"),
    FileColumn("stop_others", gettext_lazy("Stops the other rules"), "bool"),
    FileColumn("customer", gettext_lazy("Customer (code)"), "link"),
    FileColumn("customer_group", gettext_lazy("Customer group"), "link"),
    FileColumn("territory", gettext_lazy("Territory"), "link"),
    FileColumn("item", gettext_lazy("Item (code)"), "link"),
    FileColumn("item_group", gettext_lazy("Item group"), "link"),
    FileColumn("attribute_value", gettext_lazy("Variant attribute (ATTRIBUTE:VALUE)"), "link"),
    FileColumn("min_quantity", gettext_lazy("Minimum quantity"), "decimal", MAX_QUANTITY),
    FileColumn("min_amount", gettext_lazy("Minimum line amount"), "decimal", MAX_AMOUNT),
    FileColumn("valid_from", gettext_lazy("Valid from"), "date"),
    FileColumn("valid_to", gettext_lazy("Valid to"), "date"),
    FileColumn("currency", gettext_lazy("Currency"), "text"),
    FileColumn("channel", gettext_lazy("Channel"), "choice"),
    FileColumn("partner", gettext_lazy("Import partner"), "text"),
    FileColumn("action", gettext_lazy("Action"), "choice"),
    FileColumn("value", gettext_lazy("Value"), "decimal", MAX_PRICE),
    FileColumn("price_list", gettext_lazy("Price list (code)"), "link"),
    FileColumn("conditions_text", gettext_lazy("Conditions in words"), "words"),
    FileColumn("action_text", gettext_lazy("Action in words"), "words"),
]
BY_FIELD = {column.name: column for column in COLUMNS}
CHOICES = {"action": RuleAction, "channel": RuleChannel}
PRIORITY_LIMIT = 2**31 - 1
YES = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
NO = {"non", "n", "no", "faux", "false", "0"}


# Export ------------------------------------------------------------------------------------


def rules_for_file(queryset=None):
    queryset = PricingRule.objects.all() if queryset is None else queryset
    return queryset.select_related(*LINKS, "attribute_value__attribute").order_by(
        "-priority", "code"
    )


def export_values(rule: PricingRule) -> list:
    """The rule's row, with typed values (numbers, dates) as a spreadsheet keeps them."""
    values = []
    for column in COLUMNS:
        if column.kind == "link":
            values.append(link_key(rule, column.name))
        elif column.kind == "bool":
            values.append(_("yes") if getattr(rule, column.name) else _("no"))
        elif column.kind == "choice":
            values.append(str(getattr(rule, f"get_{column.name}_display")()))
        elif column.name == "conditions_text":
            values.append(describe_conditions(rule))
        elif column.name == "action_text":
            values.append(describe_action(rule))
        else:
            values.append(getattr(rule, column.name))
    return values


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):  # a Decimal: as it is typed, 12,5 in French
        return format_quantity(value, grouped=False)
    return neutralise(value)


def export_csv(rules) -> bytes:
    """CSV as French spreadsheets read it: UTF-8 with BOM, semicolons, decimal commas."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(column.label) for column in COLUMNS])
    for rule in rules:
        writer.writerow([_as_text(value) for value in export_values(rule)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_xlsx(rules) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Pricing rules")[:31])
    sheet.append([str(column.label) for column in COLUMNS])
    for rule in rules:
        sheet.append([neutralise(v) if isinstance(v, str) else v for v in export_values(rule)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_file(kind: str, queryset=None) -> bytes:
    """The rules as a file; the export is written in the journal, as a list's export is."""
    from comptoir.core import audit

    rules = rules_for_file(queryset)
    audit.record_event(audit.EXPORTED, f"{_('Pricing rules')} ({kind})")
    return export_xlsx(rules) if kind == "xlsx" else export_csv(rules)


# Import ------------------------------------------------------------------------------------


@dataclass
class RowResult:
    line: int
    code: str
    outcome: str  # created, changed, unchanged, refused
    messages: list[str] = field(default_factory=list)

    @property
    def outcome_label(self) -> str:
        return str(OUTCOMES[self.outcome])


OUTCOMES = {
    "created": pgettext_lazy("pricing rule", "created"),
    "changed": pgettext_lazy("pricing rule", "changed"),
    "unchanged": pgettext_lazy("pricing rule", "unchanged"),
    "refused": pgettext_lazy("pricing rule", "refused"),
}


@dataclass
class ImportResult:
    rows: list[RowResult]

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def refused(self) -> list[RowResult]:
        return [row for row in self.rows if row.outcome == "refused"]

    def summary(self) -> str:
        return _(
            "%(created)s created, %(changed)s changed, %(unchanged)s unchanged, "
            "%(refused)s refused."
        ) % {name: self.count(name) for name in OUTCOMES}


def file_error(message: str) -> BusinessError:
    return BusinessError(PricingError.RULE_FILE_UNREADABLE, message, "file")


def _plain(text: str) -> str:
    """A heading or a word as compared: no accents, no case, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().replace("’", "'").split())


def _headings() -> dict[str, FileColumn]:
    """Every heading a column is known by: its field's name, its label in French and English."""
    known = {}
    for column in COLUMNS:
        known[_plain(column.name)] = column
        for language in ("fr", "en"):
            with translation.override(language):
                known[_plain(str(column.label))] = column
    return known


def read_rows(data: bytes, file_name: str = "") -> tuple[list[FileColumn | None], list]:
    """(the columns in the file's order, [(line number, cells)…]) of a CSV or XLSX file."""
    if not data.strip():
        raise file_error(_("The file is empty."))
    if data.startswith(ZIP_MAGIC) or file_name.lower().endswith(".xlsx"):
        lines = _xlsx_lines(data)
    else:
        lines = _csv_lines(data)
    lines = [(number, cells) for number, cells in lines if any(c.strip() for c in cells)]
    if not lines:
        raise file_error(_("The file is empty."))
    known = _headings()
    header_line, header = lines[0]
    columns, unknown = [], []
    for cell in header:
        column = known.get(_plain(cell)) if cell.strip() else None
        if cell.strip() and column is None:
            unknown.append(cell.strip())
        columns.append(column)
    if unknown:
        raise file_error(
            _("Line %(line)s: unknown columns %(columns)s. The columns are those of the export.")
            % {"line": header_line, "columns": ", ".join(f"«\u00a0{c}\u00a0»" for c in unknown)}
        )
    if BY_FIELD["code"] not in columns:
        raise file_error(_("The file has no column « %(column)s ».") % {"column": _("Code")})
    return columns, lines[1:]


def _csv_lines(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # what French spreadsheets save
    if "\x00" in text:
        raise file_error(_("This is not a CSV or XLSX file."))
    first = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first.count) if first else ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(reader.line_num, row) for row in reader]
    except csv.Error as error:
        raise file_error(_("This CSV file cannot be read: %(error)s") % {"error": error}) from None


def _xlsx_lines(data: bytes):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise file_error(_("This XLSX file cannot be read.")) from None
    return [
        (number, [_xlsx_text(value) for value in values])
        for number, values in enumerate(rows, start=1)
    ]


def _xlsx_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value).removesuffix(".0")
    return str(value)


def _read_cell(column: FileColumn, text: str):
    """A cell's value for the rule's field, or a BusinessError saying what is wrong."""
    text = text.strip()
    if text[:1] == "'" and text[1:2] in FORMULA_START:
        text = text[1:]  # kept as text by the export
    if column.kind == "bool":
        word = _plain(text)
        if word in YES or word == _plain(_("yes")):
            return True
        if not word or word in NO or word == _plain(_("no")):
            return False
        raise BusinessError(PricingError.RULE_INVALID, _("Write « yes » or « no »."))
    if column.kind == "int":
        if not text:
            return 0
        number = parse_decimal(text)
        if number != number.to_integral_value() or abs(number) > PRIORITY_LIMIT:
            raise BusinessError(PricingError.RULE_INVALID, _("Write a whole number."))
        return int(number)
    if column.kind == "decimal":
        return parse_decimal(text, maximum=column.maximum) if text else 0
    if column.kind == "date":
        return _read_day(text) if text else None
    if column.kind == "choice":
        return _read_choice(CHOICES[column.name], text)
    if column.kind == "link":
        return resolve_link(column.name, text)
    return text


def _read_day(text: str) -> dt.date:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%d.%m.%Y"):
        try:
            day = dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        wrong = day_range_error(day)
        if wrong:
            raise BusinessError(PricingError.RULE_INVALID, wrong)
        return day
    raise BusinessError(
        PricingError.RULE_INVALID,
        _("“%(text)s” is not a date: write it as day/month/year, like 07/12/2026.")
        % {"text": text},
    )


def _read_choice(choices, text: str) -> str:
    word = _plain(text)
    for value, label in choices.choices:
        names = {_plain(value)}
        for language in ("fr", "en"):
            with translation.override(language):
                names.add(_plain(str(label)))
        if word in names:
            return value
    offered = ", ".join(f"«\u00a0{label}\u00a0»" for value, label in choices.choices if value)
    raise BusinessError(
        PricingError.RULE_INVALID,
        _("« %(text)s » is not one of %(offered)s.") % {"text": text, "offered": offered},
    )


def _column_name(column: FileColumn) -> str:
    label = str(column.label)
    return label[:1].lower() + label[1:]


def where(line: int, column: FileColumn | None, message: str) -> str:
    if column is None:
        return _("Line %(line)s: %(message)s") % {"line": line, "message": message}
    return _("Line %(line)s, column %(column)s: %(message)s") % {
        "line": line,
        "column": _column_name(column),
        "message": message,
    }


def import_rules(data: bytes, file_name: str = "", *, by=None) -> ImportResult:
    """Create or change a rule per row, by its code; each row saved (or refused) on its own,
    so that one wrong row leaves the others and says why, by line and column."""
    columns, lines = read_rows(data, file_name)
    return ImportResult([_import_row(columns, number, cells, by) for number, cells in lines])


def _import_row(columns, line: int, cells: list[str], by) -> RowResult:
    values, messages = {}, []
    for position, column in enumerate(columns):
        if column is None or column.kind == "words":
            continue
        text = cells[position] if position < len(cells) else ""
        try:
            values[column.name] = _read_cell(column, text)
        except BusinessError as error:
            messages.append(where(line, column, error.message))
    code = values.get("code") or ""
    if messages:
        return RowResult(line, code, "refused", messages)
    if not code:
        return RowResult(line, "", "refused", [where(line, BY_FIELD["code"], _("Required."))])
    rule = PricingRule.objects.filter(code__iexact=code).first()
    if rule is not None and all(_same(rule, name, value) for name, value in values.items()):
        return RowResult(line, code, "unchanged")
    try:
        services.save_rule(rule, by=by, **values)
    except BusinessError as error:
        column = BY_FIELD.get(error.field or "")
        return RowResult(line, code, "refused", [where(line, column, error.message)])
    return RowResult(line, code, "created" if rule is None else "changed")


def _same(rule: PricingRule, name: str, value) -> bool:
    if name == "code":
        return True
    return getattr(rule, name) == value
