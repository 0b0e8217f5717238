"""Pre-checks, formal submissions, the review queue, reports and decisions (thin routes over
``screening.usecases`` and ``screening.review``)."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response

from wastescreen.api.deps import ScreenerDep, SessionDep, SlotsDep, require
from wastescreen.api.errors import ERROR_RESPONSES
from wastescreen.api.lang import ApiLang
from wastescreen.api.report_view import REPORT_CSP
from wastescreen.api.schemas import (
    DecisionIn,
    RevisionIn,
    ScreeningOut,
    ScreeningPage,
    ScreeningSummary,
    screening_out,
)
from wastescreen.core.agency import agency_key
from wastescreen.core.locale_format import Lang
from wastescreen.domain.proposal import Proposal
from wastescreen.screening import review
from wastescreen.screening.issued import issued_html, issued_reports
from wastescreen.screening.reproduce import reproduce, reproduction_dict
from wastescreen.screening.usecases import Actor, Screened
from wastescreen.storage.api_keys import Principal, Role
from wastescreen.storage.revisions import FlagAnswer
from wastescreen.storage.screenings import Decision
from wastescreen.storage.tables import as_utc

router = APIRouter(prefix="/v1", tags=["screenings"], responses=ERROR_RESPONSES)
Submitter = Annotated[Principal, Depends(require(Role.AGENCY, Role.REVIEWER))]
AgencyOnly = Annotated[Principal, Depends(require(Role.AGENCY))]
Reader = Annotated[Principal, Depends(require(Role.AGENCY, Role.REVIEWER, Role.AUDITOR))]
ReviewerOnly = Annotated[Principal, Depends(require(Role.REVIEWER))]
Checker = Annotated[Principal, Depends(require(Role.REVIEWER, Role.AUDITOR))]


_FIELDS = list(ScreeningOut.model_fields)
_BEFORE_RESULT = set(_FIELDS[: _FIELDS.index("result")])
_AFTER_RESULT = set(_FIELDS[_FIELDS.index("result") + 1 :])


def json_response(out: ScreeningOut, status_code: int, result_json: str | None = None
                  ) -> Response:
    """``out`` serialised once by pydantic: a returned model would be validated against the
    response model and serialised again by FastAPI (the declared ``response_model`` still
    documents the body). ``result_json``: ``out.result.model_dump_json()`` when it was made
    already (the stored text of a new screening), put in place rather than made again: the
    body is the same bytes."""
    if result_json is None:
        return Response(out.model_dump_json(), status_code=status_code,
                        media_type="application/json")
    head = out.model_dump_json(include=_BEFORE_RESULT)
    tail = out.model_dump_json(include=_AFTER_RESULT)
    body = f'{head[:-1]},"result":{result_json},{tail[1:]}'
    return Response(body, status_code=status_code, media_type="application/json")


def _answer(session: SessionDep, principal: Principal, screened: Screened) -> Response:
    if screened.replayed:
        view = review.screening_view(session, principal, screened.row)
        return json_response(screening_out(view), 200)
    view = review.screening_view(session, principal, screened.row, fresh=screened.result)
    # The caller's view is the stored result unless it was redacted for an agency.
    same = view.result is screened.result
    return json_response(screening_out(view), 201, screened.result_json if same else None)


@router.post("/prechecks", response_model=ScreeningOut, status_code=201)
async def precheck(proposal: Proposal, principal: Submitter, session: SessionDep,
                   screener: ScreenerDep, slots: SlotsDep) -> Response:
    """Screen a proposal before it is filed; kept only as a pre-check, never queued."""
    return await slots.run(lambda: _answer(
        session, principal, screener.precheck(session, proposal, Actor.of(principal))),
        closing=session)


@router.post("/screenings", response_model=ScreeningOut, status_code=201,
             responses={200: {"description": "A retried submission (same Idempotency-Key)"}})
async def submit(proposal: Proposal, principal: AgencyOnly, session: SessionDep,
                 screener: ScreenerDep, slots: SlotsDep,
                 idempotency_key: Annotated[str | None, Header(
                     max_length=200, pattern=r"^[\x20-\x7e]+$")] = None) -> Response:
    """File a proposal: screened, stored and queued for review."""
    return await slots.run(lambda: _answer(session, principal, screener.submit(
        session, proposal, Actor.of(principal), idempotency_key)), closing=session)


@router.post("/screenings/{screening_id}/revisions", response_model=ScreeningOut,
             status_code=201,
             responses={200: {"description": "A retried revision (same Idempotency-Key)"}})
async def revise(screening_id: str, body: RevisionIn, principal: AgencyOnly,
                 session: SessionDep, screener: ScreenerDep, slots: SlotsDep,
                 idempotency_key: Annotated[str | None, Header(
                     max_length=200, pattern=r"^[\x20-\x7e]+$")] = None) -> Response:
    """File a revised version of a proposal sent back for revision, with a justification for
    each red flag that fired on it; the first version is superseded (409 when it was not sent
    back, or was revised already)."""
    def work() -> Response:
        row = review.visible_screening(session, principal, screening_id)
        answers = [FlagAnswer(a.flag, a.justification) for a in body.answers]
        return _answer(session, principal, screener.revise(
            session, row, body.proposal, answers, Actor.of(principal), idempotency_key))

    return await slots.run(work, closing=session)


def _page(principal: Principal, session: SessionDep, f: review.QueueFilter, offset: int,
          limit: int, *, newest_first: bool = False) -> ScreeningPage:
    scope = review.agency_scope(principal)
    if scope is not None:
        if f.agency is not None and agency_key(f.agency) != agency_key(scope):
            return ScreeningPage(total=0, offset=offset, limit=limit, items=[])
        f = dataclasses.replace(f, agency=scope)
    items, total = review.queue(session, f, offset=offset, limit=limit,
                                newest_first=newest_first)
    return ScreeningPage(total=total, offset=offset, limit=limit, items=[
        ScreeningSummary(id=i.id, proposal_id=i.proposal_id, reference_code=i.reference_code,
                         cycle=i.cycle, agency=i.agency,
                         title=i.title, overall_score=i.score, band=i.band, status=i.status,
                         created_at=as_utc(i.created_at), decision=i.decision,
                         revises=i.revises) for i in items])


@router.get("/screenings", response_model=ScreeningPage)
def queue(principal: Reader, session: SessionDep,
          cycle: Annotated[int | None, Query(ge=2000, le=2100)] = None,
          agency: Annotated[str | None, Query(max_length=500)] = None,
          band: Literal["low", "medium", "high"] | None = None,
          status: Literal["queued", "awaiting_confirmation", "decided", "revised"] | None = None,
          offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
          limit: Annotated[int, Query(ge=1, le=200)] = 50) -> ScreeningPage:
    """Formal submissions, riskiest first; an agency key sees only its own agency's. Versions
    a revised one superseded are left out unless ``status=revised`` asks for them."""
    return _page(principal, session, review.QueueFilter(cycle, agency, band=band,
                                                        status=status), offset, limit)


@router.get("/prechecks", response_model=ScreeningPage)
def prechecks(principal: Submitter, session: SessionDep,
              cycle: Annotated[int | None, Query(ge=2000, le=2100)] = None,
              offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
              limit: Annotated[int, Query(ge=1, le=200)] = 50) -> ScreeningPage:
    """Pre-checks, newest first; an agency key sees only its own agency's."""
    return _page(principal, session, review.QueueFilter(cycle, kind="precheck"), offset,
                 limit, newest_first=True)


@router.get("/screenings/{screening_id}", response_model=ScreeningOut)
def read(screening_id: str, principal: Reader, session: SessionDep) -> ScreeningOut:
    """One screening with its result and the latest decision."""
    row = review.visible_screening(session, principal, screening_id)
    return screening_out(review.screening_view(session, principal, row))


@router.get("/screenings/{screening_id}/report", response_class=Response,
            responses={200: {"content": {"text/html": {}, "application/pdf": {}}}})
def report(screening_id: str, principal: Reader, session: SessionDep,
           format: Literal["html", "pdf"] = "html", lang: Lang = "vi") -> Response:
    """The review report as issued (HTML, or PDF with ``?format=pdf``; ``?lang=en``)."""
    from wastescreen.api.report_view import render_screening_report

    row = review.visible_screening(session, principal, screening_id)
    view = review.with_proposal(session, review.screening_view(session, principal, row))
    return render_screening_report(view, fmt=format, lang=lang)


@router.get("/screenings/{screening_id}/proposal", response_model=Proposal)
def filed_proposal(screening_id: str, principal: Reader, session: SessionDep) -> Proposal:
    """The proposal exactly as it was submitted (its SHA-256 over canonical JSON is the
    result's ``input_hash``)."""
    row = review.visible_screening(session, principal, screening_id)
    return review.filed_proposal(session, row)


@router.get("/screenings/{screening_id}/reproduction")
def reproduction(screening_id: str, principal: Checker, session: SessionDep,
                 request: Request, lang: ApiLang) -> dict[str, Any]:
    """Re-run the screening from what was recorded with it and say whether the result is
    identical, or which fields differ and why."""
    review.visible_screening(session, principal, screening_id)
    done = reproduce(session, request.app.state.settings.models_dir, screening_id)
    return reproduction_dict(done, lang)


@router.get("/screenings/{screening_id}/issued")
def issued(screening_id: str, principal: Checker, session: SessionDep) -> list[dict[str, Any]]:
    """The reports issued for a screening (when it was filed, at each decision): occasion,
    SHA-256 of the HTML, template version, time."""
    row = review.visible_screening(session, principal, screening_id)
    return [{"id": r.id, "occasion": r.occasion, "lang": r.lang, "sha256": r.sha256,
             "template_version": r.template_version,
             "issued_at": as_utc(r.created_at).isoformat(timespec="seconds")}
            for r in issued_reports(session, row.id)]


@router.get("/screenings/{screening_id}/issued/{report_id}", response_class=Response,
            responses={200: {"content": {"text/html": {}}}})
def issued_report(screening_id: str, report_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
                  principal: Checker, session: SessionDep) -> Response:
    """One report exactly as it was issued (its SHA-256 in ``X-Report-SHA256``)."""
    row = review.visible_screening(session, principal, screening_id)
    found = next((r for r in issued_reports(session, row.id) if r.id == report_id), None)
    if found is None:
        raise review.NotFound(f"no issued report {report_id} of screening {row.id}")
    return Response(issued_html(found), media_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": REPORT_CSP,
                             "X-Report-SHA256": found.sha256})


@router.post("/screenings/{screening_id}/decision", response_model=ScreeningOut)
def decide(screening_id: str, body: DecisionIn, principal: ReviewerOnly, session: SessionDep,
           screener: ScreenerDep) -> ScreeningOut:
    """Record a reviewer's decision; one against the model's band is flagged as an override."""
    row = review.visible_screening(session, principal, screening_id)
    screener.decide(session, row, Decision(body.decision), body.rationale, Actor.of(principal))
    return screening_out(review.screening_view(session, principal, row))
