"""The review report of one screening, as HTML (self-contained) and PDF (WeasyPrint).

One Jinja2 environment, ``autoescape=True`` for every template, is built on first use and kept.
Everything shown is formatted here (locale numbers, VND, labels) and handed to the templates as
plain strings, which the templates escape; the only markup not escaped by the templates is the
packaged stylesheet and the waterfall SVG, whose texts :mod:`reporting.waterfall` escapes.
The HTML needs nothing from the network: no script, no external font, image or stylesheet.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NoReturn

import jinja2
from markupsafe import Markup

from wastescreen.core import reference
from wastescreen.core.labels import flags as F
from wastescreen.core.labels import proposal as P
from wastescreen.core.labels import report as L
from wastescreen.core.labels.revision import TEXT as REVISION_TEXT
from wastescreen.core.locale_format import (
    LANGS,
    Lang,
    date_text,
    datetime_text,
    number,
    percent,
    signed_points,
    vnd,
    yes_no,
)
from wastescreen.domain.proposal import Proposal
from wastescreen.domain.result import MatchEvidence, ScreeningResult
from wastescreen.features.catalogue import TARGETS
from wastescreen.features.value_text import no_track_record, value_text
from wastescreen.reporting.evidence_view import (
    alternative_rows,
    band_source,
    flag_rows,
    real_data_note,
)
from wastescreen.reporting.proposal_view import proposal_view
from wastescreen.reporting.revision_view import RevisionNote, revision_context
from wastescreen.reporting.waterfall import waterfall_steps, waterfall_svg

TOP_CONTRIBUTIONS = 8
_SAFE_URL = re.compile(r"^(https?://[^\s\"'<>]+|/(?!/)[^\s\"'<>]*)$")


@dataclass(frozen=True)
class DecisionView:
    """The reviewer's recorded decision, as printed at the end of the report."""

    decision: str
    rationale: str
    override: bool
    decided_by: str
    decided_at: str | dt.datetime | None = None
    needs_confirmation: bool = False
    confirms: bool = False


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The report's Jinja2 environment (built once; autoescape on for every template)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("wastescreen.report_templates", ""),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    # Our own packaged stylesheets, inlined so the report needs nothing else.
    for name, key in (("report.css", "stylesheet"), ("report-narrow.css", "stylesheet_narrow"),
                      ("report-browser-print.css", "stylesheet_browser_print"),
                      ("badge.css", "stylesheet_badge")):
        css, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        env.globals[key] = Markup(css)  # noqa: S704 - a packaged file, not user input
    return env


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    return environment().get_template("report.html")


_UI: dict[Lang, dict[str, str]] = {lang: {k: v[lang] for k, v in {**L.UI, **F.UI,
                                                                  **P.TEXT}.items()}
                                   for lang in LANGS}


def _score_text(p: float, lang: Lang) -> str:
    return percent(p, lang, 0)


def _evidence_row(m: MatchEvidence, lang: Lang) -> dict[str, Any]:
    c = m.components
    return {
        "code": m.code,
        "name": m.name,
        "host": m.host,
        "province": m.province or "—",
        "distance": L.lookup(L.DISTANCES, m.distance, lang),
        "score": number(m.score, lang, 2),
        "kind": m.kind,
        "kind_label": F.UI[f"kind_{m.kind}"][lang],
        "likelihood": "—" if m.likelihood is None else percent(m.likelihood, lang),
        # Another agency's proposal, as an agency sees it: its components are not shown.
        "components": "—" if m.kind == "proposal" and not m.code else " · ".join(
            f"{k} {'—' if v is None else number(v, lang, 2)}"
            for k, v in zip(("ND", "TB", "ĐĐ", "LV", "KP", "CQ") if lang == "vi"
                            else ("T", "E", "P", "A", "B", "G"),
                            (c.text, c.equipment, c.place, c.area, c.budget, c.agency),
                            strict=True)),
        "equipment": [f"{reference.equipment_name(code, lang)} × {number(n, lang)}"
                      for code, n in sorted(m.shared_equipment.items())],
        "utilisation": "—" if m.utilisation is None else percent(m.utilisation, lang),
        "underused": m.utilisation is not None and m.utilisation < 0.5,
        "shared": "—" if m.open_for_shared_use is None else yes_no(m.open_for_shared_use, lang),
        "budget": "—" if m.budget_vnd is None else vnd(m.budget_vnd, lang),
        "period": m.period or "—",
        "status": "—" if m.status is None else L.lookup(L.PROGRAM_STATUS, m.status, lang),
        "outcome": "—" if m.outcome is None else L.lookup(L.PROGRAM_OUTCOMES, m.outcome, lang),
    }


def _target_order(result: ScreeningResult) -> list[str]:
    known = [t for t in TARGETS if t in result.scores]
    return known + sorted(t for t in result.scores if t not in TARGETS)


def build_view(result: ScreeningResult, *, lang: Lang, screening_id: str,
               submitted_at: str | dt.datetime | None, decision: DecisionView | None,
               model_card_url: str, proposal: Proposal | None = None,
               history: Sequence[DecisionView] = (), revision: RevisionNote | None = None,
               superseded_by: str | None = None) -> dict[str, Any]:
    """Every value the template shows, formatted for ``lang`` (plain strings, not markup)."""
    t = _UI[lang]
    feature_names = L.FEATURES

    def label_for(feature: str, value: float | None) -> str:
        name = L.lookup(feature_names, feature, lang)
        if no_track_record(feature, result.features):
            return f"{name}: {t['no_track_record']}"
        shown = result.features.get(feature, value) if feature == "project_type" else value
        text = value_text(feature, shown, lang)
        return f"{name}: {text}" if text else name

    scores = [{"key": k, "label": L.lookup(L.TARGETS, k, lang),
               "meaning": L.lookup(L.TARGET_MEANINGS, k, lang),
               "score": _score_text(result.scores[k], lang),
               "width": f"{max(0.0, min(1.0, result.scores[k])) * 100:.1f}"}
              for k in _target_order(result)]
    by_target = {ts.target: ts for ts in result.targets}
    charts = []
    for k in _target_order(result):
        ts = by_target.get(k)
        if ts is None:
            continue
        name = L.lookup(L.TARGETS, k, lang)
        steps = waterfall_steps(ts, label_for, t["other_features"] + " ({n})",
                                TOP_CONTRIBUTIONS, calibration_label=t["calibration_step"])
        svg = waterfall_svg(ts, steps, lang=lang, title=f"{t['chart_alt']}: {name}",
                            base_label=t["base_rate"], final_label=t["final_score"],
                            raises=t["raises"], lowers=t["lowers"])
        reasons = [r.text_vi if lang == "vi" else r.text_en
                   for r in result.reasons if r.target == k]
        charts.append({"key": k, "label": name, "score": _score_text(ts.probability, lang),
                       "svg": svg, "reasons": reasons})
    # Most likely duplicates first across kinds (results stored before the likelihood keep
    # their order: labs, programs, proposals, best overlap first within each).
    evidence = [_evidence_row(m, lang) for m in result.evidence]
    area = reference.area_name(result.technology_area, lang)
    url = model_card_url if _SAFE_URL.match(model_card_url) else None
    def shown(d: DecisionView) -> dict[str, Any]:
        return {"decision": L.lookup(L.DECISIONS, d.decision, lang), "rationale": d.rationale,
                "override": d.override,
                "override_text": t["override_yes"] if d.override else t["override_no"],
                "decided_by": d.decided_by, "decided_at": datetime_text(d.decided_at, lang),
                "note": t["awaiting_confirmation"] if d.needs_confirmation
                else t["confirmation"] if d.confirms else ""}

    decision_view = None if decision is None else shown(decision)
    return {
        "lang": lang,
        "t": t,
        "r": result,
        "screening_id": screening_id,
        "submitted_at": datetime_text(submitted_at, lang),
        "snapshot_date": date_text(result.registry_snapshot_date, lang),
        "model_card_url": url,
        "model_card_text": model_card_url,
        "area": area if area == result.technology_area else f"{area} ({result.technology_area})",
        "project_type": L.lookup(L.PROJECT_TYPES, result.project_type, lang),
        "total_budget": vnd(result.total_budget_vnd, lang),
        "overall": _score_text(result.overall_score, lang),
        "overall_width": f"{max(0.0, min(1.0, result.overall_score)) * 100:.1f}",
        "band": result.band,
        "band_label": L.lookup(L.BANDS, result.band, lang),
        "band_meaning": L.lookup(L.BAND_MEANINGS, result.band, lang),
        "bands": [{"key": b, "label": L.BANDS[b][lang], "meaning": L.BAND_MEANINGS[b][lang]}
                  for b in ("low", "medium", "high")],
        "scores": scores,
        "charts": charts,
        "evidence": evidence,
        "flags": flag_rows(result.flags, lang),
        "flags_intro": t["flags_intro"].format(version=result.flag_catalogue_version or "—"),
        "band_source": band_source(result, lang),
        "guard_note": t["guard_note"].format(source=band_source(result, lang)),
        "real_data_note": real_data_note(result, lang),
        "what_if": [{"text": w.description_vi if lang == "vi" else w.description_en,
                     "change": w.change,
                     "score": _score_text(w.new_overall_score, lang),
                     "band": w.new_band,
                     "band_label": L.lookup(L.BANDS, w.new_band, lang),
                     "delta": signed_points(w.delta, lang)}
                    for w in result.what_if[:3]],  # in the screening's order: most help first
        "alternatives": alternative_rows(result, lang),
        "completeness": percent(result.completeness, lang),
        "completeness_width": f"{max(0.0, min(1.0, result.completeness)) * 100:.1f}",
        "missing": [{"code": f, "label": L.lookup(L.FIELDS, f, lang)}
                    for f in result.missing_fields],
        "decision": decision_view,
        "history": [shown(d) for d in history],
        "p": None if proposal is None else proposal_view(proposal, lang),
        "rt": {k: v[lang] for k, v in REVISION_TEXT.items()},
        "revision": None if revision is None else revision_context(revision, lang),
        "superseded_by": None if superseded_by is None
        else REVISION_TEXT["superseded_by"][lang].format(id=superseded_by),
    }


def render_report_html(result: ScreeningResult, *, lang: Lang = "vi", screening_id: str,
                       submitted_at: str | dt.datetime | None = None,
                       decision: DecisionView | None = None,
                       model_card_url: str = "/ui/model-card",
                       proposal: Proposal | None = None,
                       history: Sequence[DecisionView] = (),
                       revision: RevisionNote | None = None,
                       superseded_by: str | None = None) -> str:
    """The report as one self-contained HTML document (Vietnamese by default);
    ``revision``: the version it revises, ``superseded_by``: the version that revised it."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGS}")
    view = build_view(result, lang=lang, screening_id=screening_id, submitted_at=submitted_at,
                      decision=decision, model_card_url=model_card_url, proposal=proposal,
                      history=history, revision=revision, superseded_by=superseded_by)
    return _template().render(view)


def _no_fetch(url: str, *args: object, **kwargs: object) -> NoReturn:
    """WeasyPrint URL fetcher that fetches nothing: the report embeds all it shows."""
    raise ValueError(f"the report does not load external resources ({url[:80]!r})")


def render_report_pdf(result: ScreeningResult, *, lang: Lang = "vi", screening_id: str,
                      submitted_at: str | dt.datetime | None = None,
                      decision: DecisionView | None = None,
                      model_card_url: str = "/ui/model-card",
                      proposal: Proposal | None = None,
                      history: Sequence[DecisionView] = (),
                      revision: RevisionNote | None = None,
                      superseded_by: str | None = None) -> bytes:
    """The same report as an A4 PDF (WeasyPrint, no network access)."""
    import weasyprint  # heavy import; only the PDF path needs it

    html = render_report_html(result, lang=lang, screening_id=screening_id,
                              submitted_at=submitted_at, decision=decision,
                              model_card_url=model_card_url, proposal=proposal,
                              history=history, revision=revision,
                              superseded_by=superseded_by)
    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=_no_fetch).write_pdf()
    return pdf


def labels_for(lang: Lang) -> Mapping[str, str]:
    """The UI labels of one language (for callers that add their own pages around the report)."""
    return _UI[lang]
