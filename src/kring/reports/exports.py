"""CSV and XLSX of the dashboard tables: exactly what the page shows, hidden cells hidden."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from .figures import SUPPRESSED_NOTE, Table

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def _safe(value):
    """Keep spreadsheet programs from reading a cell as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") and value not in ("–", "-"):
        return "'" + value
    return value


def table_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_safe(c) for c in table.columns])
    for row in table.text_rows():
        writer.writerow([_safe(c) for c in row])
    if table.has_suppressed:
        writer.writerow([str(SUPPRESSED_NOTE)])
    # A byte-order mark so that Excel reads the UTF-8 (é, –) right.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def tables_xlsx(tables: Sequence[Table], *, scope_line: str = "") -> bytes:
    """One sheet per table; shown figures as numbers (shares as fractions with a % format)."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for table in tables:
        name = table.title[:31].replace("/", "-").replace(":", "")
        base, n = name, 2
        while name in used:
            name = f"{base[:28]} {n}"
            n += 1
        used.add(name)
        sheet = book.create_sheet(name)
        sheet.append([_safe(c) for c in table.columns])
        # Row numbers counted here: `sheet.max_row` looks at every row, each time.
        for row, (raw, shown) in enumerate(zip(table.rows, table.value_rows(), strict=True), start=2):
            sheet.append([_safe(v) for v in shown])
            for col, cell in enumerate(raw, start=1):
                if getattr(cell, "kind", None) == "share" and cell.shown is not None:
                    sheet.cell(row=row, column=col).number_format = "0%"
        if table.has_suppressed:
            sheet.append([])
            sheet.append([str(SUPPRESSED_NOTE)])
        if scope_line:
            sheet.append([scope_line])
        for col in range(1, len(table.columns) + 1):
            sheet.column_dimensions[get_column_letter(col)].width = 18 if col > 1 else 40
    if not tables:
        book.create_sheet(_("Empty"))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
