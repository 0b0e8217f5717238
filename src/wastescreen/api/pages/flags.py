"""The red-flag catalogue as a public page (no sign-in): the rules every proposal is held to."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from wastescreen.api.deps import SessionDep
from wastescreen.api.pages.auth import COOKIE, current_principal
from wastescreen.api.pages.layout import PageRoute, lang_of, render
from wastescreen.core.labels.flags import UI as F
from wastescreen.core.locale_format import Lang, number, percent, vnd
from wastescreen.features.red_flags import Condition, FlagCatalogue, flag_catalogue

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _condition_text(c: Condition, catalogue: FlagCatalogue, lang: Lang) -> str:
    """"<what the quantity is> >= 80 %": the rule as a reader checks it."""
    q = catalogue.quantities[c.quantity]
    value = (percent(c.threshold, lang) if q.unit == "share" else vnd(c.threshold, lang)
             if q.unit == "vnd" else number(c.threshold, lang))
    return f"{q.description[lang]} {c.op} {value}"


@router.get("/public/flags", response_class=HTMLResponse)
def flags_page(request: Request, session: SessionDep) -> HTMLResponse:
    lang = lang_of(request)
    principal = current_principal(request, session) if request.cookies.get(COOKIE) else None
    catalogue = flag_catalogue()
    rows = [{"id": f.id, "severity": f.severity,
             "severity_label": F[f"severity_{f.severity}"][lang], "name": f.name[lang],
             "rule": (" và " if lang == "vi" else " and ").join(
                 _condition_text(c, catalogue, lang) for c in f.rule),
             "not_applicable": f.not_applicable_text[lang], "basis": f.basis[lang],
             "evidence": f.evidence_text[lang]} for f in catalogue.flags]
    return render(request, "page_flags.html", {
        "rows": rows, "version": catalogue.version, "adopted_on": catalogue.adopted_on,
        "intro": F["flags_intro"][lang].format(version=catalogue.version),
        "json_url": "/v1/flags",
    }, principal=principal, lang=lang, title_key="flags_title")
