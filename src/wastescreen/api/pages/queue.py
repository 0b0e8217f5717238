"""The review queue: a cycle's formal submissions, riskiest first, with filters and pages."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from wastescreen.api.deps import SessionDep
from wastescreen.api.pages.auth import Reader
from wastescreen.api.pages.layout import (
    PageError,
    PageRoute,
    area_label,
    band_label,
    choice_param,
    int_param,
    lang_of,
    render,
    status_label,
    url,
)
from wastescreen.core.labels import report as L
from wastescreen.core.labels.pages import TEXT
from wastescreen.core.locale_format import Lang, number, percent, vnd
from wastescreen.screening import review
from wastescreen.screening.cycle_export import cycle_export
from wastescreen.storage.api_keys import Principal

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PAGE_SIZE = 50
STATUSES = ("queued", "awaiting_confirmation", "decided", "revised")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def raised_text(item: review.QueueItem, lang: Lang) -> str:
    """"model: low · RF01, RF04" when fired flags set the band above the model's; else ""."""
    if item.model_band is None or item.model_band == item.band or not item.fired_flags:
        return ""
    return TEXT["raised_by"][lang].format(band=band_label(item.model_band, lang),
                                          flags=", ".join(item.fired_flags))


def _queue_filter(session: Session, principal: Principal, cycle: str, agency: str,
                  province: str, area: str, band: str, status: str
                  ) -> tuple[review.QueueFilter, list[int], str | None]:
    """The filter the query string asks for (an agency key sees its own agency only), the
    cycles known, and the agency scope."""
    scope = review.agency_scope(principal)
    known_cycles = review.cycles(session, scope)
    chosen = int_param(cycle)
    if chosen is None and known_cycles:
        chosen = known_cycles[0]
    f = review.QueueFilter(cycle=chosen, agency=scope or choice_param(agency),
                           province=choice_param(province), area=choice_param(area),
                           band=choice_param(band, ("low", "medium", "high")),
                           status=choice_param(status, STATUSES))
    return f, known_cycles, scope


@router.get("/ui/queue/export.{fmt}")
def export(request: Request, principal: Reader, session: SessionDep, fmt: str,
           cycle: str = "", agency: str = "", province: str = "", area: str = "",
           band: str = "", status: str = "") -> Response:
    """The filtered queue, every row, as XLSX or CSV in the page's language."""
    if fmt not in ("xlsx", "csv"):
        raise PageError(404, "err_404")
    lang = lang_of(request)
    f, _, _ = _queue_filter(session, principal, cycle, agency, province, area, band, status)
    sheet = cycle_export(session, f, lang)
    name = f"wastescreen-queue-{f.cycle or 'all'}-{lang}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"',
               "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    if fmt == "csv":
        return Response(sheet.csv(lang), media_type="text/csv; charset=utf-8", headers=headers)
    return Response(sheet.xlsx(), media_type=XLSX, headers=headers)


@router.get("/ui/queue", response_class=HTMLResponse)
def queue(request: Request, principal: Reader, session: SessionDep, cycle: str = "",
          agency: str = "", province: str = "", area: str = "", band: str = "",
          status: str = "", page: str = "") -> HTMLResponse:
    lang = lang_of(request)
    f, known_cycles, scope = _queue_filter(session, principal, cycle, agency, province, area,
                                           band, status)
    chosen = f.cycle
    page_no = max(1, int_param(page) or 1)
    items, total = review.queue(session, f, offset=(page_no - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    options = review.filter_options(session, chosen, scope)
    params = {"cycle": chosen, "agency": None if scope else f.agency, "province": f.province,
              "area": f.area, "band": f.band, "status": f.status}
    rows = [{"rank": (page_no - 1) * PAGE_SIZE + i + 1,
             "href": url(f"/ui/screenings/{it.id}", lang),
             "title": it.title, "code": it.reference_code, "agency": it.agency,
             "province": it.province,
             "area": area_label(it.area, lang), "budget": vnd(it.budget_vnd, lang),
             "score": percent(it.score, lang), "band": it.band,
             "band_label": band_label(it.band, lang),
             "status": status_label("sent_back" if it.status == "decided"
                                    and it.decision == "revise" else it.status, lang),
             "raised": raised_text(it, lang)}
            for i, it in enumerate(items)]
    return render(request, "page_queue.html", {
        "rows": rows, "total": TEXT["count_of"][lang].format(n=number(total, lang)),
        "cycles": known_cycles, "cycle": chosen, "f": f, "agency_fixed": scope,
        "options": {"agencies": options.agencies, "provinces": options.provinces,
                    "areas": [(a, area_label(a, lang)) for a in options.areas],
                    "bands": [(b, band_label(b, lang)) for b in ("high", "medium", "low")],
                    "statuses": [(s, status_label(s, lang)) for s in STATUSES]},
        "labels": {"agency": L.UI["agency"][lang], "province": L.UI["province"][lang],
                   "area": L.UI["technology_area"][lang], "budget": L.UI["total_budget"][lang]},
        "page_label": TEXT["page_of"][lang].format(page=page_no, pages=pages),
        "prev_url": url("/ui/queue", lang, **params, page=page_no - 1) if page_no > 1 else None,
        "next_url": url("/ui/queue", lang, **params, page=page_no + 1)
        if page_no < pages else None,
        "reset_url": url("/ui/queue", lang, cycle=chosen),
        "export_xlsx": url("/ui/queue/export.xlsx", lang, **params),
        "export_csv": url("/ui/queue/export.csv", lang, **params),
    }, principal=principal, lang=lang, title_key="queue_title")
