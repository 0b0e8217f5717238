"""Batches: a CSV/XLSX of proposals in the flat format, screened row by row as pre-checks.

Rows that fail validation are reported with their row number, field and rule; the others are
screened. With a Dask scheduler address the rows are screened on the cluster's workers, each of
which loads the same engine (database, index, model) once.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from wastescreen.domain.flat_format import FlatFormatError, proposal_payload_from_flat
from wastescreen.domain.proposal import Proposal
from wastescreen.screening.engine import ScreeningEngine
from wastescreen.screening.service import screen_proposal
from wastescreen.storage.registry_import import ImportFileError, read_table

MAX_ROWS = 100_000
RESULT_COLUMNS = ("row", "status", "reference_code", "agency", "title", "overall_score", "band",
                  "redundancy", "idle_assets", "non_delivery", "top_reason_vi", "top_reason_en",
                  "input_hash", "errors")


@dataclass
class BatchRow:
    row: int
    proposal: Proposal | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    result: dict[str, Any] | None = None


def read_batch(path: Path) -> list[BatchRow]:
    """Validate every row of ``path`` (CSV or XLSX, header on row 1)."""
    rows: list[BatchRow] = []
    try:
        table = list(read_table(path))
    except ImportFileError:
        raise
    except Exception as exc:  # csv, openpyxl and zipfile raise many kinds for a broken file
        raise ImportFileError(f"{path.name}: not a readable CSV/XLSX file ({exc})") from exc
    if len(table) > MAX_ROWS:
        raise ImportFileError(f"{path.name}: {len(table)} rows; at most {MAX_ROWS} per batch")
    for row_no, cells in table:
        item = BatchRow(row=row_no)
        try:
            item.proposal = Proposal.model_validate(proposal_payload_from_flat(cells))
        except ValidationError as exc:
            item.errors = [{"field": ".".join(str(p) for p in e["loc"]), "rule": e["type"],
                            "message": e["msg"]} for e in exc.errors()]
        except FlatFormatError as exc:
            item.errors = [{"field": exc.field, "rule": "json_array", "message": str(exc)}]
        rows.append(item)
    return rows


def summarise(row: int, proposal: Proposal, result: dict[str, Any]) -> dict[str, Any]:
    """One output row of a screened proposal."""
    reasons = result.get("reasons") or [{}]
    return {"row": row, "status": "screened", "reference_code": proposal.reference_code,
            "agency": proposal.agency, "title": proposal.title,
            "overall_score": round(result["overall_score"], 6), "band": result["band"],
            **{k: round(v, 6) for k, v in result["scores"].items()},
            "top_reason_vi": reasons[0].get("text_vi", ""),
            "top_reason_en": reasons[0].get("text_en", ""),
            "input_hash": result["input_hash"], "errors": ""}


def screen_rows(engine: ScreeningEngine, rows: Sequence[BatchRow],
                progress: Callable[[int], None] | None = None) -> list[dict[str, Any]]:
    """Screen the valid rows in this process; every input row gives one output row."""
    out = []
    for i, item in enumerate(rows):
        if item.proposal is None:
            out.append(error_row(item))
        else:
            result = screen_proposal(engine, item.proposal, f"batch-row-{item.row}")
            out.append(summarise(item.row, item.proposal, result.model_dump(mode="json")))
        if progress:
            progress(i + 1)
    return out


def error_row(item: BatchRow) -> dict[str, Any]:
    return {"row": item.row, "status": "invalid",
            "errors": "; ".join(f"{e['field']}: {e['rule']}" for e in item.errors)}


def write_results(rows: Iterable[dict[str, Any]], out: Path) -> None:
    """CSV (by suffix ``.csv``) or JSON of the output rows."""
    rows = list(rows)
    if out.suffix.lower() == ".json":
        out.write_text(json.dumps(rows, ensure_ascii=False, indent=1), "utf-8")
        return
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(RESULT_COLUMNS), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(csv_safe_rows(rows))
    out.write_text(buffer.getvalue(), "utf-8")


def _csv_safe(value: Any) -> Any:
    # A cell starting with = + - @ (or a tab/CR) is a formula to a spreadsheet program.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_safe_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows whose text cells cannot be read as formulas when opened in a spreadsheet."""
    return [{k: _csv_safe(v) for k, v in row.items()} for row in rows]
