"""Opening stock from a CSV file: one row per item, ``code_article;quantite[;cout_unitaire]``
(English headers too), in the encodings and separators partners' files come in. The whole
file is posted as receipts in one go, or refused with the line of each error."""

import csv
import io
from decimal import InvalidOperation

from django.utils.translation import gettext as _

from comptoir.catalog.models import Item
from comptoir.core.errors import BusinessError
from comptoir.imports.columns import normalise_header
from comptoir.imports.parsing import detect_delimiter, detect_stream_encoding, read_number
from comptoir.stock.models import StockMove, Warehouse
from comptoir.stock.services import Move, post_moves

HEADERS = {
    "code": {"code_article", "code", "item_code", "item", "article", "reference"},
    "quantity": {"quantite", "quantity", "qte", "stock"},
    "unit_cost": {"cout_unitaire", "unit_cost", "cout", "cost", "prix_achat"},
}
MAX_ERRORS = 20


def import_opening_stock(content: bytes, warehouse: Warehouse, *, by=None, day=None) -> list:
    """Post the file's quantities as receipts into ``warehouse``; refuses the whole file,
    naming up to 20 wrong lines, when any line is wrong."""
    encoding = detect_stream_encoding(io.BytesIO(content))
    text = content.decode(encoding, errors="replace").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=detect_delimiter(text[:4096])))
    if not rows:
        raise BusinessError("opening.empty", _("The file is empty."), "file")
    columns = {}
    for position, header in enumerate(rows[0]):
        name = normalise_header(header)
        for key, names in HEADERS.items():
            if name in names:
                columns.setdefault(key, position)
    if "code" not in columns or "quantity" not in columns:
        raise BusinessError(
            "opening.columns",
            _("The first line must name the columns code_article and quantite."),
            "file",
        )
    lines = [(number, row) for number, row in enumerate(rows[1:], start=2) if any(row)]
    items = Item.objects.in_bulk(
        {_cell(row, columns["code"]) for _n, row in lines}, field_name="code"
    )
    moves, errors = [], []
    for number, row in lines:
        code = _cell(row, columns["code"])
        item = items.get(code)
        try:
            quantity = read_number(_cell(row, columns["quantity"]))
            cost_text = _cell(row, columns["unit_cost"]) if "unit_cost" in columns else ""
            cost = read_number(cost_text) if cost_text else None
        except (InvalidOperation, ValueError):
            errors.append(_("line %(n)s: not a number") % {"n": number})
            continue
        if item is None:
            errors.append(_("line %(n)s: unknown item %(code)s") % {"n": number, "code": code})
        elif quantity <= 0:
            errors.append(_("line %(n)s: the quantity must be positive") % {"n": number})
        else:
            moves.append(
                Move(
                    item,
                    warehouse,
                    quantity,
                    StockMove.Kind.RECEIPT,
                    date=day,
                    unit_cost=cost,
                    reason=_("Opening stock"),
                )
            )
    if errors:
        shown = "; ".join(errors[:MAX_ERRORS]) + ("…" if len(errors) > MAX_ERRORS else "")
        raise BusinessError(
            "opening.invalid",
            _("Nothing was imported: %(errors)s.") % {"errors": shown},
            "file",
        )
    if not moves:
        raise BusinessError("opening.empty", _("The file has no quantities."), "file")
    return post_moves(moves, by=by)


def _cell(row: list[str], position: int) -> str:
    return row[position].strip() if position < len(row) else ""
