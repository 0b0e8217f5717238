"""Reason codes: the largest SHAP contributions said in the catalogue's plain sentences.

Each sentence carries the proposal's value and a comparison point: the 25th–75th percentile of
the feature among past proposals that ended without waste ("comparable projects").
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from wastescreen.core.locale_format import Lang
from wastescreen.domain.result import Reason
from wastescreen.features.catalogue import BY_NAME, FeatureDef
from wastescreen.features.value_text import value_text

Ranges = Mapping[str, Mapping[str, float]]


def format_value(feature: FeatureDef, value: float | str | None, lang: Lang) -> str:
    """A feature value in the reader's words (the report's formatter): 12 %, 3,5 tỷ đồng, có."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "không có dữ liệu" if lang == "vi" else "not given"
    return value_text(feature.name, value, lang) or str(value)


def comparison_text(feature: FeatureDef, ranges: Ranges, lang: Lang) -> str:
    """'comparable projects without waste: 8 %–15 %' (or a plain note when unknown)."""
    rng = ranges.get(feature.name)
    if not rng:
        return "chưa có số liệu so sánh" if lang == "vi" else "no comparison available"
    lo, hi = format_value(feature, rng["p25"], lang), format_value(feature, rng["p75"], lang)
    span = lo if lo == hi else f"{lo}–{hi}"
    if lang == "vi":
        return f"các dự án tương đương không phát sinh lãng phí: {span}"
    return f"comparable projects without waste: {span}"


def sentence(feature: FeatureDef, value: float | str | None, ranges: Ranges, lang: Lang) -> str:
    template = feature.sentence_vi if lang == "vi" else feature.sentence_en
    return template.format(value=format_value(feature, value, lang),
                           comparison=comparison_text(feature, ranges, lang))


def top_reasons(contributions: Mapping[str, np.ndarray], feature_names: list[str],
                values: Mapping[str, float | str | None], ranges: Ranges,
                k: int = 5) -> list[Reason]:
    """The ``k`` largest risk-raising contributions across all targets, one per feature.

    ``contributions``: target -> array (n_features,) of SHAP values on the margin.
    """
    best: dict[str, tuple[float, str]] = {}
    for target, row in contributions.items():
        for j, c in enumerate(row):
            name = feature_names[j]
            if c > 0 and c > best.get(name, (0.0, ""))[0]:
                best[name] = (float(c), target)
    ranked = sorted(best.items(), key=lambda kv: -kv[1][0])[:k]
    out = []
    for name, (c, target) in ranked:
        feature = BY_NAME[name]
        value = values.get(name)
        numeric = None if isinstance(value, str) or value is None else float(value)
        out.append(Reason(
            feature=name, target=target, contribution=round(c, 6),
            value=None if numeric is None or math.isnan(numeric) else numeric,
            value_text_vi=format_value(feature, value, "vi"),
            value_text_en=format_value(feature, value, "en"),
            text_vi=sentence(feature, value, ranges, "vi"),
            text_en=sentence(feature, value, ranges, "en")))
    return out
