"""Frozen: ``POST /v1/prechecks`` as it was (``api.routes_screenings.precheck`` and
``_answer``, ``Screener.precheck`` and ``_store``, catching up through the frozen ``sync``
and storing through the frozen ``save_screening``), mounted on the live app at
``/v1/baseline/prechecks`` so that both run behind the same middleware, dependencies and body
validation."""

from __future__ import annotations

from fastapi import FastAPI, Response

from bench.baseline.service import screen_and_record
from bench.baseline.store import save_screening
from bench.baseline.sync import sync
from wastescreen.api.deps import ScreenerDep, SessionDep
from wastescreen.api.routes_screenings import Submitter
from wastescreen.api.schemas import screening_out
from wastescreen.core.agency import agency_key
from wastescreen.domain.proposal import Proposal
from wastescreen.screening import review
from wastescreen.screening.usecases import Actor, NotYourAgency, Screened, Screener
from wastescreen.storage import screenings as store
from wastescreen.storage.agencies import with_known_agency
from wastescreen.storage.api_keys import Principal
from wastescreen.storage.screenings import ScreeningKind

PATH = "/v1/baseline/prechecks"


def precheck(screener: Screener, session: SessionDep, proposal: Proposal, actor: Actor
             ) -> Screened:
    """``Screener.precheck`` and ``Screener._store`` as they were, for a pre-check."""
    proposal = with_known_agency(session, proposal)
    kind = ScreeningKind.PRECHECK
    if actor.agency is not None and agency_key(proposal.agency) != agency_key(actor.agency):
        raise NotYourAgency("an agency key may only file its own agency's proposals")
    engine = screener.ready_engine()
    sync(engine, session)
    pid = store.new_id()
    result, inputs = screen_and_record(engine, proposal, pid)
    row = save_screening(session, proposal, pid, result, kind, actor=actor.name,
                         api_key_id=actor.key_id, inputs=inputs, person=actor.signature)
    if screener.on_screened is not None:
        screener.on_screened(kind.value, result.band)
    return Screened(row, result)


def answer(session: SessionDep, principal: Principal, screened: Screened) -> Response:
    """``routes_screenings._answer`` and ``json_response`` as they were (a fresh screening)."""
    view = review.screening_view(session, principal, screened.row, fresh=screened.result)
    return Response(screening_out(view).model_dump_json(), status_code=201,
                    media_type="application/json")


def mount(app: FastAPI) -> FastAPI:
    """Add the frozen route to ``app`` (the live one)."""

    @app.post(PATH, status_code=201, include_in_schema=False)
    def baseline_precheck(proposal: Proposal, principal: Submitter, session: SessionDep,
                          screener: ScreenerDep) -> Response:
        return answer(session, principal,
                      precheck(screener, session, proposal, Actor.of(principal)))

    return app


def create_baseline_app() -> FastAPI:
    """The live app with the frozen route (a uvicorn factory for ``bench.http``)."""
    from wastescreen.api.app import create_app

    return mount(create_app())
