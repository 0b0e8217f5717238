"""The screening result as it is returned, stored and rendered (pydantic, JSON-stable)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Band = Literal["low", "medium", "high"]


class Reason(BaseModel):
    """One top contribution, said in plain words (both languages)."""

    feature: str
    target: str
    contribution: float = Field(description="SHAP value on the model's margin (log-odds).")
    value: float | None
    value_text_vi: str
    value_text_en: str
    text_vi: str
    text_en: str


class Contribution(BaseModel):
    feature: str
    value: float | None
    shap: float


class TargetScore(BaseModel):
    """Score of one kind of waste, with the exact decomposition behind it."""

    target: str
    probability: float
    margin: float
    base_margin: float
    contributions: list[Contribution]


class WhatIf(BaseModel):
    """A change the agency can make and the overall score it would give."""

    change: str
    description_vi: str
    description_en: str
    new_overall_score: float
    new_band: Band
    delta: float


class MatchComponent(BaseModel):
    text: float = 0.0
    equipment: float = 0.0
    place: float = 0.0
    area: float = 0.0
    budget: float = 0.0
    agency: float | None = None  # None: stored before the component existed (not computed)


class MatchEvidence(BaseModel):
    """A lab, program or same-cycle proposal that overlaps the screened proposal."""

    kind: Literal["lab", "program", "proposal"]
    code: str
    name: str
    host: str
    province: str
    distance: Literal["same_province", "same_region", "elsewhere", "unknown"]
    score: float
    components: MatchComponent
    shared_equipment: dict[str, int] = {}
    utilisation: float | None = None
    open_for_shared_use: bool | None = None
    budget_vnd: int | None = None
    period: str | None = None
    status: str | None = None
    outcome: str | None = None


class ScreeningResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    proposal_title: str
    agency: str
    cycle: int
    province: str
    technology_area: str
    project_type: str
    total_budget_vnd: int
    overall_score: float
    band: Band
    scores: dict[str, float]
    targets: list[TargetScore]
    reasons: list[Reason]
    what_if: list[WhatIf]
    evidence: list[MatchEvidence]
    completeness: float
    missing_fields: list[str]
    features: dict[str, float | str | None]
    model_version: str
    model_trained_on_synthetic_data: bool
    registry_snapshot: int
    registry_snapshot_date: str
    input_hash: str
    as_of: str = Field(default="", description="Day whose registry and outcomes were used.")
