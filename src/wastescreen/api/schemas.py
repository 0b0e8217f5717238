"""Request and response bodies of API v1 (the screening result itself is ``domain.result``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from wastescreen.domain.fields import DomainModel
from wastescreen.domain.result import ScreeningResult
from wastescreen.screening.review import ScreeningView
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
                                     "second reviewer (the band was raised by a high flag).")
    confirms: int | None = Field(default=None, description="The approval this one confirms.")
    id: int | None = None


class ScreeningOut(BaseModel):
    id: str
    proposal_id: str
    kind: str
    status: str
    created_at: dt.datetime
    result: ScreeningResult
    decision: DecisionOut | None = None
    decisions: list[DecisionOut] = Field(default=[], description="Every decision, oldest first.")


def decision_out(d: DecisionRow) -> DecisionOut:
    return DecisionOut(id=d.id, decision=d.decision, rationale=d.rationale, override=d.override,
                       decided_by=d.decided_by, decided_at=as_utc(d.created_at),
                       needs_confirmation=d.needs_confirmation, confirms=d.confirms)


def screening_out(view: ScreeningView) -> ScreeningOut:
    """The body of one screening as its caller may see it."""
    row = view.row
    return ScreeningOut(
        id=row.id, proposal_id=row.proposal_id, kind=row.kind, status=row.status,
        created_at=as_utc(row.created_at), result=view.result,
        decision=None if view.decision is None else decision_out(view.decision),
        decisions=[decision_out(d) for d in view.decisions])


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
