"""The portfolio of a budget cycle: risk by agency, managing level, province and technology
area, and the clusters of same-cycle proposals that overlap one another (the public indicators
are in ``screening.indicators``)."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from wastescreen.screening.review import SUBMISSION
from wastescreen.storage.tables import (
    ProposalOverlapRow,
    ProposalRow,
    ScreeningRow,
    SubmissionFactsRow,
)

# A cluster joins proposals that overlap at least this much: at 0.5 a cycle of the demo chains
# most of its proposals into a few large groups; at 0.75 it finds the duplicated ones.
CLUSTER_THRESHOLD = 0.75


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
    screened_at: dt.datetime  # when its screening ran: peers filed later are not in it


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

    def unseen_copies(self, member: Member) -> int:
        """How many other members were screened after ``member`` when its band is below high,
        else 0: its band could not count them (a screening compares a proposal with the
        cycle's proposals filed before it), so a reviewer is told beside the band, which
        would otherwise read as contradicting the cluster."""
        if member.band == "high":
            return 0
        return sum(1 for m in self.members if m.screened_at > member.screened_at)


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


def submission_filters(cycle: int | None, agency: str | None) -> list[Any]:
    """The WHERE conditions (on screenings) of a cycle's formal submissions seen by ``agency``
    (all agencies when None)."""
    conds: list[Any] = [ScreeningRow.kind == SUBMISSION]
    if cycle is not None:
        conds.append(ScreeningRow.cycle == cycle)
    if agency is not None:
        conds.append(ScreeningRow.agency == agency)
    return conds


HIGH = func.sum(case((ScreeningRow.band == "high", 1), else_=0))


def _cells(session: Session, conds: list[Any]) -> list[tuple[Any, ...]]:
    """(agency, managing level, province, area, count, score sum, high count, budget) per
    combination present: one aggregate query over compact data (the covering index of
    screenings and ``submission_facts``), rolled up by ``_rollup``."""
    keys = (ScreeningRow.agency, SubmissionFactsRow.managing_level, SubmissionFactsRow.province,
            SubmissionFactsRow.technology_area)
    query = (select(*keys, func.count(), func.sum(ScreeningRow.overall_score), HIGH,
                    func.sum(SubmissionFactsRow.total_budget_vnd))
             .select_from(ScreeningRow)
             .join(SubmissionFactsRow, SubmissionFactsRow.proposal_id == ScreeningRow.proposal_id)
             .where(*conds).group_by(*keys))
    return [tuple(r) for r in session.execute(query)]


def _rollup(cells: list[tuple[Any, ...]], by: int | None) -> list[Group]:
    """Groups by key column ``by`` of ``cells`` (one group of all when None); an agency's group
    carries its managing level (that of most of its submissions; ties: the first by name)."""
    groups: dict[str, Group] = {}
    levels: dict[str, Counter[str]] = defaultdict(Counter)
    for cell in cells:
        _agency, level, *_place, count, score_sum, high, budget = cell
        key = "*" if by is None else str(cell[by])
        g = groups.setdefault(key, Group(key))
        g.count += int(count)
        g.score_sum += float(score_sum or 0.0)
        g.high += int(high or 0)
        g.budget_vnd += int(budget or 0)
        levels[key][str(level)] += int(count)
    if by == 0:
        for key, g in groups.items():
            g.level = min(levels[key].items(), key=lambda kv: (-kv[1], kv[0]))[0]
    return list(groups.values()) or ([Group("*")] if by is None else [])


def _ranked(groups: Sequence[Group]) -> list[Group]:
    return sorted(groups, key=lambda g: (-g.high_share, -g.mean_score, g.key))


def portfolio_of(session: Session, cycle: int | None, agency: str | None,
                 threshold: float = CLUSTER_THRESHOLD) -> Portfolio:
    """Risk by agency, managing level, province and area, and the overlap clusters.

    Aggregated in SQL from compact data (``submission_facts``, the covering index of
    screenings), with the clusters read from ``proposal_overlaps`` (both written when each
    submission is stored): no stored result or payload is read, so the cost grows with the
    number of submissions' compact rows and strong overlaps, not with the results' size."""
    conds = submission_filters(cycle, agency)
    cells = _cells(session, conds)
    edges = overlap_edges(session, cycle, conds, threshold)
    return Portfolio(cycle, _rollup(cells, None)[0], _ranked(_rollup(cells, 0)),
                     _ranked(_rollup(cells, 1)), _ranked(_rollup(cells, 2)),
                     _ranked(_rollup(cells, 3)),
                     clusters_of(_members(session, {p for e in edges for p in e}), edges),
                     threshold)


def overlap_edges(session: Session, cycle: int | None, conds: list[Any], threshold: float
                  ) -> dict[tuple[str, str], float]:
    """(proposal id, proposal id) -> overlap score, for stored same-cycle overlaps >=
    ``threshold`` between two submissions both matching ``conds`` (the pair in sorted order,
    best score kept). The strong overlaps of the cycle come by index (few: duplicates are the
    exception); which of them lie inside the scope is checked against its set of ids."""
    inside = set(session.execute(select(ScreeningRow.proposal_id).where(*conds)).scalars())
    query = select(ProposalOverlapRow.proposal_id, ProposalOverlapRow.other_id,
                   ProposalOverlapRow.score).where(ProposalOverlapRow.score >= threshold)
    if cycle is not None:
        query = query.where(ProposalOverlapRow.cycle == cycle)
    edges: dict[tuple[str, str], float] = {}
    for pid, other, score in session.execute(query):
        if pid not in inside or other not in inside:
            continue
        a, b = sorted((str(pid), str(other)))
        edges[(a, b)] = max(float(score), edges.get((a, b), 0.0))
    return edges


def _members(session: Session, ids: set[str]) -> dict[str, Member]:
    """The cluster members' rows (only proposals that are in some edge), by proposal id."""
    members: dict[str, Member] = {}
    wanted = sorted(ids)
    for i in range(0, len(wanted), 500):  # bounded IN lists
        for r in session.execute(
                select(ScreeningRow.id, ScreeningRow.proposal_id, ProposalRow.title,
                       ScreeningRow.agency, ProposalRow.province, ProposalRow.total_budget_vnd,
                       ScreeningRow.overall_score, ScreeningRow.band, ScreeningRow.created_at)
                .join(ProposalRow, ProposalRow.id == ScreeningRow.proposal_id)
                .where(ScreeningRow.kind == SUBMISSION,
                       ScreeningRow.proposal_id.in_(wanted[i:i + 500]))):
            members[r.proposal_id] = Member(r.id, r.proposal_id, r.title, r.agency, r.province,
                                            r.total_budget_vnd, r.overall_score, r.band,
                                            r.created_at)
    return members


def clusters_of(members: Mapping[str, Member], edges: Mapping[tuple[str, str], float]
                ) -> list[Cluster]:
    """Connected components of two or more proposals, largest total budget first; members by
    budget, largest first (ties by id, so the order does not depend on how rows came)."""
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
        out.append(Cluster(sorted((members[p] for p in pids),
                                  key=lambda m: (-m.budget_vnd, m.proposal_id)),
                           max(scores), len(scores)))
    return sorted(out, key=lambda c: (-c.budget_vnd, c.members[0].proposal_id))
