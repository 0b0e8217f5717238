"""Import registry labs or programs from a CSV or XLSX file, with a data-quality report.

Columns are documented in the README. Each row is validated on its own: a bad row is reported
with its row number and reason and the good rows still import, all in one transaction. Rows are
keyed by ``lab_code`` / ``program_code``, so importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from wastescreen.core.labels.messages import Msg, Said, msg
from wastescreen.core.reference import resolve_province
from wastescreen.domain.errors import field_errors
from wastescreen.domain.registry import Lab, Program
from wastescreen.storage.audit_log import append_event
from wastescreen.storage.registry_store import (
    UpsertResult,
    record_revision,
    upsert_lab,
    upsert_program,
)

Kind = Literal["lab", "program"]
KEY = {"lab": "lab_code", "program": "program_code"}
BOOL_TRUE = {"1", "true", "yes", "y", "có", "co", "x"}
BOOL_FALSE = {"0", "false", "no", "n", "không", "khong", ""}


class ImportFileError(ValueError):
    """The file as a whole cannot be read (wrong format, not UTF-8, broken); ``message`` says
    why, in both languages."""

    def __init__(self, message: Msg) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass
class RowProblem:
    """One row's problem: its spreadsheet ``row``, the ``field``, the ``rule`` (a validation
    rule's code or a ``core.labels.problems`` key) and the ``reason`` in either language."""

    row: int
    field: str
    rule: str
    reason: Said


@dataclass
class ImportReport:
    kind: Kind
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RowProblem] = field(default_factory=list)
    merged: list[RowProblem] = field(default_factory=list)
    notes: list[RowProblem] = field(default_factory=list)
    revision: int | None = None

    @property
    def accepted(self) -> int:
        return self.inserted + self.updated + self.unchanged


def read_table(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """``read_table_bytes`` of a file on disk."""
    return read_table_bytes(path.name, path.read_bytes())


def _cell_text(value: object) -> str:
    """A spreadsheet cell as text: a date as ISO (no midnight time), 3.0 as 3."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table_bytes(filename: str, data: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(spreadsheet row number, {column: text})`` of a CSV (UTF-8) or XLSX file, by
    ``filename``'s suffix; the header is row 1, blank XLSX rows are skipped."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        text = data.decode("utf-8-sig")
        for i, raw in enumerate(csv.DictReader(io.StringIO(text)), start=2):
            yield i, {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
    elif suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [_cell_text(h) for h in next(rows, ())]
        for i, values in enumerate(rows, start=2):
            if all(_cell_text(v) == "" for v in values):
                continue
            yield i, {h: _cell_text(v) for h, v in zip(header, values, strict=False)}
        book.close()
    else:
        raise ImportFileError(msg("file_type", name=filename[:200], suffix=suffix[:20]))


def _bool(value: str) -> bool | str:
    low = value.strip().casefold()
    if low in BOOL_TRUE:
        return True
    if low in BOOL_FALSE:
        return False
    return value  # left for pydantic to reject with the field named


def parse_equipment(cell: str) -> list[dict[str, Any]]:
    """``CATEGORY|quantity|name[|specification]`` items separated by ``;``."""
    items: list[dict[str, Any]] = []
    for chunk in (c.strip() for c in cell.split(";")):
        if not chunk:
            continue
        parts = [p.strip() for p in chunk.split("|")]
        if len(parts) < 3:
            raise ValueError(f"equipment item '{chunk}' is not CATEGORY|quantity|name")
        items.append({"category": parts[0], "quantity": parts[1], "name": parts[2],
                      "specification": parts[3] if len(parts) > 3 else ""})
    return items


def _lab_payload(cells: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {k: v for k, v in cells.items() if v != "" and k != "equipment"}
    if "open_for_shared_use" in cells:
        data["open_for_shared_use"] = _bool(cells["open_for_shared_use"])
    data["equipment"] = parse_equipment(cells.get("equipment", ""))
    return data


def _program_payload(cells: dict[str, str]) -> dict[str, Any]:
    return {k: v for k, v in cells.items() if v != ""}


def _old_province_note(cells: dict[str, str]) -> Msg | None:
    name = cells.get("province", "")
    hit = resolve_province(name) if name else None
    if hit and hit[1]:
        return msg("import_old_province", name=name, now=hit[0].name_vi)
    return None


def _rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Every row of the file, or ``ImportFileError`` saying why it cannot be read."""
    try:
        return list(read_table(path))
    except ImportFileError:
        raise
    except UnicodeDecodeError as exc:  # a CSV saved as Windows-1258 or similar
        raise ImportFileError(msg("file_not_utf8", name=path.name[:200])) from exc
    except Exception as exc:  # csv, openpyxl and zipfile raise many kinds for a broken file
        raise ImportFileError(msg("file_unreadable", name=path.name[:200])) from exc


def import_registry_file(session: Session, path: Path, kind: Kind, *,
                         actor: str = "cli") -> ImportReport:
    """Validate and upsert every row of ``path``; commit once; return the data-quality report."""
    report = ImportReport(kind=kind)
    key_col = KEY[kind]
    seen: dict[str, tuple[int, str]] = {}
    model: type[BaseModel] = Lab if kind == "lab" else Program
    for row_no, cells in _rows(path):
        report.rows_read += 1
        try:
            payload = _lab_payload(cells) if kind == "lab" else _program_payload(cells)
            obj = model.model_validate(payload)
        except ValidationError as exc:
            report.rejected.extend(RowProblem(row_no, e.field or key_col, e.rule, e)
                                   for e in field_errors(exc))
            continue
        except ValueError as exc:
            report.rejected.append(RowProblem(row_no, "equipment", "format",
                                              msg("import_bad_format", reason=str(exc))))
            continue
        key = str(getattr(obj, key_col))
        dump = obj.model_dump_json()
        if key in seen:
            first_row, first_dump = seen[key]
            if first_dump == dump:
                report.merged.append(RowProblem(row_no, key_col, "same_key", msg(
                    "import_same_key", field=key_col, code=key, row=str(first_row))))
            else:
                report.rejected.append(RowProblem(row_no, key_col, "duplicate_key", msg(
                    "import_duplicate_key", field=key_col, code=key, row=str(first_row))))
            continue
        seen[key] = (row_no, dump)
        note = _old_province_note(cells)
        if note:
            report.notes.append(RowProblem(row_no, "province", "old_province", note))
        result = upsert_lab(session, obj) if isinstance(obj, Lab) else (
            upsert_program(session, obj) if isinstance(obj, Program) else UpsertResult.UNCHANGED)
        if result is UpsertResult.INSERTED:
            report.inserted += 1
        elif result is UpsertResult.UPDATED:
            report.updated += 1
        else:
            report.unchanged += 1
    if report.inserted or report.updated:
        summary = (f"import {path.name} ({kind}): {report.inserted} inserted, "
                   f"{report.updated} updated")
        report.revision = record_revision(session, summary).id
        append_event(session, actor=actor, action="registry.import", subject=path.name,
                     details={"kind": kind, "inserted": report.inserted,
                              "updated": report.updated, "rejected": len(report.rejected),
                              "revision": report.revision})
    session.commit()
    return report
