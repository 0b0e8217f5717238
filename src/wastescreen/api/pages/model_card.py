"""The model card as a page (vi/en) for every signed-in role: what the model in use is for and
not for, what it was trained on, how it measured, what rests on real data, its features."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from wastescreen.api.pages.auth import Anyone
from wastescreen.api.pages.layout import PageError, PageRoute, lang_of, render
from wastescreen.core.labels import report as L
from wastescreen.core.labels.model_card import TEXT as M
from wastescreen.core.locale_format import Lang, number, percent
from wastescreen.features.catalogue import BY_NAME
from wastescreen.screening.usecases import Screener

router = APIRouter(route_class=PageRoute, include_in_schema=False)
METRICS = ("roc_auc", "pr_auc", "brier", "base_rate")


def _metrics(card: dict[str, Any], lang: Lang) -> list[dict[str, str]]:
    rows = []
    for target, m in card.get("metrics_summary", {}).items():
        rows.append({"target": L.lookup(L.TARGETS, target, lang)
                     if target != "overall" else M["overall"][lang],
                     "n": number(float(m.get("n", 0)), lang),
                     **{k: "—" if m.get(k) is None else
                        (percent(float(m[k]), lang) if k == "base_rate"
                         else number(float(m[k]), lang, 3)) for k in METRICS}})
    return rows


def _features(card: dict[str, Any], lang: Lang) -> list[dict[str, str]]:
    rows = []
    for f in card.get("features", []):
        spec = BY_NAME.get(f["name"])
        direction = spec.direction if spec else 0
        rows.append({"name": L.lookup(L.FEATURES, f["name"], lang), "code": f["name"],
                     "direction": M[f"direction_{direction}"][lang],
                     "monotone": ", ".join(L.lookup(L.TARGETS, t, lang) + (" ↑" if s > 0 else
                                                                           " ↓")
                                           for t, s in sorted(f.get("monotone", {}).items()))})
    return rows


def _bands(thresholds: dict[str, Any], lang: Lang) -> str:
    """"Trung bình ≥ 35 % · Cao ≥ 60 %": the overall score from which each band starts."""
    return " · ".join(f"{L.lookup(L.BANDS, b, lang)} ≥ {percent(float(thresholds[b]), lang)}"
                      for b in ("medium", "high") if thresholds.get(b) is not None)


def _said(recorded: str, key: str, lang: Lang) -> str:
    """The card's text in the page's language when it is the text the catalogue knows."""
    return M[key][lang] if recorded == M[key]["en"] else recorded


@router.get("/ui/model-card", response_class=HTMLResponse)
def model_card(request: Request, principal: Anyone) -> HTMLResponse:
    lang = lang_of(request)
    screener: Screener = request.app.state.screener
    engine = screener.engine
    if engine is None or engine.model is None:
        raise PageError(503, "err_503")
    card = engine.model.card
    data = card.get("training_data", {})
    sources = card.get("evidence_sources", {})
    likelihood = sources.get("duplicate_likelihood", {})
    held_out = likelihood.get("held_out_brier", {})
    return render(request, "page_model_card.html", {
        "card": card, "version": card.get("version", ""),
        "synthetic_training": bool(card.get("synthetic_training_data")),
        "rows": number(float(data.get("rows", 0)), lang),
        "time_range": " – ".join(str(x) for x in data.get("time_range", [])),
        "data_sha256": data.get("data_sha256", ""),
        "metrics": _metrics(card, lang), "features": _features(card, lang),
        "flags_version": sources.get("red_flags", {}).get("catalogue_version", "—"),
        "likelihood_fitted": likelihood.get("fitted_on", "—"),
        "likelihood_source": likelihood.get("data", {}).get("source", "—"),
        "likelihood_brier": {k: number(float(v), lang, 3) for k, v in held_out.items()},
        "libraries": card.get("library_versions", {}),
        "intended_use": _said(card.get("intended_use", ""), "intended_use_text", lang),
        "limits": _said(card.get("limits", ""), "limits_text", lang),
        "bands": _bands(card.get("band_thresholds", {}), lang),
        "m": {k: v[lang] for k, v in M.items()},
    }, principal=principal, lang=lang, title_key="model_card_title")
