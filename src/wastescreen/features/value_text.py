"""A feature's value as a reader reads it, in the catalogue's display format and their language.

Reasons, the report and the pages all show feature values through ``value_text``: 12 %, 3,5 tỷ
đồng, có / yes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from wastescreen.core.labels import report as L
from wastescreen.core.locale_format import Lang, number, percent, vnd, yes_no
from wastescreen.features.catalogue import BY_NAME

# The agency's track record: with no earlier project of known outcome, its rates are the
# smoothing prior, not a fact about the agency, and are never shown as one.
TRACK_RECORD = ("agency_past_idle_rate", "agency_past_duplication_rate",
                "agency_past_nondelivery_rate", "agency_past_projects")


def no_track_record(feature: str, values: Mapping[str, object]) -> bool:
    """True when ``feature`` is part of a track record the agency does not have (``values``:
    the proposal's feature values, by name)."""
    return feature in TRACK_RECORD and not values.get("agency_past_projects")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not (isinstance(value, float) and math.isnan(value))


def value_text(feature: str, value: float | str | None, lang: Lang) -> str:
    """A feature's value in the catalogue's display format, or "" when there is none to show."""
    spec = BY_NAME.get(feature)
    if isinstance(value, str):
        return L.lookup(L.PROJECT_TYPES, value, lang)
    if spec is None or value is None or not _is_number(value):
        return ""
    v = float(value)
    match spec.fmt:
        case "score":
            return number(v, lang, 2)
        case "percent":
            return percent(v, lang, 1 if 0 < abs(v) < 0.1 else 0)
        case "count" | "trl":
            return number(v, lang, 0)
        case "ratio":
            return number(v, lang, 1)
        case "log10_vnd":
            return vnd(10.0**v, lang)
        case "bool":
            return yes_no(v >= 0.5, lang)
        case _:
            return ""
