"""Cells that are safe to open in a spreadsheet program.

A text cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is read as a
formula by Excel and LibreOffice: a proposal title like ``=HYPERLINK(...)`` would run when a
reviewer opens an export. Every CSV or XLSX the service writes goes through ``safe_cell``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
