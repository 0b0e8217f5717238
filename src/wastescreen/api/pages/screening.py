"""One screening: its report inside the page, the PDF, and the reviewer's decision form."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup
from sqlalchemy.orm import Session

from wastescreen.api.deps import ScreenerDep, SessionDep
from wastescreen.api.pages.auth import Reader, Reviewer, SameOrigin
from wastescreen.api.pages.layout import PageError, PageRoute, band_label, lang_of, render, url
from wastescreen.api.report_view import render_screening_report, report_html
from wastescreen.core.labels import report as L
from wastescreen.core.labels.pages import TEXT
from wastescreen.core.labels.revision import TEXT as R
from wastescreen.core.labels.rules import rule_message
from wastescreen.core.locale_format import Lang, datetime_text
from wastescreen.core.text import control_character
from wastescreen.screening import review
from wastescreen.screening.usecases import Actor
from wastescreen.storage.api_keys import Principal, Role
from wastescreen.storage.screenings import Decision, ScreeningKind
from wastescreen.storage.tables import as_utc

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def report_parts(html: str) -> tuple[Markup, Markup]:
    """The report's ``<main class="report">`` as an ``<article>`` to embed in a page, split
    before its footer so that the decision form can sit under the decision section.

    The report is rendered by its own autoescaped template, so proposal text in it is already
    escaped: no raw ``<main`` or ``<footer`` can come from the data."""
    start = html.index('<main class="report"')
    end = html.rindex("</main>")
    body = "<article" + html[start + len("<main"):end]
    cut = body.rfind('<footer class="report-footer"')
    if cut < 0:
        cut = len(body)
    head, tail = body[:cut], body[cut:] + "</article>"
    return Markup(head), Markup(tail)  # noqa: S704 - output of the autoescaped report template


def _page(request: Request, session: Session, principal: Principal, screening_id: str,
          lang: Lang, *, errors: Mapping[str, str] | None = None,
          form: Mapping[str, str] | None = None, status: int = 200) -> HTMLResponse:
    row = review.visible_screening(session, principal, screening_id)
    view = review.with_proposal(session, review.screening_view(session, principal, row))
    is_submission = row.kind == ScreeningKind.SUBMISSION.value
    return render(request, "page_screening.html", {
        "versions": _versions(view, principal, lang),
        "report_css": True, "report_parts": report_parts(report_html(view, lang)),
        "screening_id": row.id, "is_submission": is_submission,
        "can_decide": is_submission and principal.role is Role.REVIEWER
        and row.status != "revised",
        "saved": request.query_params.get("saved") == "1",
        "queue_url": url("/ui/queue", lang, cycle=row.cycle),
        "pdf_url": url(f"/ui/screenings/{row.id}/report.pdf", lang),
        "decision_action": f"/ui/screenings/{row.id}/decision",
        "decisions": [(d.value, L.lookup(L.DECISIONS, d.value, lang)) for d in Decision],
        "errors": errors or {}, "form": form or {}, "band_label": band_label(row.band, lang),
    }, principal=principal, lang=lang, title_key="queue_title", status=status,
        title=f"{view.result.proposal_title} — {L.UI['doc_title'][lang]}")


def _versions(view: review.ScreeningView, principal: Principal, lang: Lang) -> dict[str, Any]:
    """Where this version stands in its revision loop: sent back (with the notes, and for its
    agency the revise button), the version it revises, the version that superseded it."""
    row, back = view.row, view.decision
    sent_back = row.status == "decided" and back is not None and \
        back.decision == Decision.REVISE.value
    return {
        "rt": {k: v[lang] for k, v in R.items()}, "sent_back": sent_back,
        "notes": back.rationale if sent_back and back is not None else "",
        "by": R["sent_back_by"][lang].format(at=datetime_text(as_utc(back.created_at), lang),
                                             who=back.decided_by) if sent_back and back else "",
        "revise_url": url(f"/ui/screenings/{row.id}/revise", lang)
        if sent_back and principal.role is Role.AGENCY else None,
        "previous_url": url(f"/ui/screenings/{row.revises}", lang) if row.revises else None,
        "latest_url": url(f"/ui/screenings/{view.revised_by}", lang) if view.revised_by
        else None}


@router.get("/ui/screenings/{screening_id}", response_class=HTMLResponse)
def screening_page(screening_id: str, request: Request, principal: Reader,
                   session: SessionDep) -> HTMLResponse:
    return _page(request, session, principal, screening_id, lang_of(request))


@router.get("/ui/screenings/{screening_id}/report.pdf")
def screening_pdf(screening_id: str, request: Request, principal: Reader,
                  session: SessionDep) -> Response:
    row = review.visible_screening(session, principal, screening_id)
    view = review.with_proposal(session, review.screening_view(session, principal, row))
    return render_screening_report(view, fmt="pdf", lang=lang_of(request))


@router.post("/ui/screenings/{screening_id}/decision", response_class=HTMLResponse,
             dependencies=[SameOrigin])
def decide(screening_id: str, request: Request, principal: Reviewer, session: SessionDep,
           screener: ScreenerDep, decision: Annotated[str, Form(max_length=20)] = "",
           rationale: Annotated[str, Form(max_length=10_000)] = "",
           lang: Annotated[str, Form(max_length=5)] = "vi") -> Response:
    language = lang_of(request, lang)
    row = review.visible_screening(session, principal, screening_id)
    if row.kind != ScreeningKind.SUBMISSION.value:
        raise PageError(409, "precheck_note")
    errors = {}
    if decision not in {d.value for d in Decision}:
        errors["decision"] = TEXT["decision_required"][language]
    if not rationale.strip():
        errors["rationale"] = TEXT["rationale_required"][language]
    elif control_character(rationale) is not None:
        errors["rationale"] = rule_message("control_character", language, "")
    if errors:
        return _page(request, session, principal, row.id, language, errors=errors,
                     form={"decision": decision, "rationale": rationale}, status=422)
    screener.decide(session, row, Decision(decision), rationale.strip(), Actor.of(principal))
    target = url(f"/ui/screenings/{row.id}", language, saved=1) + "#decision"
    return RedirectResponse(target, status_code=303)
