"""A budget cycle's queue as a spreadsheet: one row per formal submission, riskiest first, with
the same filters as the queue page, in the reader's language.

Each row: rank, reference code, title, agency, province, area, budget, the overall score and
each kind of waste, the final band and the model's, the fired red flags, the top reasons, the
status and the latest decision (override or not, when, by whom). Only the parts of each stored
result the export shows are read from the database (scores and reasons, not the evidence), a
few hundred rows at a time.

XLSX keeps numbers as numbers (scores as percentages, budgets in đồng) so a reviewer can sort
and sum; CSV writes every value as the page shows it (``8,85 tỷ đồng``, ``82 %``), UTF-8 with a
byte-order mark. Both are formula-safe (``core.spreadsheet``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wastescreen.core import reference
from wastescreen.core.labels import report as L
from wastescreen.core.labels.pages import TEXT
from wastescreen.core.locale_format import Lang, datetime_text, percent, vnd, yes_no
from wastescreen.core.spreadsheet import csv_bytes, xlsx_bytes
from wastescreen.features.catalogue import TARGETS
from wastescreen.features.red_flags import flag_catalogue
from wastescreen.screening.review import QUEUE_ORDER, QueueFilter, filtered, latest_decisions
from wastescreen.storage.tables import ProposalRow, ScreeningRow

TOP_REASONS = 3
CHUNK = 500
# (label key of core.labels.pages, kind): kind says how the value is written.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("rank", "int"), ("x_reference_code", "text"), ("title", "text"), ("x_agency", "text"),
    ("x_province", "text"), ("x_area", "text"), ("x_budget", "vnd"), ("score", "share"),
    *((f"x_score_{t}", "share") for t in TARGETS), ("x_band", "text"),
    ("x_model_band", "text"), ("x_flags", "text"), ("x_reasons", "text"), ("status", "text"),
    ("x_decision", "text"), ("x_override", "text"), ("x_decided_at", "text"),
    ("x_decided_by", "text"), ("x_screening_id", "text"))
WIDTHS = {1: 18, 2: 48, 3: 30, 4: 14, 5: 22, 6: 16, 11: 12, 12: 12, 13: 36, 14: 70,
          16: 22, 18: 24, 20: 38}


@dataclass(frozen=True)
class Export:
    """One cycle's export: file name (without suffix), header and typed rows."""

    name: str
    header: list[str]
    rows: list[list[Any]]

    def csv(self, lang: Lang) -> bytes:
        """Every value as the page writes it."""
        kinds = [kind for _, kind in COLUMNS]
        return csv_bytes(self.header, ([_text(v, k, lang) for v, k in zip(row, kinds,
                                                                         strict=True)]
                                       for row in self.rows))

    def xlsx(self) -> bytes:
        """Numbers as numbers: shares as percentages, budgets in đồng with thousands marks."""
        formats = {i: "0.0%" if kind == "share" else "#,##0"
                   for i, (_, kind) in enumerate(COLUMNS) if kind in ("share", "vnd")}
        return xlsx_bytes(self.name, self.header, self.rows, formats=formats, widths=WIDTHS)


def _text(value: Any, kind: str, lang: Lang) -> Any:
    if value is None or value == "":
        return ""
    if kind == "share":
        return percent(float(value), lang, 1)
    if kind == "vnd":
        return vnd(float(value), lang)
    return value


def cycle_export(session: Session, f: QueueFilter, lang: Lang) -> Export:
    """The queue filtered by ``f`` (its cycle, agency scope ...), every row of it."""
    decision = latest_decisions()
    query = filtered(session, select(
        ScreeningRow.id, ScreeningRow.overall_score, ScreeningRow.band, ScreeningRow.model_band,
        ScreeningRow.fired_flags, ScreeningRow.status, ScreeningRow.agency,
        ScreeningRow.result["scores"], ScreeningRow.result["reasons"],
        ProposalRow.reference_code, ProposalRow.title, ProposalRow.province,
        ProposalRow.technology_area, ProposalRow.total_budget_vnd,
        decision.c.decision, decision.c.override, decision.c.created_at,
        decision.c.decided_by)
        .join(ProposalRow, ProposalRow.id == ScreeningRow.proposal_id)
        .outerjoin(decision, decision.c.screening_id == ScreeningRow.id), f).order_by(*QUEUE_ORDER)
    flags = {fl.id: fl.name[lang] for fl in flag_catalogue().flags}
    rows = [_row(rank, r, lang, flags)
            for rank, r in enumerate(_chunked(session, query), start=1)]
    header = [TEXT[key][lang] for key, _ in COLUMNS]
    name = TEXT["x_name"][lang].format(cycle=f.cycle if f.cycle is not None else "")
    return Export(name=name, header=header, rows=rows)


def _chunked(session: Session, query: Any) -> Iterator[Any]:
    result = session.execute(query.execution_options(yield_per=CHUNK))
    for partition in result.partitions():
        yield from partition


def _flag_names(ids: Sequence[str], names: Mapping[str, str]) -> str:
    return "; ".join(f"{i} {names.get(i, '')}".strip() for i in ids)


def _row(rank: int, r: Any, lang: Lang, flags: Mapping[str, str]) -> list[Any]:
    (sid, overall, band, model_band, fired, status, agency, scores, reasons, code, title,
     province, area, budget, decided, override, decided_at, decided_by) = r
    scores = scores or {}
    said = [str(x.get("text_vi" if lang == "vi" else "text_en", ""))
            for x in (reasons or [])[:TOP_REASONS]]
    return [
        rank, code or "", title, agency, province, reference.area_name(area, lang), budget,
        overall, *(scores.get(t) for t in TARGETS), L.lookup(L.BANDS, band, lang),
        L.lookup(L.BANDS, model_band, lang) if model_band else "",
        _flag_names(list(fired or ()), flags), " · ".join(s for s in said if s),
        TEXT.get(f"status_{status}", {}).get(lang, status),
        L.lookup(L.DECISIONS, decided, lang) if decided else "",
        yes_no(bool(override), lang) if decided else "",
        datetime_text(decided_at, lang) if decided_at is not None else "",
        decided_by or "", sid]
