"""The agency's revise page: the proposal sent back, in the form as it was filed, with the
reviewer's notes and one answer per red flag that fired; filing it supersedes the first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from wastescreen.api.deps import ScreenerDep, SessionDep, SlotsDep
from wastescreen.api.pages.auth import Agency, SameOrigin
from wastescreen.api.pages.forms import apply_row_action, form_values, read_form, rows_from_form
from wastescreen.api.pages.layout import PageRoute, lang_of, url
from wastescreen.api.pages.submit import form_page, proposal_of
from wastescreen.core.labels.revision import TEXT as R
from wastescreen.core.locale_format import Lang, datetime_text
from wastescreen.domain.errors import FieldError
from wastescreen.domain.proposal import Proposal
from wastescreen.features.red_flags import flag_catalogue
from wastescreen.screening import review
from wastescreen.screening.revisions import NotSentBack, RevisionRefused, fired, sent_back
from wastescreen.screening.usecases import Actor, Screener
from wastescreen.storage.api_keys import Principal
from wastescreen.storage.revisions import FlagAnswer
from wastescreen.storage.tables import ScreeningRow, as_utc

router = APIRouter(route_class=PageRoute, include_in_schema=False)
MIN_ANSWER = 10


def _sent_back_row(session: Session, principal: Principal, screening_id: str) -> ScreeningRow:
    row = review.visible_screening(session, principal, screening_id)
    if row.status != "decided" or sent_back(session, row) is None:
        raise NotSentBack(f"screening {row.id} was not sent back for revision")
    return row


def _context(session: Session, row: ScreeningRow, lang: Lang, answers: Mapping[str, str],
             errors: Sequence[FieldError]) -> dict[str, Any]:
    """The revise page's own part: the notes, and each fired flag with its answer and errors."""
    back = sent_back(session, row)
    names = {f.id: f.name[lang] for f in flag_catalogue().flags}
    ids = fired(row.result)
    beside: dict[str, list[str]] = {}
    for e in errors:
        parts = e.field.split(".")
        if parts[0] == "answers" and len(parts) > 1 and parts[1].isdigit() \
                and int(parts[1]) < len(ids):
            beside.setdefault(ids[int(parts[1])], []).append(e.message(lang))
    return {
        "rt": {k: v[lang] for k, v in R.items()},
        "title": str(row.result.get("proposal_title", "")),
        "notes": None if back is None else back.rationale,
        "by": None if back is None else R["sent_back_by"][lang].format(
            at=datetime_text(as_utc(back.created_at), lang), who=back.decided_by),
        "flags": [{"id": i, "name": names.get(i, i), "value": answers.get(i, ""),
                   "errors": beside.get(i, [])} for i in ids],
        "back_url": url(f"/ui/screenings/{row.id}", lang),
    }


@router.get("/ui/screenings/{screening_id}/revise", response_class=HTMLResponse)
def revise_form(screening_id: str, request: Request, principal: Agency,
                session: SessionDep) -> HTMLResponse:
    lang = lang_of(request)
    row = _sent_back_row(session, principal, screening_id)
    values, rows = form_values(review.filed_proposal(session, row).model_dump(mode="json"))
    return form_page(request, principal, lang, values, rows, [], "submission",
                     action=f"/ui/screenings/{row.id}/revise",
                     revision=_context(session, row, lang, {}, []))


def _answers(row: ScreeningRow, values: Mapping[str, str]
             ) -> tuple[list[FlagAnswer], dict[str, str], list[FieldError]]:
    """The answers given (blank ones left out), as typed, and those too short to stand."""
    given, typed, errors = [], {}, []
    for i, flag in enumerate(fired(row.result)):
        text = values.get(f"answer-{flag}", "").strip()
        typed[flag] = text
        if not text:
            continue
        if len(text) < MIN_ANSWER:
            errors.append(FieldError(f"answers.{i}.justification", "string_too_short",
                                     f"at least {MIN_ANSWER} characters"))
        given.append(FlagAnswer(flag, text))
    return given, typed, errors


@router.post("/ui/screenings/{screening_id}/revise", response_class=HTMLResponse,
             dependencies=[SameOrigin])
async def revise(screening_id: str, request: Request, principal: Agency, session: SessionDep,
                 screener: ScreenerDep, slots: SlotsDep) -> Response:
    values, upload = await read_form(request, "proposal_file")
    lang = lang_of(request, values.get("lang"))
    row = _sent_back_row(session, principal, screening_id)
    answers, typed, errors = _answers(row, values)
    rows = rows_from_form(values)
    action = values.get("action", "")

    def again(errors: Sequence[FieldError], shown: dict[str, str], rows: Any,
              status: int) -> HTMLResponse:
        return form_page(request, principal, lang, shown, rows, errors, "submission", status,
                         action=f"/ui/screenings/{row.id}/revise",
                         revision=_context(session, row, lang, typed, errors))

    if action.startswith(("add:", "remove:")):
        return again([], values, apply_row_action(rows, action), 200)
    proposal, values, rows, refused = proposal_of(values, rows, upload, principal)
    if proposal is None or errors:
        return again([*refused, *errors], values, rows, 422)
    try:
        new_id = await slots.run(lambda: _file(request, screener, row.id, proposal, answers,
                                               principal))
    except RevisionRefused as exc:  # shown beside the field (``proposal.cycle`` is ``cycle``)
        shown = [FieldError(e.field.removeprefix("proposal."), e.rule, e.detail)
                 for e in exc.errors]
        return again(shown, values, rows, 422)
    return RedirectResponse(url(f"/ui/screenings/{new_id}", lang), status_code=303)


def _file(request: Request, screener: Screener, screening_id: str, proposal: Proposal,
          answers: list[FlagAnswer], principal: Principal) -> str:
    """File the revised version in its own session; the new screening's id."""
    with request.app.state.db.sessions() as session:
        original = review.visible_screening(session, principal, screening_id)
        return screener.revise(session, original, proposal, answers,
                               Actor.of(principal)).row.id
