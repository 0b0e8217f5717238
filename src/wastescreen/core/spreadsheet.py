"""Cells that are safe to open in a spreadsheet program.

A text cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is read as a
formula by Excel and LibreOffice: a proposal title like ``=HYPERLINK(...)`` would run when a
reviewer opens an export. Every CSV or XLSX the service writes goes through ``safe_cell``; an
XLSX text cell is also stored as text, never as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` with a leading apostrophe when it is text a spreadsheet would run."""
    if isinstance(value, str) and value[:1] in _FORMULA_STARTS:
        return "'" + value
    return value


def safe_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows whose text cells cannot be read as formulas."""
    return [{k: safe_cell(v) for k, v in row.items()} for row in rows]


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with a byte-order mark (so that Excel reads Vietnamese right), formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]], *,
               formats: Mapping[int, str] | None = None,
               widths: Mapping[int, float] | None = None) -> bytes:
    """One sheet: a bold header, then ``rows`` (numbers stay numbers, shown with
    ``formats[column]``, e.g. ``"0.0%"``; text is formula-safe and stored as text); frozen
    header row, column ``widths`` in characters."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    for i, width in (widths or {}).items():
        sheet.column_dimensions[get_column_letter(i + 1)].width = width

    def cell(value: Any, column: int, bold: bool = False) -> Any:  # a write-only Cell
        c = WriteOnlyCell(sheet, value=safe_cell(value))
        if isinstance(value, str):
            c.data_type = "s"  # text, even when it looks like a formula
        elif formats and column in formats and value is not None:
            c.number_format = formats[column]
        if bold:
            c.font = Font(bold=True)
        return c

    sheet.append([cell(h, i, bold=True) for i, h in enumerate(header)])
    for row in rows:
        sheet.append([cell(v, i) for i, v in enumerate(row)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
