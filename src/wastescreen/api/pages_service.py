"""Queries and aggregations behind the reviewer's web pages (no web framework in here).

The queue with its filters, the portfolio view (risk by agency, province and technology area, and
clusters of same-cycle proposals that overlap one another), the public indicators per agency,
form-error mapping and the batch pre-check of a CSV/XLSX file in the flat format.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from pydantic import ValidationError
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from wastescreen.domain.flat_format import (
    BUDGET_PREFIX,
    FlatFormatError,
    proposal_payload_from_flat,
)
from wastescreen.domain.proposal import Proposal
from wastescreen.screening.engine import ScreeningEngine
from wastescreen.screening.service import screen_proposal
from wastescreen.storage.api_keys import Principal, Role
from wastescreen.storage.screenings import ScreeningKind, new_id, save_screening
from wastescreen.storage.tables import DecisionRow, ProposalRow, ScreeningRow

SUBMISSION = ScreeningKind.SUBMISSION.value
CLUSTER_THRESHOLD = 0.5
BATCH_MAX_ROWS = 500


# --- queue ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueFilter:
    cycle: int | None = None
    agency: str | None = None
    province: str | None = None
    area: str | None = None
    band: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class QueueItem:
    id: str
    title: str
    agency: str
    province: str
    area: str
    budget_vnd: int
    score: float
    band: str
    status: str


def _submissions() -> Select[ScreeningRow, ProposalRow]:
    return (select(ScreeningRow, ProposalRow)
            .join(ProposalRow, ProposalRow.id == ScreeningRow.proposal_id)
            .where(ScreeningRow.kind == SUBMISSION))


def agency_scope(principal: Principal) -> str | None:
    """The only agency a principal may see, or None when it may see all."""
    return principal.agency if principal.role is Role.AGENCY else None


def cycles(session: Session, agency: str | None) -> list[int]:
    """Budget cycles that have formal submissions (visible to ``agency``), newest first."""
    query = select(ScreeningRow.cycle).distinct().where(ScreeningRow.kind == SUBMISSION)
    if agency is not None:
        query = query.where(ScreeningRow.agency == agency)
    return sorted((int(c) for c in session.execute(query).scalars()), reverse=True)


def queue_page(session: Session, f: QueueFilter, *, offset: int, limit: int
               ) -> tuple[list[QueueItem], int]:
    """Formal submissions matching ``f``, riskiest first, and their total count."""
    query = _submissions()
    for column, value in ((ScreeningRow.cycle, f.cycle), (ScreeningRow.agency, f.agency),
                          (ProposalRow.province, f.province),
                          (ProposalRow.technology_area, f.area), (ScreeningRow.band, f.band),
                          (ScreeningRow.status, f.status)):
        if value is not None:
            query = query.where(column == value)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(ScreeningRow.overall_score.desc(), ScreeningRow.id)
                           .offset(offset).limit(limit)).all()
    return [QueueItem(id=s.id, title=p.title, agency=s.agency, province=p.province,
                      area=p.technology_area, budget_vnd=p.total_budget_vnd,
                      score=s.overall_score, band=s.band, status=s.status)
            for s, p in rows], int(total)


@dataclass(frozen=True)
class FilterOptions:
    agencies: list[str]
    provinces: list[str]
    areas: list[str]


def filter_options(session: Session, cycle: int | None, agency: str | None) -> FilterOptions:
    """The agencies, provinces and areas present among a cycle's submissions."""
    def values(column: Any) -> list[str]:
        query = (select(column).distinct().select_from(ScreeningRow)
                 .join(ProposalRow, ProposalRow.id == ScreeningRow.proposal_id)
                 .where(ScreeningRow.kind == SUBMISSION))
        if cycle is not None:
            query = query.where(ScreeningRow.cycle == cycle)
        if agency is not None:
            query = query.where(ScreeningRow.agency == agency)
        return sorted(str(v) for v in session.execute(query).scalars())

    return FilterOptions(values(ScreeningRow.agency), values(ProposalRow.province),
                         values(ProposalRow.technology_area))


# --- portfolio -----------------------------------------------------------------------------

@dataclass
class Group:
    key: str
    count: int = 0
    score_sum: float = 0.0
    high: int = 0
    budget_vnd: int = 0
    level: str = ""

    @property
    def mean_score(self) -> float:
        return self.score_sum / self.count if self.count else math.nan

    @property
    def high_share(self) -> float:
        return self.high / self.count if self.count else math.nan


@dataclass(frozen=True)
class Member:
    screening_id: str
    proposal_id: str
    title: str
    agency: str
    province: str
    budget_vnd: int
    score: float
    band: str


@dataclass
class Cluster:
    members: list[Member]
    best_overlap: float
    links: int

    @property
    def budget_vnd(self) -> int:
        return sum(m.budget_vnd for m in self.members)

    @property
    def agencies(self) -> int:
        return len({m.agency for m in self.members})


@dataclass
class Portfolio:
    cycle: int | None
    total: Group
    by_agency: list[Group]
    by_level: list[Group]
    by_province: list[Group]
    by_area: list[Group]
    clusters: list[Cluster]
    threshold: float


def _add(groups: dict[str, Group], key: str, s: ScreeningRow, p: ProposalRow) -> Group:
    g = groups.setdefault(key, Group(key))
    g.count += 1
    g.score_sum += s.overall_score
    g.high += s.band == "high"
    g.budget_vnd += p.total_budget_vnd
    return g


def _ranked(groups: dict[str, Group]) -> list[Group]:
    return sorted(groups.values(), key=lambda g: (-g.high_share, -g.mean_score, g.key))


def portfolio(session: Session, cycle: int | None, agency: str | None,
              threshold: float = CLUSTER_THRESHOLD) -> Portfolio:
    """Risk by agency, managing level, province and area, and the overlap clusters."""
    query = _submissions()
    if cycle is not None:
        query = query.where(ScreeningRow.cycle == cycle)
    if agency is not None:
        query = query.where(ScreeningRow.agency == agency)
    rows = session.execute(query).all()
    total = Group("*")
    by_agency: dict[str, Group] = {}
    by_level: dict[str, Group] = {}
    by_province: dict[str, Group] = {}
    by_area: dict[str, Group] = {}
    members: dict[str, Member] = {}
    for s, p in rows:
        total.count += 1
        total.score_sum += s.overall_score
        total.high += s.band == "high"
        total.budget_vnd += p.total_budget_vnd
        level = str(p.payload.get("managing_level", ""))
        _add(by_agency, s.agency, s, p).level = level
        _add(by_level, level, s, p)
        _add(by_province, p.province, s, p)
        _add(by_area, p.technology_area, s, p)
        members[s.proposal_id] = Member(s.id, s.proposal_id, p.title, s.agency, p.province,
                                        p.total_budget_vnd, s.overall_score, s.band)
    edges = overlap_edges(((s.proposal_id, s.result) for s, _ in rows), set(members),
                          threshold)
    return Portfolio(cycle, total, _ranked(by_agency), _ranked(by_level), _ranked(by_province),
                     _ranked(by_area), clusters_of(members, edges), threshold)


def overlap_edges(results: Iterable[tuple[str, Mapping[str, Any]]], known: set[str],
                  threshold: float) -> dict[tuple[str, str], float]:
    """(proposal id, proposal id) -> overlap score, for stored same-cycle matches >= threshold
    between two proposals both in ``known`` (the pair in sorted order, best score kept)."""
    edges: dict[tuple[str, str], float] = {}
    for pid, result in results:
        for ev in result.get("evidence", []):
            other = str(ev.get("code", ""))
            score = float(ev.get("score", 0.0))
            if ev.get("kind") != "proposal" or other == pid or other not in known:
                continue
            if score < threshold:
                continue
            a, b = sorted((pid, other))
            edges[(a, b)] = max(score, edges.get((a, b), 0.0))
    return edges


def clusters_of(members: Mapping[str, Member], edges: Mapping[tuple[str, str], float]
                ) -> list[Cluster]:
    """Connected components of two or more proposals, largest total budget first."""
    parent = {pid: pid for pid in members}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = defaultdict(list)
    for pid in members:
        groups[root(pid)].append(pid)
    out = []
    for pids in groups.values():
        if len(pids) < 2:
            continue
        inside = set(pids)
        scores = [s for (a, b), s in edges.items() if a in inside and b in inside]
        out.append(Cluster(sorted((members[p] for p in pids), key=lambda m: -m.budget_vnd),
                           max(scores), len(scores)))
    return sorted(out, key=lambda c: (-c.budget_vnd, c.members[0].proposal_id))


# --- public indicators ---------------------------------------------------------------------

@dataclass
class Indicator:
    agency: str
    screened: int = 0
    high: int = 0
    decided: int = 0
    overrides: int = 0

    @property
    def high_share(self) -> float:
        return self.high / self.screened if self.screened else math.nan

    @property
    def override_share(self) -> float:
        return self.overrides / self.decided if self.decided else math.nan


def indicators(session: Session, cycle: int | None) -> tuple[list[Indicator], Indicator]:
    """Per agency: formal submissions screened, high-risk ones, decisions and overrides (the
    latest decision of each screening counts). Nothing that identifies a proposal."""
    query = select(ScreeningRow.id, ScreeningRow.agency, ScreeningRow.band).where(
        ScreeningRow.kind == SUBMISSION)
    if cycle is not None:
        query = query.where(ScreeningRow.cycle == cycle)
    rows = session.execute(query).all()
    latest = (select(DecisionRow.screening_id, func.max(DecisionRow.id).label("last"))
              .group_by(DecisionRow.screening_id).subquery())
    overrides = {sid: bool(flag) for sid, flag in session.execute(
        select(DecisionRow.screening_id, DecisionRow.override)
        .join(latest, latest.c.last == DecisionRow.id))}
    by_agency: dict[str, Indicator] = {}
    total = Indicator("*")
    for sid, agency, band in rows:
        for ind in (by_agency.setdefault(agency, Indicator(agency)), total):
            ind.screened += 1
            ind.high += band == "high"
            if sid in overrides:
                ind.decided += 1
                ind.overrides += bool(overrides[sid])
    return sorted(by_agency.values(), key=lambda i: i.agency), total


def indicators_csv(items: Sequence[Indicator], cycle: int | None) -> str:
    """The indicators as CSV (UTF-8, shares as decimals with 4 digits, empty when undefined)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["cycle", "agency", "proposals_screened", "high_risk", "high_risk_share",
                     "decided", "overrides", "override_share"])

    def share(x: float) -> str:
        return "" if math.isnan(x) else f"{x:.4f}"

    for i in items:
        writer.writerow(["" if cycle is None else cycle, _csv_safe(i.agency), i.screened, i.high,
                         share(i.high_share), i.decided, i.overrides, share(i.override_share)])
    return buf.getvalue()


def _csv_safe(text: str) -> str:
    """Neutralise spreadsheet formulas (a cell starting with = + - @ is read as one)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# --- validation errors ---------------------------------------------------------------------

@dataclass(frozen=True)
class FieldError:
    field: str
    rule: str
    message: str
    path: str = ""


def form_field(loc: Sequence[int | str]) -> str:
    """The flat field (form input / CSV column) a pydantic error location points at."""
    parts = [str(p) for p in loc]
    if not parts:
        return ""
    if parts[0] == "budget" and len(parts) > 1:
        return BUDGET_PREFIX + parts[1]
    return parts[0]


def field_errors(exc: ValidationError) -> list[FieldError]:
    return [FieldError(form_field(e["loc"]), e["type"], e["msg"],
                       ".".join(str(p) for p in e["loc"])) for e in exc.errors()]


# --- batch pre-check -----------------------------------------------------------------------

class BatchFileError(ValueError):
    """The file as a whole cannot be read (format, size)."""


@dataclass
class BatchRow:
    line: int
    title: str = ""
    screening_id: str | None = None
    score: float | None = None
    band: str | None = None
    errors: list[FieldError] = field(default_factory=list)


@dataclass
class BatchReport:
    rows: list[BatchRow]

    @property
    def screened(self) -> int:
        return sum(r.screening_id is not None for r in self.rows)

    @property
    def failed(self) -> int:
        return sum(bool(r.errors) for r in self.rows)


def _plain(value: Any) -> Any:
    """A spreadsheet cell as the flat format expects it (dates as ISO text, 3.0 as 3)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def read_batch_file(filename: str, data: bytes, max_rows: int = BATCH_MAX_ROWS
                    ) -> list[dict[str, Any]]:
    """The rows of a CSV (UTF-8) or XLSX file, as flat-format records."""
    name = filename.lower()
    try:
        if name.endswith(".xlsx"):
            frame = pd.read_excel(io.BytesIO(data), dtype=object, engine="openpyxl")
        elif name.endswith(".csv"):
            frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False,
                                encoding="utf-8-sig")
        else:
            raise BatchFileError("expected a .csv or .xlsx file")
    except BatchFileError:
        raise
    except Exception as exc:  # pandas/openpyxl raise many kinds for a malformed file
        raise BatchFileError(f"cannot read the file: {type(exc).__name__}") from exc
    if len(frame) > max_rows:
        raise BatchFileError(f"the file has {len(frame)} rows; at most {max_rows} are accepted")
    return [{str(k): _plain(v) for k, v in rec.items()}
            for rec in frame.to_dict(orient="records")]


def validate_row(record: Mapping[str, Any], principal: Principal
                 ) -> tuple[Proposal | None, list[FieldError]]:
    """A flat row as a proposal, or the errors naming its fields and rules."""
    try:
        proposal = Proposal.model_validate(proposal_payload_from_flat(record))
    except FlatFormatError as exc:
        return None, [FieldError(exc.field, "invalid_json", str(exc))]
    except ValidationError as exc:
        return None, field_errors(exc)
    if principal.role is Role.AGENCY and proposal.agency != principal.agency:
        return None, [FieldError("agency", "not_your_agency",
                                 "an agency key may only pre-check its own agency's proposals")]
    return proposal, []


def process_batch(session: Session, engine: ScreeningEngine, records: Sequence[Mapping[str, Any]],
                  principal: Principal) -> BatchReport:
    """Validate every row and screen each valid one as a pre-check (stored, never queued).
    Row numbers are spreadsheet lines: line 1 is the header."""
    out = []
    for i, record in enumerate(records, start=2):
        row = BatchRow(line=i, title=str(record.get("title") or ""))
        proposal, row.errors = validate_row(record, principal)
        if proposal is not None:
            pid = new_id()
            result = screen_proposal(engine, proposal, pid)
            saved = save_screening(session, proposal, pid, result, ScreeningKind.PRECHECK,
                                   actor=principal.actor, api_key_id=principal.key_id)
            row.screening_id, row.score, row.band = saved.id, result.overall_score, result.band
        out.append(row)
    return BatchReport(out)
