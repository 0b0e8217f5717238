"""A revised version as the report shows it: the notes it answers, how the score moved, what
changed in the proposal and the agency's answers beside the flags (plain strings)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wastescreen.core import reference
from wastescreen.core.labels import report as L
from wastescreen.core.labels.proposal import field_label
from wastescreen.core.labels.revision import TEXT as R
from wastescreen.core.locale_format import (
    Lang,
    date_text,
    datetime_text,
    number,
    percent,
    signed_points,
    vnd,
)
from wastescreen.features.red_flags import flag_catalogue

MONEY = ("total_budget_vnd", "cofunding_vnd", "om_budget_vnd_per_year")
DATES = ("submitted_on", "start_date", "end_date")


@dataclass(frozen=True)
class RevisionNote:
    """What the report needs of a revised version. ``changes``: (field, before, after) as
    JSON values (for lists: the items removed and added); ``flags``: (flag id, fired before,
    fires now, the agency's answer or None); ``sent_back``: (when, who, notes) or None."""

    previous_id: str
    previous_score: float
    previous_band: str
    score: float
    band: str
    sent_back: tuple[Any, str, str] | None
    changes: Sequence[tuple[str, Any, Any]]
    flags: Sequence[tuple[str, bool, bool, str | None]]


def _item_text(field: str, item: Mapping[str, Any], lang: Lang) -> str:
    if field == "equipment":
        return (f"{item.get('name')} × {number(int(item.get('quantity', 1)), lang)} "
                f"({reference.equipment_name(str(item.get('category')), lang)}, "
                f"{vnd(int(item.get('unit_cost_vnd', 0)), lang)})")
    if field == "kpis":
        target = item.get("target")
        shown = "—" if target is None else f"{number(float(target), lang, 2)} {item.get('unit')}"
        return f"{item.get('metric')}: {shown.strip()} · {item.get('deadline') or '—'}"
    if field == "researchers":
        return str(item.get("name")) + (f" ({item['role']})" if item.get("role") else "")
    return str(item)


def field_value_text(field: str, value: Any, lang: Lang) -> str:
    """One value of a proposal field as a person reads it (money, dates, codes by name)."""
    if value is None or value == "" or value == []:
        return "—"
    if field in MONEY:
        return vnd(int(value), lang)
    if field in DATES:
        return date_text(str(value), lang)
    if field == "budget" and isinstance(value, Mapping):
        return " · ".join(f"{field_label('budget_' + k, lang)} {vnd(int(v), lang)}"
                          for k, v in value.items())
    if field == "technology_area":
        return reference.area_name(str(value), lang)
    if field == "project_type":
        return L.lookup(L.PROJECT_TYPES, str(value), lang)
    if isinstance(value, list):
        return "; ".join(_item_text(field, v, lang) for v in value)
    return str(value)


def revision_context(note: RevisionNote, lang: Lang) -> dict[str, Any]:
    """The template's values for the revision section."""
    names = {f.id: f.name[lang] for f in flag_catalogue().flags}
    lists = ("equipment", "kpis", "researchers")
    when = None if note.sent_back is None else {
        "by": R["sent_back_by"][lang].format(at=datetime_text(note.sent_back[0], lang),
                                             who=note.sent_back[1]),
        "notes": note.sent_back[2]}
    return {
        "of": R["revision_of"][lang].format(id=note.previous_id),
        "sent_back": when,
        "before": f"{percent(note.previous_score, lang)} "
                  f"({L.lookup(L.BANDS, note.previous_band, lang)})",
        "now": f"{percent(note.score, lang)} ({L.lookup(L.BANDS, note.band, lang)})",
        "delta": signed_points(note.score - note.previous_score, lang),
        "changes": [{"field": field_label(f, lang),
                     "before": (R["removed"][lang] + ": " if f in lists else "")
                     + field_value_text(f, b, lang),
                     "after": (R["added"][lang] + ": " if f in lists else "")
                     + field_value_text(f, a, lang)} for f, b, a in note.changes],
        "flags": [{"id": i, "name": names.get(i, i),
                   "before": R["fired" if was else "not_fired"][lang],
                   "now": R["fired" if now else "not_fired"][lang], "fires_now": now,
                   "answer": answer} for i, was, now, answer in note.flags],
    }
