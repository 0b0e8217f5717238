"""The portfolio of a budget cycle and the public indicators: risk by agency, managing level,
province and technology area, and the clusters of same-cycle proposals that overlap one another.

Nothing here identifies a proposal to the public: the indicators are per agency.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wastescreen.core.spreadsheet import safe_cell
from wastescreen.screening.review import SUBMISSION, submissions_query
from wastescreen.storage.tables import DecisionRow, ProposalRow, ScreeningRow

CLUSTER_THRESHOLD = 0.5


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


def portfolio_of(session: Session, cycle: int | None, agency: str | None,
              threshold: float = CLUSTER_THRESHOLD) -> Portfolio:
    """Risk by agency, managing level, province and area, and the overlap clusters."""
    query = submissions_query()
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
        writer.writerow(["" if cycle is None else cycle, safe_cell(i.agency), i.screened, i.high,
                         share(i.high_share), i.decided, i.overrides, share(i.override_share)])
    return buf.getvalue()
