"""Reading a partner's file: encoding, separator, header, then each row's values and errors.

Pure functions over the stored file: nothing here touches business data. Rows are streamed,
so memory stays flat whatever the file's length.
"""

import codecs
import csv
import datetime as dt
import functools
import json
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import formats
from django.utils.translation import gettext as _

from comptoir.core.identifiers import compact_siren, compact_vat_id, validate_siren, validate_vat_id
from comptoir.core.money import MAX_AMOUNT, MAX_PRICE, MAX_QUANTITY, format_quantity
from comptoir.core.validation import day_range_error
from comptoir.imports.columns import BY_NAME, NAMES, REQUIRED, canonical, normalise_header
from comptoir.imports.profiles import MappingError, compile_spec, mapped_columns

SAMPLE_BYTES = 1 << 20
ZIP_MAGIC = b"PK\x03\x04"
DELIMITERS = ";,\t|"
XLSX_EMPTY_ROWS_END = 10_000  # a sheet's data ends after this many empty rows in a row


class FileError(Exception):
    """The file as a whole cannot be read (its rows are not even reached)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = str(message)


# The file ---------------------------------------------------------------------------------------


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when every byte decodes as such, else the best 8-bit guess."""
    with open(path, "rb") as handle:
        return detect_stream_encoding(handle)


def detect_stream_encoding(handle) -> str:
    """The same, for a binary stream read from its start (a file, or bytes in memory)."""
    head = handle.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"
    handle.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := handle.read(SAMPLE_BYTES):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        handle.seek(0)
        sample = handle.read(SAMPLE_BYTES)
    from charset_normalizer import from_bytes

    guess = from_bytes(sample, cp_isolation=["cp1252", "latin_1", "iso8859_15"]).best()
    encoding = guess.encoding if guess else "cp1252"
    # cp1252 leaves five bytes undefined; Latin-1 reads every byte, so nothing is ever refused.
    return "latin-1" if encoding == "latin_1" else encoding


def detect_delimiter(first_lines: str) -> str:
    try:
        return csv.Sniffer().sniff(first_lines, delimiters=DELIMITERS).delimiter
    except csv.Error:
        header = first_lines.splitlines()[0] if first_lines else ""
        return max(DELIMITERS, key=header.count) if header else ";"


@dataclass
class Table:
    """The file's layout: where each template column's text comes from."""

    file_format: str
    encoding: str = ""
    delimiter: str = ""
    headers: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # template column → what feeds it
    unknown: list[str] = field(default_factory=list)
    extract: dict = field(default_factory=dict)  # template column → fn(cells) → text
    positions: dict = field(default_factory=dict)  # template column → its cell, when direct
    mapping: dict | None = None  # the partner's mapping profile, as it was when the file was read

    def as_dict(self) -> dict:
        return {
            "format": self.file_format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "headers": self.headers,
            "sources": self.sources,
            "unknown": self.unknown,
            "mapping": self.mapping,
        }


def file_texts(layout: dict, has_header: bool, cells: list[str]) -> dict[str, str]:
    """A row's text per template column, read from its cells as the file's layout (stored
    when the file was read) reads them."""
    table = _stored_table(json.dumps(layout, sort_keys=True), has_header)
    data, _errors = row_data(table, cells)
    return {name: text for name, text in data.items() if text}


@functools.lru_cache(maxsize=16)
def _stored_table(layout: str, has_header: bool) -> Table:
    stored = json.loads(layout)
    table = Table(stored.get("format", ""))
    _layout(table, stored.get("headers"), has_header, stored.get("mapping"))
    return table


def _cell(position: int):
    return lambda cells: cells[position] if position < len(cells) else ""


def _layout(table: Table, first_row: list[str] | None, has_header: bool, mapping=None) -> None:
    table.mapping = mapping or None
    if not has_header:
        table.headers = list(NAMES)
        table.sources = {name: name for name in NAMES}
        table.extract = {name: _cell(i) for i, name in enumerate(NAMES)}
        table.positions = {name: i for i, name in enumerate(NAMES)}
        return
    if first_row is None or not any(str(c or "").strip() for c in first_row):
        raise FileError("import.empty", _("The file is empty: it has no header line."))
    table.headers = [str(c or "").strip() for c in first_row]
    index = {normalise_header(h): i for i, h in reversed(list(enumerate(table.headers))) if h}
    used: set[int] = set()
    for name, spec in mapped_columns(mapping).items():
        try:
            table.extract[name] = compile_spec(spec, index)
        except MappingError as error:
            if BY_NAME[name].required:
                raise FileError(
                    "import.mapping",
                    _("The column %(header)s that the mapping reads for %(name)s is missing.")
                    % {"header": error, "name": name},
                ) from None
            continue
        table.sources[name] = (
            json.dumps(spec, ensure_ascii=False) if not isinstance(spec, str) else spec
        )
        used |= {i for h, i in index.items() if h in _headers_of(spec)}
    seen: dict[str, int] = {}
    for position, header in enumerate(table.headers):
        name = canonical(header)
        if name is None or name in table.extract:
            if header and position not in used and name is None:
                table.unknown.append(header)
            continue
        if name in seen:
            raise FileError(
                "import.duplicate_column",
                _("Columns %(a)s and %(b)s both give %(name)s.")
                % {"a": table.headers[seen[name]], "b": header, "name": name},
            )
        seen[name] = position
        table.sources[name] = header
        table.extract[name] = _cell(position)
        table.positions[name] = position
    missing = [name for name in REQUIRED if name not in table.extract]
    if missing:
        raise FileError(
            "import.missing_columns",
            _("Required columns are missing: %(names)s.") % {"names": ", ".join(missing)},
        )


def _headers_of(spec) -> set[str]:
    if isinstance(spec, str):
        return {normalise_header(spec)}
    if isinstance(spec, list):
        return set().union(*(_headers_of(s) for s in spec)) if spec else set()
    found: set[str] = set()
    for key in ("first", "divide"):
        for part in spec.get(key, []):
            found |= _headers_of(part)
    if "from" in spec:
        found |= _headers_of(spec["from"])
    for header in spec.get("when", {}):
        found.add(normalise_header(header))
    return found


def open_table(path: Path, file_name: str, *, has_header: bool = True, mapping=None):
    """The file's layout and an iterator of (line number, cells) over its non-empty rows.

    The file is read within the limits of the settings: an XLSX file's declared unpacked size
    and its cells' length and number of rows are checked before it is opened; every file's
    rows and cells as they are read. A file beyond a limit raises FileError."""
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if magic == ZIP_MAGIC or file_name.lower().endswith((".xlsx", ".xlsm")):
        check_xlsx(path)
        table, rows = _open_xlsx(path, has_header, mapping)
    else:
        table, rows = _open_csv(path, has_header, mapping)
    return table, _within_limits(rows)


# Limits -----------------------------------------------------------------------------------------


def _too_many_rows() -> FileError:
    return FileError(
        "import.too_many_rows",
        _("The file has more than %(max)s rows: split it into smaller files.")
        % {"max": _count(settings.COMPTOIR_IMPORT_MAX_ROWS)},
    )


def _count(number: int) -> str:
    return formats.number_format(number, force_grouping=True)


def _cell_too_long(line: int | None = None) -> FileError:
    limit = _count(settings.COMPTOIR_IMPORT_MAX_CELL_CHARS)
    if line is None:
        message = _("A cell holds more than %(max)s characters.") % {"max": limit}
    else:
        message = _("Line %(line)s: a cell holds more than %(max)s characters.") % {
            "line": line,
            "max": limit,
        }
    return FileError("import.cell_too_long", message)


def _within_limits(rows):
    """The rows, stopping with FileError at the first beyond the settings' limits."""
    max_rows = settings.COMPTOIR_IMPORT_MAX_ROWS
    max_chars = settings.COMPTOIR_IMPORT_MAX_CELL_CHARS
    try:
        for count, (line, cells) in enumerate(rows, start=1):
            if count > max_rows:
                raise _too_many_rows()
            if any(len(cell) > max_chars for cell in cells):
                raise _cell_too_long(line)
            if any("\x00" in cell for cell in cells):  # no database text may hold one
                raise FileError(
                    "import.binary",
                    _("Line %(line)s holds a NUL character: this is not a CSV or XLSX file.")
                    % {"line": line},
                )
            yield line, cells
    except csv.Error as error:  # a field beyond the csv module's own limit, a stray NUL…
        raise FileError(
            "import.unreadable", _("This CSV file cannot be read: %(error)s") % {"error": error}
        ) from None


def check_xlsx(path: Path) -> None:
    """Refuse an XLSX file that would take more than the limits to read, without unpacking it
    whole: its declared unpacked size first (the zip's directory, which reading then holds it
    to), then its sheets and shared texts streamed through a parser that keeps no text, for a
    cell's length and the number of rows with a value."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            unpacked = sum(member.file_size for member in members)
            if unpacked > settings.COMPTOIR_IMPORT_MAX_UNPACKED_BYTES:
                raise FileError(
                    "import.unpacked_too_large",
                    _(
                        "Unpacked, this XLSX file would take %(size)s MB; files up to %(max)s MB "
                        "unpacked are read."
                    )
                    % {
                        "size": formats.number_format(unpacked / 1e6, 1, force_grouping=True),
                        "max": formats.number_format(
                            settings.COMPTOIR_IMPORT_MAX_UNPACKED_BYTES / 1e6, 1
                        ),
                    },
                )
            for member in members:
                name = member.filename
                if (
                    name.startswith("xl/")
                    and name.endswith(".xml")
                    and (name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml")
                ):
                    with archive.open(member) as stream:
                        _scan_xml(stream, count_rows=name.startswith("xl/worksheets/"))
    except (zipfile.BadZipFile, expat.ExpatError, EOFError, OSError) as error:
        raise FileError(
            "import.unreadable", _("This XLSX file cannot be read: %(error)s") % {"error": error}
        ) from None


def _scan_xml(stream, count_rows: bool) -> None:
    """Stream one part of the workbook: no text longer than a cell may be, no more rows with a
    value than a file may have. Memory stays flat, whatever the part's size."""
    max_chars = settings.COMPTOIR_IMPORT_MAX_CELL_CHARS
    max_rows = settings.COMPTOIR_IMPORT_MAX_ROWS
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    state = {"run": 0, "valued": False, "rows": 0}

    def text(data):
        state["run"] += len(data)
        if state["run"] > max_chars:
            raise _cell_too_long()

    def end(name):
        if state["run"] and name in ("v", "t"):
            state["valued"] = True
        state["run"] = 0
        if count_rows and name == "row":
            if state["valued"]:
                state["rows"] += 1
                if state["rows"] > max_rows + 1:  # the header's row and the file's rows
                    raise _too_many_rows()
            state["valued"] = False

    def no_doctype(*_args):
        raise FileError("import.unreadable", _("This XLSX file cannot be read: it has a DTD."))

    parser.CharacterDataHandler = text
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = no_doctype
    while chunk := stream.read(1 << 20):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _open_csv(path: Path, has_header: bool, mapping):
    encoding = detect_encoding(path)
    with open(path, encoding=encoding, newline="") as handle:
        sample = handle.read(64 * 1024)
    if not sample.strip():
        raise FileError("import.empty", _("The file is empty."))
    if "\x00" in sample:
        raise FileError("import.binary", _("This is not a CSV or XLSX file."))
    table = Table("csv", encoding=encoding, delimiter=detect_delimiter(sample[:8192]))

    def rows():
        with open(path, encoding=encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=table.delimiter)
            first = True
            for cells in reader:
                if first and has_header:
                    first = False
                    continue
                if any(c.strip() for c in cells):
                    yield reader.line_num, cells

    with open(path, encoding=encoding, newline="") as handle:
        first_row = next(csv.reader(handle, delimiter=table.delimiter), None)
    _layout(table, first_row, has_header, mapping)
    return table, rows()


def _xlsx_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value).removesuffix(".0")
    return str(value)


def _open_xlsx(path: Path, has_header: bool, mapping):
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise FileError(
            "import.unreadable", _("This XLSX file cannot be read: %(error)s") % {"error": error}
        ) from None
    sheet = book.worksheets[0]
    table = Table("xlsx")

    def all_rows():
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_xlsx_text(v) for v in values]
            while cells and not cells[-1].strip():
                cells.pop()
            yield number, cells

    iterator = all_rows()
    first_row = None
    if has_header:
        for _number, cells in iterator:
            if cells:
                first_row = cells
                break
    _layout(table, first_row, has_header, mapping)

    def rows():
        try:
            width = len(table.headers)
            empty_run = 0
            for number, cells in iterator:
                if not cells:
                    empty_run += 1
                    if empty_run >= XLSX_EMPTY_ROWS_END:
                        return  # formatted but empty rows to the sheet's end
                    continue
                empty_run = 0
                # Excel leaves trailing empty cells out: they are empty, not missing.
                yield number, cells + [""] * (width - len(cells))
        finally:
            book.close()

    return table, rows()


# One row --------------------------------------------------------------------------------------

NUMBER_JUNK = re.compile(r"[\s\u00a0\u202f€%]")
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%Y-%m-%d", "%Y/%m/%d")
TRUE = {"oui", "o", "yes", "y", "true", "vrai", "1", "x", "ttc"}
FALSE = {"non", "n", "no", "false", "faux", "0", "", "ht"}
CUSTOMER_KINDS = {
    "societe": "company",
    "entreprise": "company",
    "company": "company",
    "professionnel": "company",
    "pro": "company",
    "b2b": "company",
    "particulier": "individual",
    "individual": "individual",
    "personne": "individual",
    "b2c": "individual",
}
COUNTRY_NAMES = {"france": "FR", "belgique": "BE", "suisse": "CH", "luxembourg": "LU"}
LIMITS = {
    "quantity": MAX_QUANTITY,
    "weight": MAX_QUANTITY,
    "price": MAX_PRICE,
    "amount": MAX_AMOUNT,
    "rate": Decimal(100),
}


def read_number(text: str) -> Decimal:
    """1 234,56 · 1.234,56 · 1,234.56 · 1234.56 · 20 % — the last separator is the decimal one."""
    text = NUMBER_JUNK.sub("", text)
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        text = text.replace(thousands, "").replace(decimal_mark, ".")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    elif text.count(",") > 1 or text.count(".") > 1:
        text = text.replace(",", "").replace(".", "")
    number = Decimal(text)
    if not number.is_finite():
        raise InvalidOperation
    return number


DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def read_date(text: str) -> dt.date:
    text = text.strip()
    found = DAY_MONTH_YEAR.fullmatch(text)
    if found:  # the common case, without strptime's cost
        day, month, year = (int(g) for g in found.groups())
        return dt.date(year, month, day)
    head = text[:10] if re.match(r"^\d{4}-\d{2}-\d{2}[ T]", text) else text
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(head, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _parse_value(column, text: str):
    """The typed value of one cell, or a ValueError whose message says why not."""
    kind = column.kind
    if kind == "text":
        if text[:1] == "'" and text[1:].isdigit():
            text = text[1:]  # a spreadsheet's mark keeping leading zeros (postal codes)
        if len(text) > column.max_length:
            raise ValueError(
                _("%(n)s characters, at most %(max)s.") % {"n": len(text), "max": column.max_length}
            )
        return text
    if kind == "date":
        try:
            day = read_date(text)
        except ValueError:
            raise ValueError(
                _("“%(value)s” is not a date (dd/mm/yyyy or yyyy-mm-dd).") % {"value": text}
            ) from None
        out_of_range = day_range_error(day)
        if out_of_range:
            raise ValueError(out_of_range)
        return day.isoformat()
    if kind in LIMITS:
        try:
            number = read_number(text)
        except (InvalidOperation, ValueError):
            raise ValueError(_("“%(value)s” is not a number.") % {"value": text}) from None
        if number < 0:
            raise ValueError(_("%(value)s is negative.") % {"value": text})
        if number > LIMITS[kind]:
            raise ValueError(
                _("%(value)s is larger than %(max)s.")
                % {"value": text, "max": format_quantity(LIMITS[kind])}
            )
        if kind == "quantity" and number == 0:
            raise ValueError(_("The quantity must be greater than zero."))
        return str(number)
    if kind == "boolean":
        lowered = text.lower()
        if lowered in TRUE or lowered in FALSE:
            return lowered in TRUE
        raise ValueError(_("“%(value)s”: write oui or non.") % {"value": text})
    if kind == "choice":
        key = normalise_word(text)
        if key not in CUSTOMER_KINDS:
            raise ValueError(_("“%(value)s”: write societe or particulier.") % {"value": text})
        return CUSTOMER_KINDS[key]
    if kind == "country":
        code = COUNTRY_NAMES.get(text.lower(), text.upper())
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise ValueError(
                _("“%(value)s” is not an ISO country code (FR, BE…).") % {"value": text}
            )
        return code
    if kind == "currency":
        code = text.upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise ValueError(_("“%(value)s” is not an ISO currency code (EUR…).") % {"value": text})
        return code
    raise AssertionError(kind)


@functools.lru_cache(maxsize=65_536)
def normalise_word(text: str) -> str:
    """A word as matching compares it (addresses, units, payment methods repeat in a file)."""
    return normalise_header(text).replace("_", "")


# Every row needs these; the document's other required fields may be on one of its rows only
# (exports often give the order's fields on its first row).
ROW_REQUIRED = {name for name in REQUIRED if not BY_NAME[name].document} | {"reference_partenaire"}
IDENTIFIER_CHECKS = (
    ("siren", compact_siren, validate_siren),
    ("tva_intracom", lambda v: compact_vat_id(v).upper(), validate_vat_id),
    ("email", str.strip, validate_email),
)


class CellReader:
    """Reads cells into typed values, remembering what it read: a document's fields repeat on
    each of its rows, and dates, rates and codes repeat across a file."""

    MEMORY = 50_000

    def __init__(self):
        self.memory: dict[tuple[str, str], tuple[bool, object]] = {}
        self.layouts: dict[tuple, tuple[list[tuple], list[str]]] = {}

    def value(self, column, text: str):
        key = (column.name, text)
        known = self.memory.get(key)
        if known is None:
            try:
                known = (True, _parse_value(column, text))
            except ValueError as error:
                known = (False, str(error))
            if len(self.memory) >= self.MEMORY:
                self.memory.clear()
            self.memory[key] = known
        return known

    def parse(self, data: dict[str, str]) -> tuple[dict, list[dict]]:
        """Typed values and errors of one row given as {template column: text}."""
        present, absent_required = self._columns(data)
        values: dict = {}
        errors: list[dict] = [
            {"field": name, "message": str(_("This column is required."))}
            for name in absent_required
        ]
        memory = self.memory
        for name, column, required in present:
            text = data[name]
            text = text.strip() if text else ""
            if not text:
                if required:
                    errors.append({"field": name, "message": str(_("This column is required."))})
                continue
            known = memory.get((name, text))
            if known is None:
                known = self.value(column, text)
            if known[0]:
                values[name] = known[1]
            else:
                errors.append({"field": name, "message": known[1]})
        if errors and absent_required:
            order = list(BY_NAME)
            errors.sort(key=lambda error: order.index(error["field"]))
        for name, message in self.identifier_errors(values):
            errors.append({"field": name, "message": message})
        return values, errors

    def _columns(self, data: dict) -> tuple[list[tuple], list[str]]:
        """The row's columns in template order (with whether a row needs each), and the
        required ones it lacks: the same for every row of a file, worked out once."""
        keys = tuple(data)
        plan = self.layouts.get(keys)
        if plan is None:
            present = [
                (name, column, column.required and name in ROW_REQUIRED)
                for name, column in BY_NAME.items()
                if name in data
            ]
            absent = [
                name
                for name, column in BY_NAME.items()
                if name not in data and column.required and name in ROW_REQUIRED
            ]
            plan = self.layouts[keys] = (present, absent)
        return plan

    def identifier_errors(self, values: dict):
        for name, compact, validate in IDENTIFIER_CHECKS:
            if not values.get(name):
                continue
            key = ("valid " + name, values[name])
            known = self.memory.get(key)
            if known is None:
                value = compact(values[name])
                try:
                    validate(value)
                    known = (True, value)
                except ValidationError as error:
                    known = (False, " ".join(error.messages))
                self.memory[key] = known
            if known[0]:
                values[name] = known[1]
            else:
                yield name, known[1]


def parse_cells(data: dict[str, str]) -> tuple[dict, list[dict]]:
    return CellReader().parse(data)


def row_data(table: Table, cells: list[str]) -> tuple[dict[str, str], list[dict]]:
    """The row's text per template column, and an error when its width is not the header's."""
    errors = []
    width = len(table.headers)
    extra = len(cells) > width and any(c.strip() for c in cells[width:])
    if extra or len(cells) < width:
        errors.append(
            {
                "field": "",
                "message": str(
                    _("This line has %(n)s cells, the header has %(width)s.")
                    % {"n": len(cells), "width": width}
                ),
            }
        )
    if len(table.positions) == len(table.extract):  # every column is a cell of the file
        if len(cells) < width:
            cells = [*cells, *[""] * (width - len(cells))]
        return {name: cells[position] for name, position in table.positions.items()}, errors
    data = {name: extract(cells) for name, extract in table.extract.items()}
    return data, errors
