"""Red flags: rules with a stated basis, read from the catalogue in the package's reference data.

Each flag is a rule over quantities the screening computes (``features.flag_inputs``), with its
threshold, severity, the policy documents it rests on, when it does not apply and the evidence it
cites. Every screening lists every flag as fired, not fired or not applicable, and a fired flag
sets the lowest band the screening can have (``band_floor``): a reviewer can trace every band to
a flag with its basis or to the model.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from wastescreen.core.labels import report as L
from wastescreen.core.locale_format import Lang, number, percent
from wastescreen.domain.result import BAND_RANK, Band, FlagEvidence, FlagOutcome

Severity = Literal["high", "medium"]
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq}
# How each sentence placeholder is written (anything else is shown as given).
_PERCENT = frozenset({"likelihood", "share", "threshold"})
_COUNT = frozenset({"count", "jump", "start", "target"})


@dataclass(frozen=True)
class Condition:
    """``quantity op threshold``; never holds when the quantity is unknown."""

    quantity: str
    op: str
    threshold: float

    def holds(self, values: Mapping[str, float | None]) -> bool:
        value = values.get(self.quantity)
        return value is not None and _OPS[self.op](value, self.threshold)


@dataclass(frozen=True)
class RedFlag:
    id: str
    severity: Severity
    name: Mapping[Lang, str]
    sentence: Mapping[Lang, str]
    rule: tuple[Condition, ...]
    not_applicable: tuple[Condition, ...]
    not_applicable_text: Mapping[Lang, str]
    basis: Mapping[Lang, tuple[str, ...]]
    evidence_text: Mapping[Lang, str]

    @property
    def quantity(self) -> str:
        """The quantity the flag is about (its rule's first): its facts and evidence."""
        return self.rule[0].quantity


@dataclass(frozen=True)
class Quantity:
    """A quantity a rule reads: its unit (share, count, vnd) and what it is."""

    name: str
    unit: Literal["share", "count", "vnd"]
    description: Mapping[Lang, str]


@dataclass(frozen=True)
class FlagCatalogue:
    version: str
    adopted_on: str
    about: str
    parameters: Mapping[str, float]
    quantities: Mapping[str, Quantity]
    flags: tuple[RedFlag, ...]


def _conditions(items: Sequence[Mapping[str, Any]]) -> tuple[Condition, ...]:
    out = tuple(Condition(str(c["quantity"]), str(c["op"]), float(c["threshold"])) for c in items)
    unknown = [c.op for c in out if c.op not in _OPS]
    if unknown:
        raise ValueError(f"red-flag catalogue: unknown comparison {unknown}")
    return out


def _pair(raw: Mapping[str, Any], key: str) -> dict[Lang, Any]:
    return {"vi": raw[f"{key}_vi"], "en": raw[f"{key}_en"]}


@lru_cache(maxsize=1)
def catalogue_document() -> dict[str, Any]:
    """The packaged catalogue file (``reference_data/red_flags.json``) as published."""
    text = resources.files("wastescreen").joinpath("reference_data", "red_flags.json")
    loaded: dict[str, Any] = json.loads(text.read_text("utf-8"))
    return loaded


@lru_cache(maxsize=1)
def flag_catalogue() -> FlagCatalogue:
    """The packaged catalogue, read once."""
    raw = catalogue_document()
    flags = tuple(RedFlag(
        id=f["id"], severity=f["severity"], name=_pair(f, "name"),
        sentence=_pair(f, "sentence"), rule=_conditions(f["rule"]),
        not_applicable=_conditions(f["not_applicable"]),
        not_applicable_text=_pair(f, "not_applicable"),
        basis={"vi": tuple(f["basis_vi"]), "en": tuple(f["basis_en"])},
        evidence_text=_pair(f, "evidence")) for f in raw["flags"])
    quantities = {name: Quantity(name, q["unit"], _pair(q, "description"))
                  for name, q in raw["quantities"].items()}
    unknown = {c.quantity for f in flags for c in (*f.rule, *f.not_applicable)} - set(quantities)
    if unknown:
        raise ValueError(f"red-flag catalogue: rules read undeclared quantities {unknown}")
    parameters = {k: float(v) for k, v in raw["parameters"].items() if isinstance(v, int | float)}
    return FlagCatalogue(raw["version"], raw["adopted_on"], raw["about"], parameters,
                         quantities, flags)


def _fact_text(name: str, value: Any, lang: Lang) -> str:
    if value is None:
        return "—"
    if name in _PERCENT:
        return percent(float(value), lang)
    if name in _COUNT:
        return number(float(value), lang)
    if name == "status":
        return L.lookup(L.PROGRAM_STATUS, str(value), lang)
    if name == "outcome":
        return L.lookup(L.PROGRAM_OUTCOMES, str(value), lang)
    return str(value)


class _Facts(dict[str, str]):
    def __missing__(self, key: str) -> str:  # a fact the inputs did not give reads as unknown
        return "—"


def _sentence(template: str, facts: Mapping[str, Any], lang: Lang) -> str:
    return template.format_map(_Facts({k: _fact_text(k, v, lang) for k, v in facts.items()}))


def evaluate_flags(values: Mapping[str, float | None], facts: Mapping[str, Mapping[str, Any]],
                   cited: Mapping[str, Sequence[FlagEvidence]],
                   catalogue: FlagCatalogue | None = None) -> list[FlagOutcome]:
    """Every flag of the catalogue as fired, not fired or not applicable.

    ``values``: quantity -> value (None when unknown); ``facts``: quantity -> the sentence's
    placeholders; ``cited``: quantity -> the evidence a fired flag shows."""
    out = []
    for flag in (catalogue or flag_catalogue()).flags:
        shown = {c.quantity: values.get(c.quantity) for c in flag.rule}
        base = {"id": flag.id, "severity": flag.severity, "name_vi": flag.name["vi"],
                "name_en": flag.name["en"], "basis_vi": list(flag.basis["vi"]),
                "basis_en": list(flag.basis["en"]), "values": shown}
        if any(c.holds(values) for c in flag.not_applicable):
            out.append(FlagOutcome(status="not_applicable",
                                   text_vi=flag.not_applicable_text["vi"],
                                   text_en=flag.not_applicable_text["en"], **base))
        elif all(c.holds(values) for c in flag.rule):
            fact = facts.get(flag.quantity, {})
            out.append(FlagOutcome(status="fired", text_vi=_sentence(flag.sentence["vi"], fact,
                                                                     "vi"),
                                   text_en=_sentence(flag.sentence["en"], fact, "en"),
                                   evidence=list(cited.get(flag.quantity, ())), **base))
        else:
            out.append(FlagOutcome(status="not_fired", **base))
    return out


def fired_flags(values: Mapping[str, float | None], catalogue: FlagCatalogue | None = None
                ) -> list[tuple[str, Severity]]:
    """The id and severity of each flag ``evaluate_flags`` would list as fired (all a band
    needs, without the sentences)."""
    return [(flag.id, flag.severity) for flag in (catalogue or flag_catalogue()).flags
            if not any(c.holds(values) for c in flag.not_applicable)
            and all(c.holds(values) for c in flag.rule)]


def band_floor(model_band: Band, flags: Sequence[FlagOutcome]) -> tuple[Band, list[str]]:
    """The final band (at least ``high`` when a high flag fired, at least ``medium`` when a
    medium one did, otherwise the model's) and the fired flags that raised it."""
    return band_floor_of(model_band, [(f.id, f.severity) for f in flags if f.status == "fired"])


def band_floor_of(model_band: Band, fired: Sequence[tuple[str, Severity]]
                  ) -> tuple[Band, list[str]]:
    """``band_floor`` from the fired flags' ids and severities (``fired_flags``)."""
    final: Band = model_band
    for _, severity in fired:
        if BAND_RANK[severity] > BAND_RANK[final]:
            final = severity
    if final == model_band:
        return final, []
    return final, [flag_id for flag_id, severity in fired if severity == final]
