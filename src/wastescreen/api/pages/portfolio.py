"""The portfolio of a cycle: risk by agency, managing level, province and area, and the
clusters of same-cycle proposals that overlap one another, with the budget they add up to."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from wastescreen.api.deps import SessionDep
from wastescreen.api.pages.auth import Reader
from wastescreen.api.pages.layout import (
    PageRoute,
    area_label,
    band_label,
    int_param,
    lang_of,
    level_label,
    render,
    url,
)
from wastescreen.core.labels import report as L
from wastescreen.core.labels.pages import TEXT
from wastescreen.core.locale_format import Lang, number, percent, vnd
from wastescreen.screening import review
from wastescreen.screening.portfolio import Group, portfolio_of

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _group_rows(groups: Sequence[Group], lang: Lang, label: Callable[[str], str]
                ) -> list[dict[str, str]]:
    return [{"key": label(g.key), "level": level_label(g.level, lang),
             "count": number(g.count, lang), "mean": percent(g.mean_score, lang),
             "high": percent(g.high_share, lang), "budget": vnd(g.budget_vnd, lang)}
            for g in groups]


@router.get("/ui/portfolio", response_class=HTMLResponse)
def portfolio(request: Request, principal: Reader, session: SessionDep,
              cycle: str = "") -> HTMLResponse:
    lang = lang_of(request)
    scope = review.agency_scope(principal)
    known = review.cycles(session, scope)
    chosen = int_param(cycle) or (known[0] if known else None)
    pf = portfolio_of(session, chosen, scope)

    clusters = []
    for i, c in enumerate(pf.clusters, start=1):
        clusters.append({
            "heading": TEXT["cluster"][lang].format(i=i, n=len(c.members), a=c.agencies,
                                                    b=vnd(c.budget_vnd, lang)),
            "best": number(c.best_overlap, lang, 2),
            "members": [{"title": m.title, "agency": m.agency, "province": m.province,
                         "budget": vnd(m.budget_vnd, lang), "band": m.band,
                         "band_label": band_label(m.band, lang),
                         "score": percent(m.score, lang),
                         "later": TEXT["filed_after"][lang].format(n=n)
                         if (n := c.unseen_copies(m)) else "",
                         "href": url(f"/ui/screenings/{m.screening_id}", lang)}
                        for m in c.members]})
    total = pf.total
    return render(request, "page_portfolio.html", {
        "cycles": known, "cycle": chosen,
        "summary": {"count": number(total.count, lang), "mean": percent(total.mean_score, lang),
                    "high": percent(total.high_share, lang),
                    "budget": vnd(total.budget_vnd, lang)},
        "tables": [
            {"id": "by-agency", "title": TEXT["by_agency"][lang], "with_level": True,
             "rows": _group_rows(pf.by_agency, lang, str)},
            {"id": "by-level", "title": TEXT["by_level"][lang], "with_level": False,
             "rows": _group_rows(pf.by_level, lang, lambda k: level_label(k, lang))},
            {"id": "by-province", "title": TEXT["by_province"][lang], "with_level": False,
             "rows": _group_rows(pf.by_province, lang, str)},
            {"id": "by-area", "title": TEXT["by_area"][lang], "with_level": False,
             "rows": _group_rows(pf.by_area, lang, lambda a: area_label(a, lang))},
        ],
        "clusters": clusters,
        "clusters_intro": TEXT["clusters_intro"][lang].format(t=number(pf.threshold, lang, 2)),
        "labels": {"agency": L.UI["agency"][lang], "province": L.UI["province"][lang],
                   "level": TEXT["f_managing_level"][lang]},
    }, principal=principal, lang=lang, title_key="portfolio_title")
