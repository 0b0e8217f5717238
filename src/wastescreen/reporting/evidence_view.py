"""The evidence-first parts of the report: the red flags and the band they set, and the labs
whose equipment the proposal could use instead of buying it."""

from __future__ import annotations

from typing import Any

from wastescreen.core import reference
from wastescreen.core.labels import report as L
from wastescreen.core.labels.flags import UI as F
from wastescreen.core.locale_format import Lang, date_text, number, percent, yes_no
from wastescreen.domain.result import FlagEvidence, FlagOutcome, ScreeningResult

_ORDER = {"fired": 0, "not_fired": 1, "not_applicable": 2}


def _evidence_line(e: FlagEvidence, lang: Lang) -> str:
    parts = [f"{e.code} «{e.name}»" if e.code else e.name]
    if e.agency:
        parts.append(e.agency)
    if e.status:
        parts.append(L.lookup(L.PROGRAM_STATUS, e.status, lang))
    if e.likelihood is not None:
        parts.append(f"{F['col_likelihood'][lang]} {percent(e.likelihood, lang)}")
    if e.kind == "lab":
        if e.utilisation is not None:
            used = f"{L.UI['col_utilisation'][lang]} {percent(e.utilisation, lang)}"
            if e.utilisation_measured_on or e.utilisation_measured_by:
                used += " (" + F["measured"][lang].format(
                    on=date_text(e.utilisation_measured_on, lang),
                    by=e.utilisation_measured_by or "—") + ")"
            parts.append(used)
        if e.spare_hours is not None:
            parts.append(F["spare_hours"][lang].format(n=number(e.spare_hours, lang)))
        if e.open_for_shared_use is not None:
            parts.append(f"{L.UI['col_shared'][lang]}: {yes_no(e.open_for_shared_use, lang)}")
    return " · ".join(p for p in parts if p)


def flag_rows(flags: list[FlagOutcome], lang: Lang) -> list[dict[str, Any]]:
    """Fired flags first (high before medium), then not fired, then not applicable."""
    rows = []
    for f in sorted(flags, key=lambda f: (_ORDER[f.status], f.severity != "high", f.id)):
        rows.append({
            "id": f.id, "status": f.status, "severity": f.severity,
            "status_label": F[f"flag_{f.status}"][lang],
            "severity_label": F[f"severity_{f.severity}"][lang],
            "name": f.name_vi if lang == "vi" else f.name_en,
            "text": f.text_vi if lang == "vi" else f.text_en,
            "basis": f.basis_vi if lang == "vi" else f.basis_en,
            "evidence": [_evidence_line(e, lang) for e in f.evidence[:5]],
        })
    return rows


def _raising(flag: FlagOutcome, lang: Lang) -> str:
    """A flag that raised the band, with the item it cites first: "RF01: Near-copy of an
    ongoing program (PRG-00002, duplicate likelihood 97 %)"."""
    name = f"{flag.id}: {flag.name_vi if lang == 'vi' else flag.name_en}"
    item = flag.evidence[0] if flag.evidence else None
    if item is None:
        return name
    if item.likelihood is not None:
        cited = F["cited_match"][lang].format(code=item.code,
                                              likelihood=percent(item.likelihood, lang))
    elif item.utilisation is not None:
        cited = F["cited_lab"][lang].format(code=item.code,
                                            utilisation=percent(item.utilisation, lang))
    else:
        cited = item.code
    return f"{name} ({cited})"


def band_source(result: ScreeningResult, lang: Lang) -> str:
    """Where the band comes from: the model, or the flags that raised it above the model's."""
    if not result.raised_by or result.model_band is None:
        return F["band_from_model"][lang]
    by_id = {f.id: f for f in result.flags}
    flags = "; ".join(_raising(by_id[i], lang) if i in by_id else i for i in result.raised_by)
    return F["band_raised"][lang].format(
        score=percent(result.overall_score, lang),
        model_band=L.lookup(L.BANDS, result.model_band, lang),
        band=L.lookup(L.BANDS, result.band, lang), flags=flags)


def real_data_note(result: ScreeningResult, lang: Lang) -> str:
    """Which parts of the screening rest on real data and which on the model."""
    synthetic = F["synthetic_model_note"][lang] if result.model_trained_on_synthetic_data else ""
    return F["real_data_note"][lang].format(synthetic=synthetic)


def _signed(delta: float, lang: Lang) -> str:
    body = number(abs(delta) * 100, lang, 0)
    return f"\u2212{body}" if delta < 0 else f"+{body}"


def alternative_rows(result: ScreeningResult, lang: Lang) -> list[dict[str, Any]]:
    """The labs that hold requested equipment, as the report lists them (most saving first)."""
    rows = []
    for o in result.alternatives:
        measured = ""
        if o.utilisation_measured_on or o.utilisation_measured_by:
            measured = F["measured"][lang].format(on=date_text(o.utilisation_measured_on, lang),
                                                   by=o.utilisation_measured_by or "—")
        rows.append({
            "code": o.lab_code, "name": o.name, "host": o.host, "province": o.province,
            "categories": [reference.equipment_name(c, lang) for c in o.categories],
            "utilisation": "—" if o.utilisation is None else percent(o.utilisation, lang),
            "measured": measured,
            "spare": "—" if o.spare_hours is None else number(o.spare_hours, lang),
            "open": yes_no(o.open_for_shared_use, lang),
            "if_used": "—" if o.new_overall_score is None or o.delta is None else
            f"{percent(o.new_overall_score, lang)} ({_signed(o.delta, lang)} "
            f"{F['points'][lang]})",
            "band": o.new_band or "",
            "band_label": L.lookup(L.BANDS, o.new_band, lang) if o.new_band else "",
        })
    return rows
