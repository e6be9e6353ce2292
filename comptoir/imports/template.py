"""The import template a partner fills in: CSV and XLSX, with the specification alongside."""

import csv
import io

from django.utils.translation import gettext as _

from comptoir.imports.columns import COLUMNS


def template_csv() -> bytes:
    """UTF-8 with BOM and semicolons (what Excel opens correctly in France), one example row."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.name for c in COLUMNS])
    writer.writerow([c.example for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode()


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "import"
    sheet.append([c.name for c in COLUMNS])
    sheet.append([c.example for c in COLUMNS])
    for cell, column in zip(sheet[1], COLUMNS, strict=True):
        cell.font = Font(bold=column.required)
    sheet.freeze_panes = "A2"
    spec = book.create_sheet(_("specification")[:31])
    spec.append([_("column"), _("English name"), _("required"), _("content"), _("example")])
    for column in COLUMNS:
        spec.append(
            [
                column.name,
                column.english,
                _("yes") if column.required else _("no"),
                str(column.help),
                column.example,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
