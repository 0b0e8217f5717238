"""The submission form: its fields and sections, the payload it makes, and its errors.

The form is the flat format (``domain.flat_format``) as inputs: scalar fields keep their names,
the budget lines are ``budget_*``. The lists (equipment, outputs, researchers) are rows of
inputs named ``<list>-<row>-<field>`` (``equipment-0-unit_cost_vnd``); a person adds or removes
a row with a button that sends the form back (``action`` ``add:equipment`` or
``remove:equipment:2``), so no script is needed. Blank rows are left out of the proposal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile

from wastescreen.core import reference
from wastescreen.core.labels import report as L
from wastescreen.core.labels.pages import TEXT
from wastescreen.core.labels.proposal import field_label
from wastescreen.core.locale_format import Lang
from wastescreen.domain.errors import FieldError
from wastescreen.domain.flat_format import BUDGET_FIELDS, BUDGET_PREFIX
from wastescreen.domain.proposal import ManagingLevel, ProjectType

_DIGITS_WITH_SEPARATORS = re.compile(r"^\d{1,3}([., _]\d{3})+$")

FIELD_KINDS: dict[str, str] = {
    "reference_code": "text", "cycle": "number", "title": "text", "summary": "textarea",
    "objectives": "textarea", "agency": "text", "managing_level": "select",
    "province": "select", "technology_area": "select", "project_type": "select",
    "total_budget_vnd": "vnd", **{f"{BUDGET_PREFIX}{b}": "vnd" for b in BUDGET_FIELDS},
    "cofunding_vnd": "vnd", "cofunding_sources": "text", "submitted_on": "date",
    "start_date": "date", "duration_months": "number", "end_date": "date", "trl_start": "number",
    "trl_target": "number", "om_budget_vnd_per_year": "vnd", "shared_use_plan": "textarea",
}
# Each list's row fields and their kinds (as FIELD_KINDS).
ROWS: dict[str, dict[str, str]] = {
    "equipment": {"name": "text", "category": "select", "quantity": "number",
                  "unit_cost_vnd": "vnd", "specification": "text"},
    "kpis": {"metric": "text", "target": "number", "unit": "text", "deadline": "date"},
    "researchers": {"name": "text", "role": "text"},
}
MAX_ROWS = 200
BLANK_ROWS = 2  # rows offered when the form opens
_ROW_KEY = re.compile(r"^(equipment|kpis|researchers)-(\d{1,3})-([a-z_]+)$")
# A revised version's answer to a red flag (``answer-RF03``).
_ANSWER_KEY = re.compile(r"^answer-RF\d{2}$")
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sec_basic", ("title", "summary", "objectives", "agency", "managing_level", "province",
                   "technology_area", "project_type", "cycle", "reference_code")),
    ("sec_budget", ("total_budget_vnd", *(f"{BUDGET_PREFIX}{b}" for b in BUDGET_FIELDS),
                    "cofunding_vnd", "cofunding_sources")),
    ("sec_schedule", ("submitted_on", "start_date", "duration_months", "end_date", "trl_start",
                      "trl_target")),
    ("sec_use", ("om_budget_vnd_per_year", "shared_use_plan")),
)
REQUIRED = frozenset({"cycle", "title", "agency", "managing_level", "province",
                      "technology_area", "project_type", "total_budget_vnd", "submitted_on",
                      "start_date", "duration_months", "trl_start", "trl_target"})
Rows = dict[str, list[dict[str, str]]]


def _options(name: str, lang: Lang) -> list[tuple[str, str]]:
    if name == "managing_level":
        return [(m.value, TEXT[f"level_{m.value}"][lang]) for m in ManagingLevel]
    if name == "province":
        return [(p.name_vi, p.name_vi) for p in reference.provinces()]
    if name == "technology_area":
        latest = reference.latest_area_version()
        return [(a.code, a.name_vi if lang == "vi" else a.name_en)
                for a in reference.technology_areas() if a.version == latest]
    if name == "project_type":
        return [(p.value, L.lookup(L.PROJECT_TYPES, p.value, lang)) for p in ProjectType]
    return []


def form_sections(values: Mapping[str, str], errors: Sequence[FieldError], lang: Lang,
                  agency_fixed: str | None) -> list[dict[str, Any]]:
    """The form's scalar sections with each field's label, value, options and errors."""
    by_field: dict[str, list[str]] = {}
    for e in errors:
        if e.column in ROWS:
            continue  # shown beside its row (``list_sections``)
        name = e.column if e.column in FIELD_KINDS or e.column == "budget" else ""
        detail = f"{e.field}: {e.message(lang)}" if e.field != e.column else e.message(lang)
        by_field.setdefault(name, []).append(detail)
    sections = []
    for key, names in SECTIONS:
        fields = []
        for name in names:
            kind = FIELD_KINDS[name]
            fields.append({
                "name": name, "kind": kind, "label": field_label(name, lang),
                "value": agency_fixed if name == "agency" and agency_fixed
                else values.get(name, ""),
                "readonly": name == "agency" and agency_fixed is not None,
                "required": name in REQUIRED, "options": _options(name, lang),
                "errors": by_field.get(name, []),
                "hint": TEXT["vnd_hint"][lang] if kind == "vnd" else "",
            })
        sections.append({"title": TEXT[key][lang], "fields": fields,
                         "errors": by_field.get("budget", []) if key == "sec_budget" else []})
    return sections


def list_sections(rows: Rows, errors: Sequence[FieldError], lang: Lang) -> list[dict[str, Any]]:
    """The lists as tables of rows: each cell with its value, options and errors."""
    cell_errors: dict[tuple[str, int, str], list[str]] = {}
    list_errors: dict[str, list[str]] = {}
    for e in errors:
        parts = e.field.split(".")
        if parts[0] not in ROWS:
            continue
        if len(parts) >= 3 and parts[1].isdigit():
            cell_errors.setdefault((parts[0], int(parts[1]), parts[2]), []).append(
                e.message(lang))
        else:
            list_errors.setdefault(parts[0], []).append(e.message(lang))
    out = []
    for name, fields in ROWS.items():
        shown = rows.get(name) or [{}]
        out.append({
            "name": name, "title": field_label(name, lang), "errors": list_errors.get(name, []),
            "columns": [{"name": f, "label": TEXT[f"row_{name}_{f}"][lang]} for f in fields],
            "rows": [{"index": i, "cells": [
                {"name": f"{name}-{i}-{f}", "field": f, "kind": kind,
                 "label": TEXT[f"row_{name}_{f}"][lang], "value": row.get(f, ""),
                 "options": _row_options(f, lang),
                 "errors": cell_errors.get((name, i, f), [])}
                for f, kind in fields.items()]} for i, row in enumerate(shown)],
        })
    return out


def _row_options(field: str, lang: Lang) -> list[tuple[str, str]]:
    if field != "category":
        return []
    return [(c.code, c.name_vi if lang == "vi" else c.name_en)
            for c in reference.equipment_categories()]


def _vnd_text(value: str) -> str:
    text = value.strip()
    if _DIGITS_WITH_SEPARATORS.match(text):
        return re.sub(r"[., _]", "", text)
    return text


def rows_from_form(form: Mapping[str, str]) -> Rows:
    """The list rows of the form in row order (gaps closed), at most ``MAX_ROWS`` each."""
    found: dict[str, dict[int, dict[str, str]]] = {name: {} for name in ROWS}
    for key, value in form.items():
        m = _ROW_KEY.match(key)
        if m and m.group(3) in ROWS[m.group(1)] and int(m.group(2)) < MAX_ROWS:
            found[m.group(1)].setdefault(int(m.group(2)), {})[m.group(3)] = value
    return {name: [rows[i] for i in sorted(rows)] for name, rows in found.items()}


def apply_row_action(rows: Rows, action: str) -> Rows:
    """``add:<list>`` appends a blank row, ``remove:<list>:<i>`` drops row i."""
    parts = action.split(":")
    out = {name: list(r) for name, r in rows.items()}
    if len(parts) == 2 and parts[0] == "add" and parts[1] in ROWS:
        if len(out[parts[1]]) < MAX_ROWS:
            out[parts[1]].append({})
    elif len(parts) == 3 and parts[0] == "remove" and parts[1] in ROWS and parts[2].isdigit():
        index = int(parts[2])
        if 0 <= index < len(out[parts[1]]):
            del out[parts[1]][index]
    return out


def _row_payload(name: str, row: Mapping[str, str]) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for field, kind in ROWS[name].items():
        value = row.get(field, "").strip()
        if value:
            item[field] = _vnd_text(value) if kind == "vnd" else value
    return item


def payload_from_form(form: Mapping[str, str], rows: Rows) -> dict[str, Any]:
    """The proposal payload of the form's fields and rows (empty fields and blank rows left
    out, so the validator names what is missing)."""
    payload: dict[str, Any] = {}
    budget: dict[str, Any] = {}
    for name, kind in FIELD_KINDS.items():
        raw = form.get(name, "")
        value = raw.strip() if kind != "textarea" else raw
        if not value.strip():
            continue
        if kind == "vnd":
            value = _vnd_text(value)
        if name.startswith(BUDGET_PREFIX):
            budget[name[len(BUDGET_PREFIX):]] = value
        else:
            payload[name] = value
    payload["budget"] = budget
    for name in ROWS:
        payload[name] = [item for item in (_row_payload(name, r) for r in rows.get(name, []))
                         if item]
    return payload


def form_values(payload: Mapping[str, Any]) -> tuple[dict[str, str], Rows]:
    """Form field values and rows shown back from an uploaded JSON payload."""
    out: dict[str, str] = {}
    for name in FIELD_KINDS:
        if name.startswith(BUDGET_PREFIX):
            budget = payload.get("budget")
            value = budget.get(name[len(BUDGET_PREFIX):]) if isinstance(budget, dict) else None
        else:
            value = payload.get(name)
        if value is None:
            continue
        out[name] = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) \
            else str(value)
    rows: Rows = {}
    for name, fields in ROWS.items():
        items = payload.get(name)
        rows[name] = [{f: "" if item.get(f) is None else str(item.get(f)) for f in fields}
                      for item in (items if isinstance(items, list) else [])
                      if isinstance(item, dict)][:MAX_ROWS]
    return out, rows


def blank_rows() -> Rows:
    return {name: [{} for _ in range(BLANK_ROWS)] for name in ROWS}


async def read_form(request: Request, file_field: str
                    ) -> tuple[dict[str, str], tuple[str, bytes] | None]:
    """Text fields (the known ones, the list rows, ``kind``, ``lang``, ``action``) and the named
    upload as (filename, bytes); the form's temporary files are closed before returning."""
    values: dict[str, str] = {}
    upload: tuple[str, bytes] | None = None
    async with request.form() as form:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if key == file_field and value.filename:
                    upload = (value.filename, await value.read())
            elif key in FIELD_KINDS or key in ("kind", "lang", "action") or \
                    _ROW_KEY.match(key) or _ANSWER_KEY.match(key):
                values[key] = value[:20_000]
    return values, upload
