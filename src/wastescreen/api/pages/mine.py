"""An agency's own page: its filed proposals (every version, newest first, those sent back for
revision with the reviewer's notes and a button to revise) and its pre-checks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from wastescreen.api.deps import SessionDep
from wastescreen.api.pages.auth import Agency
from wastescreen.api.pages.layout import (
    PageRoute,
    band_label,
    int_param,
    lang_of,
    render,
    status_label,
    url,
)
from wastescreen.core.labels.pages import TEXT
from wastescreen.core.labels.revision import TEXT as R
from wastescreen.core.locale_format import Lang, datetime_text, number, percent
from wastescreen.screening import review
from wastescreen.storage.screenings import Decision

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PAGE_SIZE = 25


def _rows(items: list[review.QueueItem], lang: Lang) -> list[dict[str, Any]]:
    out = []
    for it in items:
        sent_back = it.status == "decided" and it.decision == Decision.REVISE.value
        out.append({
            "href": url(f"/ui/screenings/{it.id}", lang), "title": it.title,
            "code": it.reference_code, "cycle": it.cycle,
            "filed": datetime_text(it.created_at, lang), "score": percent(it.score, lang),
            "band": it.band, "band_label": band_label(it.band, lang),
            "status": status_label("sent_back" if sent_back else it.status, lang),
            "revise_url": url(f"/ui/screenings/{it.id}/revise", lang) if sent_back else None,
            "is_revision": it.revises is not None})
    return out


def _listing(session: Session, f: review.QueueFilter, page: str, lang: Lang,
             param: str, other: dict[str, int]) -> dict[str, Any]:
    page_no = max(1, int_param(page) or 1)
    items, total = review.queue(session, f, offset=(page_no - 1) * PAGE_SIZE, limit=PAGE_SIZE,
                                newest_first=True)
    pages = max(1, -(-total // PAGE_SIZE))
    here = {**other, param: page_no}

    def to(n: int) -> str:
        return url("/ui/mine", lang, **{**here, param: n})

    return {"rows": _rows(items, lang), "total": number(total, lang),
            "page_label": TEXT["page_of"][lang].format(page=page_no, pages=pages),
            "prev_url": to(page_no - 1) if page_no > 1 else None,
            "next_url": to(page_no + 1) if page_no < pages else None}


@router.get("/ui/mine", response_class=HTMLResponse)
def mine(request: Request, principal: Agency, session: SessionDep, s: str = "",
         p: str = "") -> HTMLResponse:
    lang = lang_of(request)
    agency = review.agency_scope(principal)
    pages = {"s": max(1, int_param(s) or 1), "p": max(1, int_param(p) or 1)}
    filed = _listing(session, review.QueueFilter(agency=agency, all_versions=True), s, lang,
                     "s", pages)
    checked = _listing(session, review.QueueFilter(agency=agency, kind="precheck"), p, lang,
                       "p", pages)
    return render(request, "page_mine.html", {
        "rt": {k: v[lang] for k, v in R.items()}, "filed": filed, "checked": checked,
        "submit_url": url("/ui/submit", lang)},
        principal=principal, lang=lang, title_key="nav_mine", title=R["mine_title"][lang])
