"""The invented wording of the demo portfolio, read from ``vocabulary.toml`` (data, not code).

Every text is a ``(vi, en)`` pair. Per technology-area code (:data:`AREAS`): lab-name stems, the
equipment categories that fit the area, its technical KPIs and its topics, each with the uses it
is put to; per project type (:data:`TYPES`): the title's opening words, objective sentences and
the KPIs that fit the type. Areas of a later list version that are missing fall back to
:data:`FALLBACK_AREA`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

Pair = tuple[str, str]

FALLBACK_AREA = "OTHER"


@dataclass(frozen=True)
class Metric:
    """A measurable KPI: its metric and unit as pairs, and the range its target is drawn from."""

    metric: Pair
    unit: Pair
    lo: int
    hi: int


@dataclass(frozen=True)
class Sentence:
    """An objective sentence with ``{topic}`` (and ``{n}``, drawn from ``n_range``) slots."""

    text: Pair
    n_range: tuple[int, int] | None


@dataclass(frozen=True)
class Topic:
    """A topic, the uses it is put to and the project types it does not fit."""

    topic: Pair
    uses: tuple[Pair, ...]
    unfit: frozenset[str]

    def fits(self, ptype: str) -> bool:
        return ptype not in self.unfit


@dataclass(frozen=True)
class Area:
    lab_stems: tuple[Pair, ...]
    equipment: tuple[str, ...]
    metrics: tuple[Metric, ...]
    topics: tuple[Topic, ...]
    novel: tuple[Topic, ...] = ()  # new work: no registry program or past proposal has it

    def topics_for(self, ptype: str) -> tuple[Topic, ...]:
        """The topics that fit project type ``ptype``."""
        return tuple(t for t in self.topics if t.fits(ptype))

    def novel_for(self, ptype: str) -> tuple[Topic, ...]:
        """The new topics that fit project type ``ptype``."""
        return tuple(t for t in self.novel if t.fits(ptype))


@dataclass(frozen=True)
class TypeText:
    title: Pair
    objectives: tuple[Sentence, ...]
    kpis: tuple[Metric, ...]


def _pair(x: Any) -> Pair:
    vi, en = x
    return str(vi), str(en)


def _metric(x: dict[str, Any]) -> Metric:
    lo, hi = x["range"]
    return Metric((str(x["vi"]), str(x["en"])), _pair(x["unit"]), int(lo), int(hi))


def _sentence(x: dict[str, Any]) -> Sentence:
    n = x.get("n")
    return Sentence((str(x["vi"]), str(x["en"])), (int(n[0]), int(n[1])) if n else None)


def _topic(t: dict[str, Any]) -> Topic:
    return Topic(_pair(t["t"]), tuple(_pair(u) for u in t["uses"]),
                 frozenset(str(x) for x in t.get("unfit", [])))


_DATA: dict[str, Any] = tomllib.loads(
    resources.files("wastescreen").joinpath("demo_portfolio", "vocabulary.toml").read_text("utf-8")
)

AREAS: dict[str, Area] = {
    code: Area(
        lab_stems=tuple(_pair(s) for s in a["lab_stems"]),
        equipment=tuple(str(c) for c in a["equipment"]),
        metrics=tuple(_metric(m) for m in a["metrics"]),
        topics=tuple(_topic(t) for t in a["topics"]),
        novel=tuple(_topic(t) for t in a.get("novel", [])),
    )
    for code, a in _DATA["areas"].items()
}
TYPES: dict[str, TypeText] = {
    name: TypeText(_pair(t["title"]), tuple(_sentence(s) for s in t["objectives"]),
                   tuple(_metric(k) for k in t["kpis"]))
    for name, t in _DATA["types"].items()
}

_text, _people, _rewording = _DATA["text"], _DATA["people"], _DATA["rewording"]
# Forms of the focus, target and partner sentences (one is drawn per text).
FOCUS: list[Pair] = [_pair(s) for s in _text["focus"]]
TARGET: list[Pair] = [_pair(s) for s in _text["target"]]
PARTNER: list[Pair] = [_pair(s) for s in _text["partner"]]
PARTNER_FORMS: list[Pair] = [_pair(s) for s in _text["partner_forms"]]
PARTNER_NAMES: list[str] = [str(s) for s in _text["partner_names"]]
PROGRAM_PREFIXES: list[str] = [str(s) for s in _text["program_prefixes"]]
SUMMARY_SENTENCES: list[Pair] = [_pair(s) for s in _text["summary_sentences"]]
VAGUE_KPIS: list[Pair] = [_pair(s) for s in _text["vague_kpis"]]
SHARED_USE_PLANS: list[Pair] = [_pair(s) for s in _text["shared_use_plans"]]
COFUNDING_SOURCES: list[str] = [str(s) for s in _text["cofunding_sources"]]
EQUIPMENT_MODELS: list[str] = [str(s) for s in _text["equipment_models"]]

ACADEMIC_TITLES: list[str] = [str(s) for s in _people["academic_titles"]]
SURNAMES: list[str] = [str(s) for s in _people["surnames"]]
MIDDLE_NAMES: list[str] = [str(s) for s in _people["middle_names"]]
GIVEN_NAMES: list[str] = [str(s) for s in _people["given_names"]]
ROLES: list[str] = [str(s) for s in _people["roles"]]

SYNONYMS: dict[str, list[str]] = {
    str(k): [str(v) for v in vs] for k, vs in _rewording["synonyms"].items()
}
DROPPABLE: list[str] = [str(s) for s in _rewording["droppable"]]

# Rationale templates of the demo reviewers, by name (and ``reviewers``: their actor names).
DECISIONS: dict[str, str] = {k: str(v) for k, v in _DATA["decisions"].items() if k != "reviewers"}
REVIEWERS: list[str] = [str(s) for s in _DATA["decisions"]["reviewers"]]
REVISIONS: dict[str, str] = {k: str(v) for k, v in _DATA["revisions"].items()}


def area_key(code: str) -> str:
    """The vocabulary key for an area code (unknown codes of a later list use the fallback)."""
    return code if code in AREAS else FALLBACK_AREA


def area(code: str) -> Area:
    return AREAS[area_key(code)]
