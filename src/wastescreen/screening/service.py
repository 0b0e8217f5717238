"""The one screening function: a proposal in, a scored and explained result out.

The CLI and the API both call ``screen_proposal``; persistence is in ``screening.store``.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from wastescreen.core.canonical import sha256_hex
from wastescreen.core.reference import region_of
from wastescreen.domain.proposal import Proposal
from wastescreen.domain.result import (
    BAND_RANK,
    ScreeningResult,
    TargetScore,
    WhatIf,
)
from wastescreen.features.build import build_feature_columns
from wastescreen.features.catalogue import BY_NAME
from wastescreen.features.evidence import match_evidence
from wastescreen.features.flag_inputs import FlagLookups
from wastescreen.features.proposal_frame import completeness, proposal_rows
from wastescreen.features.red_flags import band_floor, band_floor_of, flag_catalogue
from wastescreen.screening.engine import ScreeningEngine
from wastescreen.screening.flags import flags_of, likelihoods_of
from wastescreen.screening.inputs import capture
from wastescreen.screening.reasons import top_reasons
from wastescreen.screening.what_if import (
    make_variants,
    om_target,
    requested_units,
    shared_use_options,
)

WHAT_IF_SHOWN = 3


class ModelNotReady(RuntimeError):
    """No model has been trained and promoted yet."""


def feature_value(value: object) -> float | str | None:
    """A feature value as a result shows it: a string (category), a float, or None for NaN."""
    if isinstance(value, str):
        return value
    if value is None:
        return None
    f = float(value)  # type: ignore[arg-type]
    return None if math.isnan(f) else f


def screen_proposal(engine: ScreeningEngine, proposal: Proposal, proposal_id: str, *,
                    as_of: dt.date | None = None) -> ScreeningResult:
    """Score, explain and find the evidence for one proposal (nothing is stored here).

    ``as_of`` (default: today, UTC) is the day whose registry and outcomes count, unless the
    proposal's own submission date is later; it is recorded in the result."""
    return screen_and_record(engine, proposal, proposal_id, as_of=as_of)[0]


def screen_and_record(engine: ScreeningEngine, proposal: Proposal, proposal_id: str, *,
                      as_of: dt.date | None = None
                      ) -> tuple[ScreeningResult, dict[str, Any]]:
    """``screen_proposal``, and what the result depends on (``screening.inputs.capture``),
    taken at the same moment as the registry and peers the screening used."""
    as_of = as_of or dt.datetime.now(dt.UTC).date()
    model = engine.model
    if model is None:
        raise ModelNotReady("no risk model has been trained yet: run `wastescreen train`")
    with engine.lock:  # what the engine holds, read at one moment
        inputs = capture(engine, proposal.cycle, as_of.isoformat())
        context = engine.context
        lookups = FlagLookups(context, engine.peers)
        holders = lookups.holders(region_of(proposal.province),
                                  max(proposal.submitted_on, as_of).year,
                                  requested_units(proposal))
        variants = make_variants(proposal, om_ratio_target=om_target(model.ranges),
                                 holders=holders)
        ids = [proposal_id] + [f"{proposal_id}~{v.change}" for v in variants]
        rows = proposal_rows([proposal] + [v.proposal for v in variants], ids, as_of=as_of)
        features, matches = build_feature_columns(rows, context, engine.peers)
        likelihoods = likelihoods_of(engine, rows)
        evidence = match_evidence(matches[0], context, proposal.province, engine.peer_details,
                                  likelihoods[0])
        flags, variant_flags = flags_of(engine, [proposal] + [v.proposal for v in variants],
                                        rows, matches, likelihoods, lookups)
    x = model.bundle.encoder.encode_columns(features, len(rows))
    # Contributions for the proposal itself; its what-if variants only need their scores.
    explanation, variant_scores = model.explainer.explain_first(x)
    names = explanation.feature_names
    values = {name: feature_value(column[0]) for name, column in features.items()}
    # Validated as one nested value each (pydantic walks the contributions in one call).
    targets = [TargetScore.model_validate({
        "target": name, "probability": float(t.probability[0]), "margin": float(t.margin[0]),
        "base_margin": float(t.bias[0]),
        "contributions": [{"feature": f, "value": None if BY_NAME[f].kind == "categorical"
                           else values[f], "shap": float(c)}
                          for f, c in zip(names, t.contributions[0], strict=True)]})
        for name, t in explanation.targets.items()]
    reasons = top_reasons({n: t.contributions[0] for n, t in explanation.targets.items()},
                          names, values, model.ranges, model.category_rates)
    overall = float(explanation.overall[0])
    model_band = engine.bands.band(overall)
    band, raised_by = band_floor(model_band, flags)
    # A change helps when it lowers the score or clears a flag that holds the band up.
    what_if = sorted((
        WhatIf(change=v.change, description_vi=v.description_vi,
               description_en=v.description_en, new_overall_score=float(score),
               new_band=band_floor_of(engine.bands.band(float(score)), fired)[0],
               delta=float(score - overall))
        for v, score, fired in zip(variants, variant_scores, variant_flags, strict=True)),
        key=lambda w: (BAND_RANK[w.new_band], w.delta))
    helpful = [w for w in what_if if w.delta < 0 or BAND_RANK[w.new_band] < BAND_RANK[band]]
    alternatives = shared_use_options(holders, what_if)
    share, missing = completeness(proposal)
    result = ScreeningResult(
        proposal_title=proposal.title, agency=proposal.agency, cycle=proposal.cycle,
        province=proposal.province, technology_area=proposal.technology_area,
        project_type=proposal.project_type.value, total_budget_vnd=proposal.total_budget_vnd,
        overall_score=overall, band=band, model_band=model_band, flags=flags,
        raised_by=raised_by, flag_catalogue_version=flag_catalogue().version,
        alternatives=alternatives,
        scores={t.target: t.probability for t in targets}, targets=targets, reasons=reasons,
        what_if=helpful[:WHAT_IF_SHOWN],
        evidence=evidence,  # dicts, validated as MatchEvidence with the result
        completeness=share, missing_fields=missing, features=values,
        model_version=model.version, model_trained_on_synthetic_data=model.synthetic,
        registry_snapshot=context.snapshot, registry_snapshot_date=context.snapshot_date,
        input_hash=sha256_hex(proposal), as_of=as_of.isoformat())
    return result, inputs
