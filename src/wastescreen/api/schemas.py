"""Request and response bodies of API v1 (the screening result itself is ``domain.result``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from wastescreen.domain.fields import DomainModel
from wastescreen.domain.proposal import Proposal
from wastescreen.domain.result import ScreeningResult
from wastescreen.screening.review import ScreeningView
from wastescreen.screening.revisions import RevisionView
from wastescreen.storage.screenings import Decision
from wastescreen.storage.tables import DecisionRow, as_utc


class DecisionIn(DomainModel):
    decision: Decision
    rationale: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                max_length=10_000)] = Field(
        description="Why; required, shown in the report and the audit trail.")


class DecisionOut(BaseModel):
    decision: str
    rationale: str
    override: bool
    decided_by: str
    decided_at: dt.datetime
    needs_confirmation: bool = Field(default=False, description="An approval awaiting a "
                                     "second reviewer (a high red flag fired).")
    confirms: int | None = Field(default=None, description="The approval this one confirms.")
    id: int | None = None


class FlagAnswerIn(DomainModel):
    flag: str = Field(pattern=r"^RF[0-9]{2}$", description="A red flag that fired on the "
                      "version revised (``GET /v1/flags``), e.g. RF03.")
    justification: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10,
                                                    max_length=5_000)] = Field(
        description="Why the flag does not mean waste here (e.g. 'a follow-on of program "
        "PRG-00012, delivered in 2024, approved by decision 123/QĐ-BKHCN').")


class RevisionIn(DomainModel):
    proposal: Proposal = Field(description="The revised proposal, whole (same agency and "
                               "cycle).")
    answers: Annotated[list[FlagAnswerIn], Field(max_length=50)] = Field(
        default=[], description="Justifications, one per flag that fired on the version "
        "revised; unanswered flags are shown as unanswered.")


class ChangeOut(BaseModel):
    field: str
    before: Any = Field(description="The value before; for equipment, KPIs and researchers "
                        "the items removed.")
    after: Any = Field(description="The value now; for lists the items added.")


class FlagMoveOut(BaseModel):
    flag: str
    fired_before: bool
    fires_now: bool
    justification: str | None
    answered_by: str = ""


class RevisionOut(BaseModel):
    revises: str = Field(description="The screening of the version revised.")
    sent_back: DecisionOut | None = Field(description="The decision that sent it back, with "
                                          "the reviewer's notes.")
    previous_overall_score: float
    previous_band: str
    previous_scores: dict[str, float]
    overall_score_change: float = Field(description="This version's score less the "
                                        "previous one's.")
    changes: list[ChangeOut]
    flags: list[FlagMoveOut]


class ScreeningOut(BaseModel):
    id: str
    proposal_id: str
    kind: str
    status: str
    created_at: dt.datetime
    result: ScreeningResult
    decision: DecisionOut | None = None
    decisions: list[DecisionOut] = Field(default=[], description="Every decision, oldest first.")
    sent_back: DecisionOut | None = Field(default=None, description="When the latest decision "
                                          "sends it back for revision: that decision, with the "
                                          "reviewer's notes (file the revised version with "
                                          "POST /v1/screenings/{id}/revisions).")
    revision: RevisionOut | None = None
    revised_by: str | None = Field(default=None, description="The revised version that "
                                   "superseded this one.")


def decision_out(d: DecisionRow) -> DecisionOut:
    return DecisionOut(id=d.id, decision=d.decision, rationale=d.rationale, override=d.override,
                       decided_by=d.decided_by, decided_at=as_utc(d.created_at),
                       needs_confirmation=d.needs_confirmation, confirms=d.confirms)


def revision_out(r: RevisionView) -> RevisionOut:
    return RevisionOut(
        revises=r.previous_id,
        sent_back=None if r.sent_back is None else decision_out(r.sent_back),
        previous_overall_score=r.previous_score, previous_band=r.previous_band,
        previous_scores=r.previous_scores, overall_score_change=r.score - r.previous_score,
        changes=[ChangeOut(field=c.field, before=c.before, after=c.after) for c in r.changes],
        flags=[FlagMoveOut(flag=f.flag_id, fired_before=f.fired_before, fires_now=f.fires_now,
                           justification=f.justification, answered_by=f.answered_by)
               for f in r.flags])


def screening_out(view: ScreeningView) -> ScreeningOut:
    """The body of one screening as its caller may see it."""
    row = view.row
    back = view.decision if view.decision is not None and row.status == "decided" and \
        view.decision.decision == Decision.REVISE.value else None
    return ScreeningOut(
        id=row.id, proposal_id=row.proposal_id, kind=row.kind, status=row.status,
        created_at=as_utc(row.created_at), result=view.result,
        decision=None if view.decision is None else decision_out(view.decision),
        decisions=[decision_out(d) for d in view.decisions],
        sent_back=None if back is None else decision_out(back),
        revision=None if view.revision is None else revision_out(view.revision),
        revised_by=view.revised_by)


class ScreeningSummary(BaseModel):
    id: str
    proposal_id: str
    reference_code: str = ""
    cycle: int
    agency: str
    title: str
    overall_score: float
    band: str
    status: str
    created_at: dt.datetime
    decision: str | None = Field(default=None, description="The latest decision (revise: "
                                 "sent back to the agency).")
    revises: str | None = Field(default=None, description="The screening of the version "
                                "this one revises.")


class ScreeningPage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[ScreeningSummary]


class AuditEventOut(BaseModel):
    seq: int
    created_at: dt.datetime
    actor: str
    action: str
    subject: str
    details: dict[str, Any]
    prev_hash: str
    hash: str


class AuditPage(BaseModel):
    total: int
    chain_intact: bool
    records_intact: bool = True
    problems: list[str]
    items: list[AuditEventOut]


class KeyIn(DomainModel):
    role: str = Field(pattern="^(agency|reviewer|auditor|admin)$")
    agency: str | None = Field(default=None, max_length=500)
    label: str = Field(default="", max_length=200)
    holder: str = Field(default="", max_length=200, description="The person who holds the "
                        "key: their decisions carry this name.")


class KeyCreated(BaseModel):
    id: int
    role: str
    agency: str | None
    key: str = Field(description="Shown once; only its SHA-256 is stored.")


class AgencyIn(DomainModel):
    name: str = Field(min_length=1, max_length=500,
                      description="The agency's name as it should be shown.")


class AgencyOut(BaseModel):
    name: str
    source: str = Field(description="registry, admin, demo or migrated; 'known' when the "
                        "name was known already")
