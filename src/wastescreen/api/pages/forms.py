"""The submission form: its fields and sections, the payload it makes, and its errors.

The form is the flat format (``domain.flat_format``) as inputs: scalar fields keep their names,
the budget lines are ``budget_*``, and the lists are JSON arrays in a text area.
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
from wastescreen.core.locale_format import Lang
from wastescreen.domain.errors import FieldError
from wastescreen.domain.flat_format import BUDGET_FIELDS, BUDGET_PREFIX, LIST_FIELDS
from wastescreen.domain.proposal import ManagingLevel, ProjectType

_DIGITS_WITH_SEPARATORS = re.compile(r"^\d{1,3}([., _]\d{3})+$")

FIELD_KINDS: dict[str, str] = {
    "reference_code": "text", "cycle": "number", "title": "text", "summary": "textarea",
    "objectives": "textarea", "agency": "text", "managing_level": "select",
    "province": "select", "technology_area": "select", "project_type": "select",
    "total_budget_vnd": "vnd", **{f"{BUDGET_PREFIX}{b}": "vnd" for b in BUDGET_FIELDS},
    "cofunding_vnd": "vnd", "cofunding_sources": "text", "submitted_on": "date",
    "start_date": "date", "duration_months": "number", "end_date": "date", "trl_start": "number",
    "trl_target": "number", "equipment": "json", "kpis": "json", "researchers": "json",
    "om_budget_vnd_per_year": "vnd", "shared_use_plan": "textarea",
}
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sec_basic", ("title", "summary", "objectives", "agency", "managing_level", "province",
                   "technology_area", "project_type", "cycle", "reference_code")),
    ("sec_budget", ("total_budget_vnd", *(f"{BUDGET_PREFIX}{b}" for b in BUDGET_FIELDS),
                    "cofunding_vnd", "cofunding_sources")),
    ("sec_schedule", ("submitted_on", "start_date", "duration_months", "end_date", "trl_start",
                      "trl_target")),
    ("sec_lists", ("equipment", "kpis", "researchers")),
    ("sec_use", ("om_budget_vnd_per_year", "shared_use_plan")),
)
REQUIRED = frozenset({"cycle", "title", "agency", "managing_level", "province",
                      "technology_area", "project_type", "total_budget_vnd", "submitted_on",
                      "start_date", "duration_months", "trl_start", "trl_target"})
JSON_EXAMPLES = {
    "equipment": '[{"name": "Kính hiển vi điện tử", "category": "MICROSCOPE", "quantity": 1, '
                 '"unit_cost_vnd": 12000000000}]',
    "kpis": '[{"metric": "Bài báo quốc tế", "target": 3, "unit": "bài", '
            '"deadline": "2027-12-31"}]',
    "researchers": '[{"name": "TS. Nguyễn Văn A", "role": "Chủ nhiệm"}]',
}



def field_label(name: str, lang: Lang) -> str:
    key = f"f_{name}"
    if key in TEXT:
        return TEXT[key][lang]
    ui_key = {"total_budget_vnd": "total_budget"}.get(name, name)
    if ui_key in L.UI:
        return L.UI[ui_key][lang]
    return L.lookup(L.FIELDS, name, lang)


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
    """The form's sections with each field's label, value, options and errors."""
    by_field: dict[str, list[str]] = {}
    for e in errors:
        name = e.column if e.column in FIELD_KINDS or e.column == "budget" else ""
        detail = f"{e.field}: {e.message(lang)}" if e.field != e.column else e.message(lang)
        by_field.setdefault(name, []).append(f"{detail} [{e.rule}]")
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
                "hint": (TEXT["json_hint"][lang] + JSON_EXAMPLES[name]) if kind == "json"
                else TEXT["vnd_hint"][lang] if kind == "vnd" else "",
            })
        sections.append({"title": TEXT[key][lang], "fields": fields,
                         "errors": by_field.get("budget", []) if key == "sec_budget" else []})
    return sections


def _vnd_text(value: str) -> str:
    text = value.strip()
    if _DIGITS_WITH_SEPARATORS.match(text):
        return re.sub(r"[., _]", "", text)
    return text


def payload_from_form(form: Mapping[str, str]) -> tuple[dict[str, Any], list[FieldError]]:
    """The proposal payload of the form's fields (empty ones left out, JSON lists parsed)."""
    payload: dict[str, Any] = {}
    budget: dict[str, Any] = {}
    errors = []
    for name, kind in FIELD_KINDS.items():
        raw = form.get(name, "")
        value = raw.strip() if kind != "textarea" else raw
        if not value.strip():
            continue
        if kind == "vnd":
            value = _vnd_text(value)
        if kind == "json":
            try:
                payload[name] = json.loads(value)
            except json.JSONDecodeError as exc:
                errors.append(FieldError(name, "invalid_json", f"not a JSON array ({exc.msg})"))
            continue
        if name.startswith(BUDGET_PREFIX):
            budget[name[len(BUDGET_PREFIX):]] = value
        else:
            payload[name] = value
    payload["budget"] = budget
    return payload, errors


def form_values(payload: Mapping[str, Any]) -> dict[str, str]:
    """Form field values shown back from an uploaded JSON payload."""
    out: dict[str, str] = {}
    for name in FIELD_KINDS:
        if name.startswith(BUDGET_PREFIX):
            budget = payload.get("budget")
            value = budget.get(name[len(BUDGET_PREFIX):]) if isinstance(budget, dict) else None
        else:
            value = payload.get(name)
        if value is None:
            continue
        if name in LIST_FIELDS or isinstance(value, dict | list):
            out[name] = json.dumps(value, ensure_ascii=False, indent=1)
        else:
            out[name] = str(value)
    return out


async def read_form(request: Request, file_field: str
                    ) -> tuple[dict[str, str], tuple[str, bytes] | None]:
    """Text fields (the known ones) and the named upload as (filename, bytes); the form's
    temporary files are closed before returning."""
    values: dict[str, str] = {}
    upload: tuple[str, bytes] | None = None
    async with request.form() as form:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if key == file_field and value.filename:
                    upload = (value.filename, await value.read())
            elif key in FIELD_KINDS or key in ("kind", "lang"):
                values[key] = value[:20_000]
    return values, upload
