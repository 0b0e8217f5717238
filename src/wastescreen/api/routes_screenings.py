"""Pre-checks, formal submissions, the review queue, reports and decisions (thin routes)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from sqlalchemy.exc import IntegrityError

from wastescreen.api.deps import SessionDep, can_see_agency, require
from wastescreen.api.errors import ERROR_RESPONSES, ApiError
from wastescreen.api.schemas import (
    DecisionIn,
    DecisionOut,
    ScreeningOut,
    ScreeningPage,
    ScreeningSummary,
)
from wastescreen.core.canonical import sha256_hex
from wastescreen.core.locale_format import Lang
from wastescreen.domain.proposal import Proposal
from wastescreen.domain.result import ScreeningResult
from wastescreen.screening.engine import ScreeningEngine
from wastescreen.screening.service import screen_proposal
from wastescreen.storage.api_keys import Principal, Role
from wastescreen.storage.screenings import (
    Decision,
    IdempotencyConflict,
    ScreeningFilter,
    ScreeningKind,
    find_idempotent,
    latest_decision,
    list_screenings,
    new_id,
    record_decision,
    save_screening,
)
from wastescreen.storage.tables import ScreeningRow, as_utc

router = APIRouter(prefix="/v1", tags=["screenings"], responses=ERROR_RESPONSES)
Submitter = Annotated[Principal, Depends(require(Role.AGENCY, Role.REVIEWER))]
AgencyOnly = Annotated[Principal, Depends(require(Role.AGENCY))]
Reader = Annotated[Principal, Depends(require(Role.AGENCY, Role.REVIEWER, Role.AUDITOR))]
ReviewerOnly = Annotated[Principal, Depends(require(Role.REVIEWER))]


def ready_engine(request: Request, session: SessionDep) -> ScreeningEngine:
    """The loaded engine, caught up with other workers' writes; 503 before a model exists."""
    engine: ScreeningEngine | None = getattr(request.app.state, "engine", None)
    if engine is None or engine.model is None:
        raise ApiError(503, "model_not_ready",
                       "no risk model is loaded yet: run `wastescreen train` and restart")
    engine.sync(session)
    return engine


EngineDep = Annotated[ScreeningEngine, Depends(ready_engine)]


def _own_agency(principal: Principal, proposal: Proposal) -> None:
    if not can_see_agency(principal, proposal.agency):
        raise ApiError(403, "forbidden", "an agency key may only file its own agency's proposals",
                       field="agency")


OTHER_AGENCY = "Đề xuất của cơ quan khác / another agency's proposal"


def redact_for(principal: Principal, result: ScreeningResult) -> ScreeningResult:
    """For an agency key, same-cycle proposals of other agencies keep only their scores: the
    agency learns that something overlaps, not what another agency filed."""
    if principal.role is not Role.AGENCY:
        return result
    evidence = [e if e.kind != "proposal" or e.host == principal.agency else e.model_copy(
        update={"code": "", "name": OTHER_AGENCY, "host": "", "province": "",
                "budget_vnd": None, "shared_equipment": {}}) for e in result.evidence]
    return result.model_copy(update={"evidence": evidence})


def screening_out(session: SessionDep, row: ScreeningRow, principal: Principal,
                  fresh: ScreeningResult | None = None) -> ScreeningOut:
    """The stored screening as the caller may see it (see ``redact_for``); ``fresh``: the
    result just stored in ``row`` (a new screening, so no decision yet and nothing to re-read)."""
    decision = None if fresh is not None else latest_decision(session, row.id)
    return ScreeningOut(
        id=row.id, proposal_id=row.proposal_id, kind=row.kind, status=row.status,
        created_at=as_utc(row.created_at),
        result=redact_for(principal, fresh or ScreeningResult.model_validate(row.result)),
        decision=None if decision is None else DecisionOut(
            decision=decision.decision, rationale=decision.rationale, override=decision.override,
            decided_by=decision.decided_by, decided_at=as_utc(decision.created_at)))


def visible_screening(session: SessionDep, principal: Principal, screening_id: str
                      ) -> ScreeningRow:
    """The screening, or 404 (also when it belongs to another agency: existence stays hidden)."""
    row = session.get(ScreeningRow, screening_id)
    if row is None or not can_see_agency(principal, row.agency):
        raise ApiError(404, "not_found", f"no screening {screening_id}", field="id")
    return row


@router.post("/prechecks", response_model=ScreeningOut, status_code=201)
def precheck(proposal: Proposal, principal: Submitter, session: SessionDep,
             engine: EngineDep, request: Request) -> ScreeningOut | Response:
    """Screen a proposal before it is filed; kept only as a pre-check, never queued."""
    _own_agency(principal, proposal)
    pid = new_id()
    result = screen_proposal(engine, proposal, pid)
    row = save_screening(session, proposal, pid, result, ScreeningKind.PRECHECK,
                         actor=principal.actor, api_key_id=principal.key_id)
    request.app.state.metrics.screenings.labels("precheck", result.band).inc()
    return json_response(screening_out(session, row, principal, result), 201)


@router.post("/screenings", response_model=ScreeningOut, status_code=201,
             responses={200: {"description": "A retried submission (same Idempotency-Key)"}})
def submit(proposal: Proposal, principal: AgencyOnly, session: SessionDep, engine: EngineDep,
           request: Request, response: Response,
           idempotency_key: Annotated[str | None, Header(max_length=200)] = None
           ) -> ScreeningOut | Response:
    """File a proposal: screened, stored and queued for review."""
    _own_agency(principal, proposal)
    if idempotency_key:
        existing = find_idempotent(session, principal.key_id, idempotency_key)
        if existing is not None:
            return _replay(session, existing, proposal, response, principal)
    pid = new_id()
    result = screen_proposal(engine, proposal, pid)
    try:
        row = save_screening(session, proposal, pid, result, ScreeningKind.SUBMISSION,
                             actor=principal.actor, api_key_id=principal.key_id,
                             idempotency_key=idempotency_key)
    except IntegrityError:  # the same key raced in from a concurrent retry
        session.rollback()
        existing = find_idempotent(session, principal.key_id, idempotency_key or "")
        if existing is None:
            raise
        return _replay(session, existing, proposal, response, principal)
    engine.add_peer(pid, proposal)
    request.app.state.metrics.screenings.labels("submission", result.band).inc()
    return json_response(screening_out(session, row, principal, result), 201)


def json_response(out: ScreeningOut, status_code: int) -> Response:
    """``out`` serialised once by pydantic: a returned model would be validated against the
    response model and serialised again by FastAPI (the declared ``response_model`` still
    documents the body)."""
    return Response(out.model_dump_json(), status_code=status_code,
                    media_type="application/json")


def _replay(session: SessionDep, existing: ScreeningRow, proposal: Proposal,
            response: Response, principal: Principal) -> ScreeningOut:
    if existing.input_hash != sha256_hex(proposal):
        raise ApiError(409, "idempotency_conflict", str(IdempotencyConflict(
            "this Idempotency-Key was used with a different proposal")),
            field="Idempotency-Key")
    response.status_code = 200
    return screening_out(session, existing, principal)


@router.get("/screenings", response_model=ScreeningPage)
def queue(principal: Reader, session: SessionDep,
          cycle: Annotated[int | None, Query(ge=2000, le=2100)] = None,
          agency: Annotated[str | None, Query(max_length=500)] = None,
          band: Literal["low", "medium", "high"] | None = None,
          status: Literal["queued", "decided"] | None = None,
          offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
          limit: Annotated[int, Query(ge=1, le=200)] = 50) -> ScreeningPage:
    """Formal submissions, riskiest first; an agency key sees only its own agency's."""
    if principal.role is Role.AGENCY:
        if agency is not None and agency != principal.agency:
            return ScreeningPage(total=0, offset=offset, limit=limit, items=[])
        agency = principal.agency
    rows, total = list_screenings(session, ScreeningFilter(cycle, agency, band, status),
                                  offset=offset, limit=limit)
    return ScreeningPage(total=total, offset=offset, limit=limit, items=[
        ScreeningSummary(id=r.id, proposal_id=r.proposal_id, cycle=r.cycle, agency=r.agency,
                         title=str(r.result.get("proposal_title", "")),
                         overall_score=r.overall_score, band=r.band, status=r.status,
                         created_at=as_utc(r.created_at)) for r in rows])


@router.get("/screenings/{screening_id}", response_model=ScreeningOut)
def read(screening_id: str, principal: Reader, session: SessionDep) -> ScreeningOut:
    """One screening with its result and the latest decision."""
    return screening_out(session, visible_screening(session, principal, screening_id),
                         principal)


@router.get("/screenings/{screening_id}/report", response_class=Response,
            responses={200: {"content": {"text/html": {}, "application/pdf": {}}}})
def report(screening_id: str, principal: Reader, session: SessionDep,
           format: Literal["html", "pdf"] = "html", lang: Lang = "vi") -> Response:
    """The review report as issued (HTML, or PDF with ``?format=pdf``; ``?lang=en``)."""
    from wastescreen.api.report_view import render_screening_report

    out = screening_out(session, visible_screening(session, principal, screening_id),
                        principal)
    return render_screening_report(out, fmt=format, lang=lang)


@router.post("/screenings/{screening_id}/decision", response_model=ScreeningOut)
def decide(screening_id: str, body: DecisionIn, principal: ReviewerOnly,
           session: SessionDep) -> ScreeningOut:
    """Record a reviewer's decision; one against the model's band is flagged as an override."""
    row = visible_screening(session, principal, screening_id)
    if row.kind != ScreeningKind.SUBMISSION.value:
        raise ApiError(409, "not_a_submission", "pre-checks are not decided on", field="id")
    record_decision(session, row, Decision(body.decision), body.rationale,
                    actor=principal.actor)
    return screening_out(session, row, principal)
