"""What a reader may see: the review queue, one screening, and the access rules behind both.

Agency keys see their own agency only (another agency's screening is "not found", so its
existence stays hidden), and in their own results a same-cycle proposal of another agency keeps
only its overlap scores. The API and the pages read through these functions alike.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, TypeVarTuple

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from wastescreen.core.agency import agency_key
from wastescreen.domain.proposal import Proposal
from wastescreen.domain.result import MatchComponent, ScreeningResult
from wastescreen.screening.revisions import RevisionView, revision_view, successor
from wastescreen.storage.agencies import canonical_name
from wastescreen.storage.api_keys import Principal, Role
from wastescreen.storage.revisions import REVISED
from wastescreen.storage.screenings import ScreeningKind, decisions_of
from wastescreen.storage.tables import DecisionRow, ProposalRow, ScreeningRow

SUBMISSION = ScreeningKind.SUBMISSION.value
Ts = TypeVarTuple("Ts")
# The queue: final band first (a flag-raised proposal sits with its band), then the score.
QUEUE_ORDER = (case({"high": 2, "medium": 1}, value=ScreeningRow.band, else_=0).desc(),
               ScreeningRow.overall_score.desc(), ScreeningRow.id)
OTHER_AGENCY = ("Một đề xuất của cơ quan khác trùng với đề xuất này / "
                "a proposal of another agency overlaps yours")


class NotFound(LookupError):
    """No such screening, or not one this caller may see."""

    field = "id"


def agency_scope(principal: Principal) -> str | None:
    """The only agency a principal may see, or None when it may see all."""
    return principal.agency if principal.role is Role.AGENCY else None


def can_see_agency(principal: Principal, agency: str) -> bool:
    """Agency keys see their own agency only; reviewer, auditor and admin see all."""
    scope = agency_scope(principal)
    return scope is None or agency_key(scope) == agency_key(agency)


def visible_screening(session: Session, principal: Principal, screening_id: str
                      ) -> ScreeningRow:
    """The screening, or ``NotFound`` (also when it belongs to another agency)."""
    row = session.get(ScreeningRow, screening_id[:64])
    if row is None or not can_see_agency(principal, row.agency):
        raise NotFound(f"no screening {screening_id[:64]}")
    return row


def redact_for(principal: Principal, result: ScreeningResult) -> ScreeningResult:
    """For an agency key, a same-cycle proposal of another agency is only "a proposal of
    another agency overlaps yours (score s)": no code, title, agency, place, distance, budget
    or equipment, and no component score (place, area, budget and equipment would each tell
    where it is or what it buys; all read 0, the agency component "not computed")."""
    if principal.role is not Role.AGENCY or principal.agency is None:
        return result
    own = agency_key(principal.agency)
    evidence = [e if e.kind != "proposal" or agency_key(e.host) == own else e.model_copy(
        update={"code": "", "name": OTHER_AGENCY, "host": "", "province": "",
                "distance": "unknown", "components": MatchComponent(), "budget_vnd": None,
                "shared_equipment": {}, "utilisation": None, "open_for_shared_use": None,
                "period": None, "status": None, "outcome": None}) for e in result.evidence]
    flags = [f.model_copy(update={"evidence": [
        e if e.kind != "proposal" or agency_key(e.agency) == own else e.model_copy(
            update={"code": "", "name": OTHER_AGENCY, "agency": ""}) for e in f.evidence]})
        for f in result.flags]
    return result.model_copy(update={"evidence": evidence, "flags": flags})


@dataclass(frozen=True)
class ScreeningView:
    """A stored screening as one caller may see it, with its latest decision."""

    row: ScreeningRow
    result: ScreeningResult
    decision: DecisionRow | None
    proposal: Proposal | None = None
    decisions: tuple[DecisionRow, ...] = ()  # the whole history, oldest first
    revision: RevisionView | None = None  # when it revises an earlier version
    revised_by: str | None = None  # the revised version that superseded it


def screening_view(session: Session, principal: Principal, row: ScreeningRow,
                   fresh: ScreeningResult | None = None) -> ScreeningView:
    """``row`` as ``principal`` may see it; ``fresh``: the result just stored in ``row`` (a new
    screening: no decision yet and nothing to read back)."""
    history = () if fresh is not None else tuple(decisions_of(session, row.id))
    result = fresh or ScreeningResult.model_validate(row.result)
    return ScreeningView(row, redact_for(principal, result), history[-1] if history else None,
                         decisions=history, revision=revision_view(session, row, result),
                         revised_by=successor(session, row))


def filed_proposal(session: Session, row: ScreeningRow) -> Proposal:
    """The proposal of a stored screening, as filed."""
    stored = session.get(ProposalRow, row.proposal_id)
    if stored is None:
        raise NotFound(f"no proposal for screening {row.id}")
    return Proposal.model_validate(stored.payload)


def with_proposal(session: Session, view: ScreeningView) -> ScreeningView:
    """``view`` with the proposal as filed (for the report; the caller may already see it)."""
    stored = session.get(ProposalRow, view.row.proposal_id)
    proposal = None if stored is None else Proposal.model_validate(stored.payload)
    return dataclasses.replace(view, proposal=proposal)


# --- the queue -----------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows; with no ``status`` asked for, every status but "revised" (a
    version a revised one superseded: its successor stands in the queue). ``kind``: formal
    submissions, or (an agency's own list) pre-checks."""

    cycle: int | None = None
    agency: str | None = None
    province: str | None = None
    area: str | None = None
    band: str | None = None
    status: str | None = None
    kind: str = SUBMISSION
    all_versions: bool = False  # superseded versions too (an agency's own history)


@dataclass(frozen=True)
class QueueItem:
    id: str
    proposal_id: str
    cycle: int
    title: str
    agency: str
    province: str
    area: str
    budget_vnd: int
    score: float
    band: str
    status: str
    created_at: Any
    model_band: str | None = None
    fired_flags: tuple[str, ...] = ()
    reference_code: str = ""
    decision: str | None = None  # the latest decision, if any
    revises: str | None = None


def latest_decisions() -> Any:
    """The latest decision of each screening (the highest id), as a subquery."""
    last = (select(DecisionRow.screening_id, func.max(DecisionRow.id).label("id"))
            .group_by(DecisionRow.screening_id).subquery())
    return (select(DecisionRow).join(last, last.c.id == DecisionRow.id)).subquery()


def screenings_query() -> Select[ScreeningRow, ProposalRow]:
    """Screenings of any kind joined with their proposals (SELECT screening, proposal);
    ``filtered`` narrows them to a kind."""
    return (select(ScreeningRow, ProposalRow)
            .join(ProposalRow, ProposalRow.id == ScreeningRow.proposal_id))


def submissions_query() -> Select[ScreeningRow, ProposalRow]:
    """Formal submissions joined with their proposals (SELECT screening, proposal)."""
    return screenings_query().where(ScreeningRow.kind == SUBMISSION)


def filtered(session: Session, query: Select[*Ts], f: QueueFilter
             ) -> Select[*Ts]:
    """``query`` (over screenings joined with proposals) narrowed to ``f`` (an agency is
    matched in any spelling of its name); the queue and its export share it."""
    agency = None if f.agency is None else canonical_name(session, f.agency)
    query = query.where(ScreeningRow.kind == f.kind)
    for column, value in ((ScreeningRow.cycle, f.cycle), (ScreeningRow.agency, agency),
                          (ProposalRow.province, f.province),
                          (ProposalRow.technology_area, f.area), (ScreeningRow.band, f.band),
                          (ScreeningRow.status, f.status)):
        if value is not None:
            query = query.where(column == value)
    if f.status is None and not f.all_versions:
        query = query.where(ScreeningRow.status != REVISED)
    return query


def queue(session: Session, f: QueueFilter, *, offset: int, limit: int,
          newest_first: bool = False) -> tuple[list[QueueItem], int]:
    """Screenings matching ``f``, riskiest first (``newest_first``: as filed, latest first),
    and their total count; each with its latest decision."""
    query = filtered(session, screenings_query(), f)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    decision = latest_decisions()
    order = (ScreeningRow.created_at.desc(), ScreeningRow.id) if newest_first else QUEUE_ORDER
    rows = session.execute(query.add_columns(decision.c.decision)
                           .outerjoin(decision, decision.c.screening_id == ScreeningRow.id)
                           .order_by(*order).offset(offset).limit(limit)).all()
    return [QueueItem(id=s.id, proposal_id=s.proposal_id, cycle=s.cycle, title=p.title,
                      agency=s.agency, province=p.province, area=p.technology_area,
                      budget_vnd=p.total_budget_vnd, score=s.overall_score, band=s.band,
                      status=s.status, created_at=s.created_at,
                      model_band=s.model_band, fired_flags=tuple(s.fired_flags or ()),
                      reference_code=p.reference_code or "", decision=decided,
                      revises=s.revises)
            for s, p, decided in rows], int(total)


def cycles(session: Session, agency: str | None) -> list[int]:
    """Budget cycles that have formal submissions (visible to ``agency``), newest first."""
    query = select(ScreeningRow.cycle).distinct().where(ScreeningRow.kind == SUBMISSION)
    if agency is not None:
        query = query.where(ScreeningRow.agency == agency)
    return sorted((int(c) for c in session.execute(query).scalars()), reverse=True)


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
