"""Batch pre-check on the pages: upload a CSV/XLSX, every valid row is screened and stored as a
pre-check while the page waits (at most ``page_batch_max_rows`` rows)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from wastescreen.api.deps import ScreenerDep
from wastescreen.api.pages.auth import BatchUser, SameOrigin
from wastescreen.api.pages.forms import read_form
from wastescreen.api.pages.layout import PageRoute, band_label, lang_of, render, url
from wastescreen.core.labels.pages import TEXT
from wastescreen.core.labels.proposal import field_label
from wastescreen.core.locale_format import Lang, percent
from wastescreen.domain.flat_format import FLAT_COLUMNS
from wastescreen.screening.batch import BatchRow, file_message, only_agency, read_batch
from wastescreen.screening.review import agency_scope
from wastescreen.screening.usecases import Actor, Screener
from wastescreen.storage.api_keys import Principal
from wastescreen.storage.registry_import import ImportFileError

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _page(request: Request, principal: Principal, lang: Lang, *,
          rows: Sequence[BatchRow] = (), results: Sequence[dict[str, Any]] = (),
          error: str | None = None, status: int = 200) -> HTMLResponse:
    shown = []
    for item, out in zip(rows, results, strict=True):
        band, sid = out.get("band"), out.get("screening_id")
        shown.append({
            "line": item.row, "title": item.title,
            "href": url(f"/ui/screenings/{sid}", lang) if sid else None,
            "band": band or "", "band_label": band_label(band, lang) if band else "",
            "score": percent(out["overall_score"], lang) if band else "",
            "errors": [{"field": e.field, "rule": e.rule, "column": e.column,
                        "label": field_label(e.column, lang) if e.column else "",
                        "message": e.message(lang)} for e in item.errors]})
    summary = None
    if results:
        ok = sum(1 for r in results if r["status"] == "screened")
        summary = TEXT["batch_summary"][lang].format(ok=ok, bad=len(results) - ok)
    limit = request.app.state.settings.page_batch_max_rows
    return render(request, "page_batch.html", {
        "rows": shown, "summary": summary, "error": error, "action": url("/ui/batch", lang),
        "intro": TEXT["batch_intro"][lang].format(n=limit),
        "template_url": "/ui/batch/template.csv",
    }, principal=principal, lang=lang, title_key="batch_title", status=status)


@router.get("/ui/batch", response_class=HTMLResponse)
def batch_form(request: Request, principal: BatchUser) -> HTMLResponse:
    return _page(request, principal, lang_of(request))


@router.get("/ui/batch/template.csv")
def batch_template(principal: BatchUser) -> Response:
    return Response(",".join(FLAT_COLUMNS) + "\n", media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             'attachment; filename="wastescreen-batch-template.csv"'})


@router.post("/ui/batch", response_class=HTMLResponse, dependencies=[SameOrigin])
async def batch(request: Request, principal: BatchUser, screener: ScreenerDep) -> Response:
    values, upload = await read_form(request, "file")
    lang = lang_of(request, values.get("lang"))
    if upload is None:
        return _page(request, principal, lang, error=TEXT["no_file"][lang], status=422)
    try:
        rows = read_batch(*upload, max_rows=request.app.state.settings.page_batch_max_rows)
    except ImportFileError as exc:
        return _page(request, principal, lang, error=file_message(exc).text(lang), status=422)
    only_agency(rows, agency_scope(principal))
    results = await run_in_threadpool(_screen, request, screener, rows, principal)
    return _page(request, principal, lang, rows=rows, results=results)


def _screen(request: Request, screener: Screener, rows: Sequence[BatchRow],
            principal: Principal) -> list[dict[str, Any]]:
    with request.app.state.db.sessions() as session:
        return screener.screen_rows(rows, session=session, actor=Actor.of(principal))
