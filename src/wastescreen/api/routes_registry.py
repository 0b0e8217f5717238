"""Registry read (every role) and write (admin); writes update the live overlap index."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from wastescreen.api.deps import ScreenerDep, SessionDep, require
from wastescreen.api.errors import ERROR_RESPONSES, ApiError
from wastescreen.core.labels.messages import msg
from wastescreen.domain.registry import Lab, Program
from wastescreen.screening.usecases import Actor
from wastescreen.storage.api_keys import Principal, Role
from wastescreen.storage.registry_store import get_lab, get_program, list_labs, list_programs

router = APIRouter(prefix="/v1/registry", tags=["registry"],
                   responses=ERROR_RESPONSES)
Anyone = Annotated[Principal, Depends(require(*Role))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Limit = Annotated[int, Query(ge=1, le=500)]


@router.get("/labs", response_model=list[Lab])
def labs(_: Anyone, session: SessionDep, offset: Offset = 0, limit: Limit = 100) -> list[Lab]:
    """Registry labs with their equipment, by lab code."""
    return list_labs(session, offset=offset, limit=limit)


@router.get("/labs/{lab_code}", response_model=Lab)
def lab(lab_code: str, _: Anyone, session: SessionDep) -> Lab:
    found = get_lab(session, lab_code)
    if found is None:
        raise ApiError(404, "not_found", msg("not_found_lab", code=lab_code[:100]),
                       field="lab_code")
    return found


@router.put("/labs/{lab_code}", response_model=Lab)
def put_lab(lab_code: str, body: Lab, principal: Admin, session: SessionDep,
            screener: ScreenerDep) -> Lab:
    """Create or replace a lab (the body's lab_code must match the path)."""
    if body.lab_code != lab_code:
        raise ApiError(422, "validation_error", msg("code_mismatch", field="lab_code"),
                       field="lab_code")
    screener.put_lab(session, body, Actor.of(principal))
    return body


@router.get("/programs", response_model=list[Program])
def programs(_: Anyone, session: SessionDep, offset: Offset = 0,
             limit: Limit = 100) -> list[Program]:
    """Registry programs and tasks, by program code."""
    return list_programs(session, offset=offset, limit=limit)


@router.get("/programs/{program_code}", response_model=Program)
def program(program_code: str, _: Anyone, session: SessionDep) -> Program:
    found = get_program(session, program_code)
    if found is None:
        raise ApiError(404, "not_found", msg("not_found_program", code=program_code[:100]),
                       field="program_code")
    return found


@router.put("/programs/{program_code}", response_model=Program)
def put_program(program_code: str, body: Program, principal: Admin, session: SessionDep,
                screener: ScreenerDep) -> Program:
    """Create or replace a program (the body's program_code must match the path)."""
    if body.program_code != program_code:
        raise ApiError(422, "validation_error", msg("code_mismatch", field="program_code"),
                       field="program_code")
    screener.put_program(session, body, Actor.of(principal))
    return body
