"""The screening result as it is returned, stored and rendered (pydantic, JSON-stable)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Band = Literal["low", "medium", "high"]
BAND_RANK: dict[str, int] = {"low": 0, "medium": 1, "high": 2}


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
    """A lab, program or same-cycle proposal that overlaps the screened proposal.

    ``likelihood``: the probability that it is the same or overlapping work, learned from its
    components on real labelled pairs (None for results stored before it existed)."""

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
    likelihood: float | None = None


class SharedUseOption(BaseModel):
    """A lab of the region that holds some of the requested equipment: the alternative to
    buying it. ``new_overall_score``/``new_band``/``delta``: the screening had the proposal
    used this lab's equipment instead (None when that was not scored)."""

    lab_code: str
    name: str
    host: str = ""
    province: str = ""
    categories: list[str]
    utilisation: float | None = None
    utilisation_measured_on: str | None = None
    utilisation_measured_by: str = ""
    spare_hours: int | None = None
    open_for_shared_use: bool = False
    new_overall_score: float | None = None
    new_band: Band | None = None
    delta: float | None = None


class FlagEvidence(BaseModel):
    """What a red flag cites: a matched program or proposal, or a lab holding the equipment."""

    kind: Literal["program", "proposal", "lab"]
    code: str
    name: str = ""
    agency: str = ""
    status: str | None = None
    outcome: str | None = None
    likelihood: float | None = None
    utilisation: float | None = None
    utilisation_measured_on: str | None = None
    utilisation_measured_by: str = ""
    spare_hours: int | None = None
    open_for_shared_use: bool | None = None
    categories: list[str] = []


class FlagOutcome(BaseModel):
    """One red flag of the catalogue, as it came out for this proposal.

    ``text_*``: the flag's sentence with this proposal's values when it fired, why it does not
    apply when not applicable, empty when it did not fire; ``values``: the quantities its rule
    reads."""

    id: str
    status: Literal["fired", "not_fired", "not_applicable"]
    severity: Literal["high", "medium"]
    name_vi: str
    name_en: str
    text_vi: str = ""
    text_en: str = ""
    basis_vi: list[str] = []
    basis_en: list[str] = []
    values: dict[str, float | None] = {}
    evidence: list[FlagEvidence] = []


class ScreeningResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    proposal_title: str
    agency: str
    cycle: int
    province: str
    technology_area: str
    project_type: str
    total_budget_vnd: int
    overall_score: float = Field(description="The model's overall score (0–1, calibrated).")
    band: Band = Field(description="The final band: at least what the most severe fired red "
                       "flag warrants, otherwise the model's band.")
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
    model_band: Band | None = Field(default=None, description="The band of the model's score "
                                    "alone (None: stored before red flags, when it was band).")
    flags: list[FlagOutcome] = []
    raised_by: list[str] = Field(default=[], description="Fired flags that set the band above "
                                 "the model's.")
    flag_catalogue_version: str = ""
    alternatives: list[SharedUseOption] = Field(
        default=[], description="Labs of the region that hold requested equipment, with what "
        "using theirs instead would do to the score; most saving first.")
