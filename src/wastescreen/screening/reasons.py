"""Reason codes: the largest risk-raising SHAP contributions, said as true sentences.

A contribution becomes a reason only when its sentence is true of this proposal:

- a number is set against its comparable range (the 25th–75th percentile among past proposals
  that ended without waste) only when it lies outside that range on the risky side; inside the
  range it is not a reason, whatever its contribution;
- a yes/no feature is a reason only on its risky side ("no shared-use plan"), compared with the
  share of comparable projects that have it;
- a category says which way and against what ("a new laboratory: riskier than an upgrade of an
  existing lab, waste in 31 % of past ones against 18 %");
- an agency without earlier projects of known outcome is said to have none; the default rate
  the model assumes for it is never shown as a fact.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from wastescreen.core.labels import report as L
from wastescreen.core.labels.reasons import TEXT
from wastescreen.core.locale_format import Lang, percent
from wastescreen.domain.result import Reason
from wastescreen.features.catalogue import BY_NAME, FeatureDef
from wastescreen.features.value_text import no_track_record, value_text

Ranges = Mapping[str, Mapping[str, float]]
Rates = Mapping[str, Mapping[str, float]]


def format_value(feature: FeatureDef, value: float | str | None, lang: Lang) -> str:
    """A feature value in the reader's words (the report's formatter): 12 %, 3,5 tỷ đồng, có."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return TEXT["not_given"][lang]
    return value_text(feature.name, value, lang) or str(value)


def outside_on_risky_side(feature: FeatureDef, value: float, rng: Mapping[str, float]) -> bool:
    """Whether ``value`` lies outside the comparable range on the side that raises risk."""
    if feature.direction > 0:
        return value > rng["p75"]
    if feature.direction < 0:
        return value < rng["p25"]
    return value > rng["p75"] or value < rng["p25"]


def _range_text(feature: FeatureDef, rng: Mapping[str, float], lang: Lang) -> str:
    lo, hi = format_value(feature, rng["p25"], lang), format_value(feature, rng["p75"], lang)
    return TEXT["comparable_range"][lang].format(span=lo if lo == hi else f"{lo}–{hi}")


def _numeric(feature: FeatureDef, value: float, ranges: Ranges, lang: Lang) -> str | None:
    rng = ranges.get(feature.name)
    if rng is None:
        comparison = TEXT["no_comparison"][lang]
    elif not outside_on_risky_side(feature, value, rng):
        return None
    else:
        comparison = _range_text(feature, rng, lang)
    template = feature.sentence_vi if lang == "vi" else feature.sentence_en
    return template.format(value=format_value(feature, value, lang), comparison=comparison)


def _boolean(feature: FeatureDef, value: float, ranges: Ranges, lang: Lang) -> str | None:
    risky = value < 0.5 if feature.direction < 0 else value >= 0.5
    if not risky:
        return None
    share = ranges.get(feature.name, {}).get("mean")
    comparison = (TEXT["comparable_share"][lang].format(share=percent(share, lang))
                  if share is not None else TEXT["no_comparison"][lang])
    template = feature.sentence_vi if lang == "vi" else feature.sentence_en
    return template.format(value=format_value(feature, value, lang), comparison=comparison)


def _category(feature: FeatureDef, value: str, rates: Rates, lang: Lang) -> str | None:
    known = rates.get(feature.name, {})
    if value not in known or len(known) < 2:
        comparison = TEXT["category_unknown"][lang]
    else:
        best = min(known, key=lambda k: (known[k], k))
        if known[best] >= known[value]:
            return None  # the least risky kind: not a reason to worry
        comparison = TEXT["category_against"][lang].format(
            other=L.lookup(L.PROJECT_TYPES, best, lang).lower(),
            rate=percent(known[value], lang), other_rate=percent(known[best], lang))
    template = feature.sentence_vi if lang == "vi" else feature.sentence_en
    return template.format(value=L.lookup(L.PROJECT_TYPES, value, lang),
                           comparison=comparison)


def sentence(feature: FeatureDef, value: float | str | None, values: Mapping[str, object],
             ranges: Ranges, rates: Rates, lang: Lang) -> str | None:
    """The reason's sentence, or None when the feature's value is no reason (see above)."""
    if no_track_record(feature.name, values):
        return TEXT["no_history"][lang]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        return _category(feature, value, rates, lang)
    if feature.kind == "boolean":
        return _boolean(feature, float(value), ranges, lang)
    return _numeric(feature, float(value), ranges, lang)


def top_reasons(contributions: Mapping[str, np.ndarray], feature_names: list[str],
                values: Mapping[str, float | str | None], ranges: Ranges,
                rates: Rates | None = None, k: int = 5) -> list[Reason]:
    """The ``k`` largest risk-raising contributions across all targets, one per feature, whose
    sentence is true of this proposal (a missing track record is said once).

    ``contributions``: target -> array (n_features,) of SHAP values on the margin.
    """
    best: dict[str, tuple[float, str]] = {}
    for target, row in contributions.items():
        for j, c in enumerate(row):
            name = feature_names[j]
            if c > 0 and c > best.get(name, (0.0, ""))[0]:
                best[name] = (float(c), target)
    out: list[Reason] = []
    said: set[str] = set()
    for name, (c, target) in sorted(best.items(), key=lambda kv: -kv[1][0]):
        feature, value = BY_NAME[name], values.get(name)
        text_vi = sentence(feature, value, values, ranges, rates or {}, "vi")
        text_en = sentence(feature, value, values, ranges, rates or {}, "en")
        if text_vi is None or text_en is None or text_en in said:
            continue
        said.add(text_en)
        numeric = None if isinstance(value, str) or value is None else float(value)
        out.append(Reason(
            feature=name, target=target, contribution=round(c, 6),
            value=None if numeric is None or math.isnan(numeric) else numeric,
            value_text_vi=format_value(feature, value, "vi"),
            value_text_en=format_value(feature, value, "en"), text_vi=text_vi, text_en=text_en))
        if len(out) == k:
            break
    return out
