"""Batches: a CSV/XLSX of proposals in the flat format, read, validated and summarised row by row.

There is one batch path. ``read_batch`` validates every row (an invalid one keeps its errors,
naming field and rule); ``Screener.screen_rows`` (``screening.usecases``) screens the valid
rows in bulk (``screening.bulk``: many rows per feature pass and per SHAP call), and every
caller runs it: the CLI, API batch jobs and Dask workers (each screens its chunks in bulk). The
page upload also stores each row as a pre-check (a whole result, under the agency's known
spelling), so its rows are screened in full one by one (``Screener.screen_row``). Output rows
have ``RESULT_COLUMNS``; bulk and per-row screening give the same ones for the same proposals.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from wastescreen.core.agency import agency_key
from wastescreen.core.labels.messages import Msg, msg
from wastescreen.core.spreadsheet import safe_rows
from wastescreen.domain.errors import FieldError, field_errors
from wastescreen.domain.flat_format import FlatFormatError, proposal_payload_from_flat
from wastescreen.domain.proposal import Proposal
from wastescreen.domain.result import Reason, ScreeningResult
from wastescreen.storage.registry_import import ImportFileError, read_table_bytes

RESULT_COLUMNS = ("row", "status", "reference_code", "agency", "title", "overall_score", "band",
                  "redundancy", "idle_assets", "non_delivery", "top_reason_vi", "top_reason_en",
                  "input_hash", "screening_id", "errors")


@dataclass
class BatchRow:
    """One input row: its spreadsheet row number (the header is row 1), the proposal when it
    validated, the errors when it did not."""

    row: int
    proposal: Proposal | None = None
    errors: list[FieldError] = field(default_factory=list)
    title: str = ""


class BatchFileError(ImportFileError):
    """A batch file that cannot be read as a whole; ``message`` says why, in both languages."""


def file_message(exc: ImportFileError) -> Msg:
    """What to tell a person about a refused file, in their language."""
    return exc.message


def read_batch(filename: str, data: bytes, *, max_rows: int) -> list[BatchRow]:
    """Validate every row of a CSV or XLSX file (``filename`` says which); ``BatchFileError``
    when the file as a whole cannot be read or has more than ``max_rows`` rows."""
    name, suffix = Path(filename).name[:200], Path(filename).suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xlsm"):
        raise BatchFileError(msg("file_type", name=name, suffix=suffix[:20]))
    try:
        table = list(read_table_bytes(filename, data))
    except UnicodeDecodeError as exc:  # a CSV saved as Windows-1258 or similar
        raise BatchFileError(msg("file_not_utf8", name=name)) from exc
    except Exception as exc:  # csv, openpyxl and zipfile raise many kinds for a broken file
        raise BatchFileError(msg("file_unreadable", name=name)) from exc
    if len(table) > max_rows:
        raise BatchFileError(msg("file_too_many_rows", name=name, n=len(table), max=max_rows))
    rows = []
    for row_no, cells in table:
        item = BatchRow(row=row_no, title=str(cells.get("title") or "")[:300])
        try:
            item.proposal = Proposal.model_validate(proposal_payload_from_flat(cells))
        except (ValidationError, FlatFormatError) as exc:
            item.errors = field_errors(exc)
        rows.append(item)
    return rows


def read_batch_file(path: Path, *, max_rows: int) -> list[BatchRow]:
    """``read_batch`` of a file on disk."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BatchFileError(msg("file_cannot_read", name=path.name,
                                 reason=exc.strerror or type(exc).__name__)) from exc
    return read_batch(path.name, data, max_rows=max_rows)


def only_agency(rows: Sequence[BatchRow], agency: str | None) -> None:
    """For an agency key (``agency`` given): rows of another agency become row errors."""
    if agency is None:
        return
    for item in rows:
        if item.proposal is not None and agency_key(item.proposal.agency) != agency_key(agency):
            item.errors = [FieldError("agency", "not_your_agency",
                                      "an agency key may only screen its own proposals")]
            item.proposal = None


def summarise(row: int, proposal: Proposal, result: ScreeningResult,
              screening_id: str = "") -> dict[str, Any]:
    """The output row of a screened proposal."""
    return output_row(row, proposal, overall=result.overall_score, band=result.band,
                      scores=result.scores, top=result.reasons[0] if result.reasons else None,
                      input_hash=result.input_hash, screening_id=screening_id)


def output_row(row: int, proposal: Proposal, *, overall: float, band: str,
               scores: Mapping[str, float], top: Reason | None, input_hash: str,
               screening_id: str = "") -> dict[str, Any]:
    """The output row (``RESULT_COLUMNS``) of a screened proposal from the numbers it shows:
    the one formatting of a row, whether a whole result (``summarise``) or a bulk screening
    (``screening.bulk``) gave them."""
    return {"row": row, "status": "screened", "reference_code": proposal.reference_code,
            "agency": proposal.agency, "title": proposal.title,
            "overall_score": round(overall, 6), "band": band,
            **{k: round(v, 6) for k, v in scores.items()},
            "top_reason_vi": top.text_vi if top else "",
            "top_reason_en": top.text_en if top else "",
            "input_hash": input_hash, "screening_id": screening_id, "errors": ""}


def error_row(item: BatchRow) -> dict[str, Any]:
    """The output row of a row that did not validate."""
    return {"row": item.row, "status": "invalid",
            "errors": "; ".join(f"{e.field}: {e.rule}" for e in item.errors)}


def results_csv(rows: Iterable[dict[str, Any]]) -> str:
    """Output rows as CSV text (``RESULT_COLUMNS``), formula-safe."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(RESULT_COLUMNS), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(safe_rows(rows))
    return buffer.getvalue()


def write_results(rows: Iterable[dict[str, Any]], out: Path) -> None:
    """CSV (by suffix ``.csv``) or JSON of the output rows."""
    if out.suffix.lower() == ".json":
        out.write_text(json.dumps(list(rows), ensure_ascii=False, indent=1), "utf-8")
    else:
        out.write_text(results_csv(rows), "utf-8")


def rows_to_json(rows: Sequence[BatchRow]) -> list[dict[str, Any]]:
    """The validated rows as stored with a batch job: row number, proposal payload or errors."""
    return [{"row": r.row, "errors": [e.as_dict() for e in r.errors],
             "proposal": None if r.proposal is None else r.proposal.model_dump(mode="json")}
            for r in rows]


def rows_from_json(data: Sequence[dict[str, Any]]) -> list[BatchRow]:
    """Inverse of ``rows_to_json``."""
    return [BatchRow(row=int(d["row"]),
                     errors=[FieldError(e["field"], e["rule"], e["message"]) for e in d["errors"]],
                     proposal=None if d["proposal"] is None
                     else Proposal.model_validate(d["proposal"])) for d in data]
