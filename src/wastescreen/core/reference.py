"""Reference tables (provinces of the 2025 reorganisation, technology areas, equipment categories).

They are data files under ``reference_data/``, never code constants: a revised list is a new
file version, not a code change.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from wastescreen.core.locale_format import Lang
from wastescreen.core.text import fold


@dataclass(frozen=True)
class Province:
    name_vi: str
    name_ascii: str
    kind: str
    region_code: str
    region_en: str
    merged_from: tuple[str, ...]


@dataclass(frozen=True)
class TechnologyArea:
    version: str
    code: str
    name_vi: str
    name_en: str


@dataclass(frozen=True)
class EquipmentCategory:
    code: str
    name_vi: str
    name_en: str
    typical_unit_cost_vnd: int


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("wastescreen").joinpath("reference_data", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=1)
def provinces() -> tuple[Province, ...]:
    """The 34 provincial-level units in force since 1 July 2025."""
    return tuple(
        Province(
            name_vi=r["name_vi"],
            name_ascii=r["name_ascii"],
            kind=r["kind"],
            region_code=r["region_code"],
            region_en=r["region_en"],
            merged_from=tuple(p.strip() for p in r["merged_from_vi"].split(";") if p.strip()),
        )
        for r in _rows("provinces_2025.csv")
    )


@lru_cache(maxsize=1)
def _province_lookup() -> dict[str, tuple[Province, bool]]:
    """Folded name -> (current province, True if the name was an old pre-2025 one)."""
    table: dict[str, tuple[Province, bool]] = {}
    for p in provinces():
        table[fold(p.name_vi)] = (p, False)
        table[fold(p.name_ascii)] = (p, False)
    for p in provinces():
        for old in p.merged_from:
            table.setdefault(fold(old), (p, True))
    return table


def resolve_province(name: str) -> tuple[Province, bool] | None:
    """Find the current province for a name (Vietnamese, ASCII or an old pre-2025 name).

    Returns ``(province, was_old_name)`` or ``None`` when the name is unknown.
    """
    key = fold(name)
    for prefix in ("tinh ", "thanh pho ", "tp. ", "tp "):
        if key.startswith(prefix) and key not in _province_lookup():
            key = key[len(prefix):]
    return _province_lookup().get(key)


@lru_cache(maxsize=1)
def technology_areas() -> tuple[TechnologyArea, ...]:
    """Every technology area of every version of the strategic-technology list."""
    return tuple(
        TechnologyArea(r["version"], r["code"], r["name_vi"], r["name_en"])
        for r in _rows("technology_areas.csv")
    )


@lru_cache(maxsize=1)
def latest_area_version() -> str:
    return max(a.version for a in technology_areas())


@lru_cache(maxsize=16)
def area_codes(version: str | None = None) -> frozenset[str]:
    """Codes valid under one version of the list (the latest when ``version`` is None)."""
    v = version or latest_area_version()
    return frozenset(a.code for a in technology_areas() if a.version == v)


@lru_cache(maxsize=1)
def area_versions() -> frozenset[str]:
    return frozenset(a.version for a in technology_areas())


@lru_cache(maxsize=1)
def equipment_categories() -> tuple[EquipmentCategory, ...]:
    """Categories of research equipment, with a typical unit cost used for plausibility checks."""
    return tuple(
        EquipmentCategory(r["code"], r["name_vi"], r["name_en"], int(r["typical_unit_cost_vnd"]))
        for r in _rows("equipment_categories.csv")
    )


@lru_cache(maxsize=1)
def equipment_category_codes() -> frozenset[str]:
    return frozenset(c.code for c in equipment_categories())


@lru_cache(maxsize=4096)  # a screening asks ~30 times, mostly for the same few names
def region_of(province_name_vi: str) -> str:
    """Region code of a current province name; empty when unknown."""
    hit = resolve_province(province_name_vi)
    return hit[0].region_code if hit else ""


@lru_cache(maxsize=1)
def _area_names() -> dict[str, dict[Lang, str]]:
    """Technology-area code -> names, the latest version of the list winning."""
    out: dict[str, dict[Lang, str]] = {}
    for a in sorted(technology_areas(), key=lambda a: a.version):
        out[a.code] = {"vi": a.name_vi, "en": a.name_en}
    return out


def area_name(code: str, lang: Lang) -> str:
    """The name of a technology area in the reader's language (the code when unknown)."""
    names = _area_names().get(code)
    return names[lang] if names else code


@lru_cache(maxsize=1)
def _equipment_names() -> dict[str, dict[Lang, str]]:
    return {c.code: {"vi": c.name_vi, "en": c.name_en} for c in equipment_categories()}


def equipment_name(code: str, lang: Lang) -> str:
    """The name of an equipment category in the reader's language (the code when unknown)."""
    names = _equipment_names().get(code)
    return names[lang] if names else code
