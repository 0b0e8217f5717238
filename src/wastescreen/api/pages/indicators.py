"""The public indicators per agency (no sign-in; nothing that identifies a proposal)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from wastescreen.api.deps import SessionDep
from wastescreen.api.pages.auth import COOKIE, current_principal
from wastescreen.api.pages.layout import PageRoute, int_param, lang_of, render, url
from wastescreen.core.labels import report as L
from wastescreen.core.locale_format import number, percent
from wastescreen.screening import review
from wastescreen.screening.indicators import Indicator, indicators, indicators_csv

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/public/indicators", response_class=HTMLResponse)
def public_indicators(request: Request, session: SessionDep, cycle: str = "",
                      format: str = "html") -> Response:
    lang = lang_of(request)
    known = review.cycles(session, None)
    chosen = int_param(cycle) or (known[0] if known else None)
    items, total = indicators(session, chosen)
    if format == "csv":
        name = f"wastescreen-indicators-{chosen or 'all'}.csv"
        return Response(indicators_csv(items, chosen), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"',
                                 "X-Content-Type-Options": "nosniff"})
    principal = current_principal(request, session) if request.cookies.get(COOKIE) else None

    def row(i: Indicator) -> dict[str, str]:
        return {"agency": i.agency, "screened": number(i.screened, lang),
                "high": number(i.high, lang), "high_share": percent(i.high_share, lang),
                "decided": number(i.decided, lang), "overrides": number(i.overrides, lang),
                "override_share": percent(i.override_share, lang)}

    return render(request, "page_indicators.html", {
        "cycles": known, "cycle": chosen, "rows": [row(i) for i in items], "total": row(total),
        "csv_url": url("/public/indicators", lang, cycle=chosen, format="csv"),
        "agency_label": L.UI["agency"][lang],
    }, principal=principal, lang=lang, title_key="public_title")
