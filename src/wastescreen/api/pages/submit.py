"""The agency's submission form: fill it in (or upload a JSON file), pre-check or file."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from wastescreen.api.deps import ScreenerDep, SlotsDep
from wastescreen.api.pages.auth import Agency, SameOrigin
from wastescreen.api.pages.forms import (
    ROWS,
    Rows,
    apply_row_action,
    blank_rows,
    form_sections,
    form_values,
    list_sections,
    payload_from_form,
    read_form,
    rows_from_form,
)
from wastescreen.api.pages.layout import PageRoute, lang_of, render, url
from wastescreen.core.labels.proposal import field_label
from wastescreen.core.locale_format import Lang
from wastescreen.domain.errors import FieldError, field_errors
from wastescreen.domain.proposal import Proposal
from wastescreen.screening.usecases import Actor, NotYourAgency, Screener
from wastescreen.storage.api_keys import Principal
from wastescreen.storage.screenings import ScreeningKind

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _anchor(e: FieldError) -> str:
    """The id of the input an error points at (a row's cell, or the field)."""
    parts = e.field.split(".")
    if parts[0] in ROWS and len(parts) >= 3 and parts[1].isdigit():
        return f"f-{parts[0]}-{parts[1]}-{parts[2]}"
    return f"f-{e.column}" if e.column else ""


def form_page(request: Request, principal: Principal, lang: Lang, values: dict[str, str],
              rows: Rows, errors: Sequence[FieldError], kind: str, status: int = 200, *,
              action: str = "/ui/submit", revision: Mapping[str, Any] | None = None
              ) -> HTMLResponse:
    """The proposal form with ``values``, ``rows`` and each error beside its field; with
    ``revision`` (the revise page's notes and flags to answer) it files a revised version."""
    summary = [{"field": e.column, "label": field_label(e.column, lang) if e.column else "",
                "anchor": _anchor(e), "message": e.message(lang), "rule": e.rule,
                "path": e.field} for e in errors]
    return render(request, "page_submit.html", {
        "sections": form_sections(values, errors, lang, principal.agency),
        "lists": list_sections(rows, errors, lang),
        "errors": summary, "kind": kind, "action": url(action, lang), "revision": revision,
    }, principal=principal, lang=lang, title_key="submit_title", status=status)


def proposal_of(values: dict[str, str], rows: Rows, upload: tuple[str, bytes] | None,
                principal: Principal
                ) -> tuple[Proposal | None, dict[str, str], Rows, list[FieldError]]:
    """The proposal the form (or its uploaded JSON file) makes, the values and rows to show
    back, and what was refused (the proposal is None when anything was)."""
    errors: list[FieldError] = []
    if upload is not None:
        payload, errors = _uploaded(upload[1])
        shown, rows = form_values(payload)
        values = {**shown, **{k: v for k, v in values.items() if k in ("kind", "lang")}}
    else:
        payload = payload_from_form(values, rows)
    if principal.agency and not payload.get("agency"):
        payload["agency"] = principal.agency
    if errors:
        return None, values, rows, errors
    try:
        return Proposal.model_validate(payload), values, rows, []
    except ValidationError as exc:
        return None, values, rows, field_errors(exc)


@router.get("/ui/submit", response_class=HTMLResponse)
def submit_form(request: Request, principal: Agency) -> HTMLResponse:
    today = dt.date.today()
    defaults = {"submitted_on": today.isoformat(), "cycle": str(today.year + 1)}
    return form_page(request, principal, lang_of(request), defaults, blank_rows(), [],
                     "submission")


def _uploaded(data: bytes) -> tuple[dict[str, Any], list[FieldError]]:
    try:
        loaded = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return {}, [FieldError("proposal_file", "invalid_json_file", str(exc)[:300])]
    if not isinstance(loaded, dict):
        return {}, [FieldError("proposal_file", "invalid_json_file",
                               "the file must hold one JSON object")]
    return loaded, []


@router.post("/ui/submit", response_class=HTMLResponse, dependencies=[SameOrigin])
async def submit(request: Request, principal: Agency, screener: ScreenerDep,
                 slots: SlotsDep) -> Response:
    values, upload = await read_form(request, "proposal_file")
    lang = lang_of(request, values.get("lang"))
    kind = ScreeningKind.PRECHECK if values.get("kind") == "precheck" \
        else ScreeningKind.SUBMISSION
    rows = rows_from_form(values)
    action = values.get("action", "")
    if action.startswith(("add:", "remove:")):  # a row added or removed: the form comes back
        return form_page(request, principal, lang, values, apply_row_action(rows, action), [],
                         kind.value)
    proposal, values, rows, errors = proposal_of(values, rows, upload, principal)
    if proposal is None:
        return form_page(request, principal, lang, values, rows, errors, kind.value, 422)
    try:
        screening_id = await slots.run(lambda: _file(request, screener, proposal, kind,
                                                     principal))
    except NotYourAgency:
        error = FieldError("agency", "not_your_agency", "not your agency")
        return form_page(request, principal, lang, values, rows, [error], kind.value, 403)
    return RedirectResponse(url(f"/ui/screenings/{screening_id}", lang), status_code=303)


def _file(request: Request, screener: Screener, proposal: Proposal, kind: ScreeningKind,
          principal: Principal) -> str:
    """Pre-check or file one proposal; the new screening's id."""
    with request.app.state.db.sessions() as session:
        if kind is ScreeningKind.SUBMISSION:
            screened = screener.submit(session, proposal, Actor.of(principal))
        else:
            screened = screener.precheck(session, proposal, Actor.of(principal))
        return screened.row.id
