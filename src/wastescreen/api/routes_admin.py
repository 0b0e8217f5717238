"""The model card, the audit trail, API keys and the known agencies."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from sqlalchemy import select

from wastescreen.api.deps import SessionDep, require
from wastescreen.api.errors import ERROR_RESPONSES, ApiError, invalid, refused_agency
from wastescreen.api.lang import ApiLang
from wastescreen.api.schemas import (
    AgencyIn,
    AgencyOut,
    AuditEventOut,
    AuditPage,
    KeyCreated,
    KeyIn,
)
from wastescreen.core.labels.messages import msg
from wastescreen.domain.errors import FieldError
from wastescreen.screening.audit import check_trail
from wastescreen.storage.agencies import AgencyNameError, add_agency, list_agencies
from wastescreen.storage.api_keys import Principal, Role, create_key, revoke_key
from wastescreen.storage.tables import AuditEventRow, as_utc

router = APIRouter(prefix="/v1", tags=["admin"], responses=ERROR_RESPONSES)
Anyone = Annotated[Principal, Depends(require(*Role))]
AuditReader = Annotated[Principal, Depends(require(Role.AUDITOR, Role.ADMIN))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]


@router.get("/models/current")
def current_model(_: Anyone, request: Request) -> dict[str, Any]:
    """The card of the model in use (features, data hash, metrics, versions, intended use)."""
    engine = request.app.state.screener.engine
    if engine is None or engine.model is None:
        raise ApiError(404, "not_found", msg("not_found_model"))
    return dict(engine.model.card)


@router.get("/audit", response_model=AuditPage)
def audit(_: AuditReader, session: SessionDep, lang: ApiLang,
          after_seq: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,  # seq is a 32-bit column
          limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> AuditPage:
    """Audit events after ``after_seq``; whether the whole hash chain and its MACs verify, and
    whether every stored screening and decision matches the event that recorded it."""
    checked = check_trail(session)
    problems, total = checked.chain, checked.events
    rows = session.execute(select(AuditEventRow).where(AuditEventRow.seq > after_seq)
                           .order_by(AuditEventRow.seq).limit(limit)).scalars()
    return AuditPage(total=total, chain_intact=not problems,
                     records_intact=not checked.records, problems=checked.lines(lang),
                     items=[AuditEventOut(seq=r.seq, created_at=as_utc(r.created_at), actor=r.actor,
                                          action=r.action, subject=r.subject, details=r.details,
                                          prev_hash=r.prev_hash, hash=r.hash) for r in rows])


def _agency_refused(exc: Exception, body: KeyIn) -> ApiError:
    return refused_agency(exc, body.role, body.agency)


@router.post("/keys", response_model=KeyCreated, status_code=201)
def new_key(body: KeyIn, principal: Admin, session: SessionDep) -> KeyCreated:
    """Create an API key; the key is in this response only. An agency key needs a known
    agency (``GET /v1/agencies``; ``POST /v1/agencies`` adds one)."""
    try:
        key, row = create_key(session, Role(body.role), agency=body.agency, label=body.label,
                              actor=principal.actor, holder=body.holder.strip())
    except (ValueError, LookupError) as exc:
        raise _agency_refused(exc, body) from exc
    return KeyCreated(id=row.id, role=row.role, agency=row.agency, key=key)


@router.get("/agencies", response_model=list[AgencyOut])
def agencies(_: Admin, session: SessionDep) -> list[AgencyOut]:
    """The known agencies: the registry's managing and host agencies, and those added."""
    return [AgencyOut(name=r.name, source=r.source) for r in list_agencies(session)]


@router.post("/agencies", response_model=AgencyOut, status_code=201,
             responses={200: {"description": "Already known (under this spelling)"}})
def new_agency(body: AgencyIn, principal: Admin, session: SessionDep,
               response: Response) -> AgencyOut:
    """Make an agency known, so that keys can be made for it. A name already known in another
    spelling (case, spaces, Unicode form) answers 200 with the known spelling."""
    try:
        name, added = add_agency(session, body.name, actor=principal.actor)
    except AgencyNameError as exc:
        raise invalid([FieldError("name", exc.rule, str(exc))]) from exc
    if not added:
        response.status_code = 200
    return AgencyOut(name=name, source="admin" if added else "known")


@router.delete("/keys/{key_id}", status_code=204)
def delete_key(key_id: Annotated[int, Path(ge=1, le=2**31 - 1)], principal: Admin,
               session: SessionDep) -> None:
    """Revoke a key."""
    if not revoke_key(session, key_id, actor=principal.actor):
        raise ApiError(404, "not_found", msg("not_found_key", id=str(key_id)),
                       field="key_id")
