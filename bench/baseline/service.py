"""Frozen: ``screening.service`` as it was (the one screening function).

The CLI and the API both call ``screen_proposal``; persistence is in ``screening.store``.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from bench.baseline.explain import explain_first
from bench.baseline.features import build_feature_columns
from bench.baseline.flags import flags_of, likelihoods_of
from bench.baseline.inputs import capture
from bench.baseline.lookups import holders as shared_use_holders
from bench.baseline.what_if import (
    make_variants,
    om_target,
    requested_units,
    shared_use_options,
)
from wastescreen.core.canonical import sha256_hex
from wastescreen.core.reference import region_of
from wastescreen.domain.proposal import Proposal
from wastescreen.domain.result import (
    BAND_RANK,
    Contribution,
    MatchEvidence,
    ScreeningResult,
    TargetScore,
    WhatIf,
)
from wastescreen.features.catalogue import BY_NAME
from wastescreen.features.evidence import match_evidence
from wastescreen.features.proposal_frame import completeness, proposal_rows
from wastescreen.features.red_flags import band_floor, flag_catalogue
from wastescreen.screening.engine import ScreeningEngine
from wastescreen.screening.reasons import top_reasons

WHAT_IF_SHOWN = 3


class ModelNotReady(RuntimeError):
    """No model has been trained and promoted yet."""


def _clean(value: object) -> float | str | None:
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
    with engine.lock:
        inputs = capture(engine, proposal.cycle, as_of.isoformat())
        context = engine.context
        holders = shared_use_holders(
            context.shared_use, region_of(proposal.province),
            max(proposal.submitted_on, as_of).year, requested_units(proposal))
        variants = make_variants(proposal, om_ratio_target=om_target(model.ranges),
                                 holders=holders)
        ids = [proposal_id] + [f"{proposal_id}~{v.change}" for v in variants]
        rows = proposal_rows([proposal] + [v.proposal for v in variants], ids, as_of=as_of)
        features, matches = build_feature_columns(rows, context, engine.peers)
        likelihoods = likelihoods_of(engine, rows)
        evidence = match_evidence(matches[0], context, proposal.province, engine.peer_details,
                                  likelihoods[0])
        flags = flags_of(engine, [proposal] + [v.proposal for v in variants], rows, matches,
                         likelihoods)
    x = model.bundle.encoder.encode_columns(features, len(rows))
    # Contributions for the proposal itself; its what-if variants only need their scores.
    explanation, variant_scores = explain_first(model.explainer, x)
    names = explanation.feature_names
    values = {name: _clean(column[0]) for name, column in features.items()}
    targets = []
    for name, t in explanation.targets.items():
        targets.append(TargetScore(
            target=name, probability=float(t.probability[0]), margin=float(t.margin[0]),
            base_margin=float(t.bias[0]),
            contributions=[Contribution(feature=f, value=None if BY_NAME[f].kind ==
                                        "categorical" else values[f], shap=float(c))
                           for f, c in zip(names, t.contributions[0], strict=True)]))
    reasons = top_reasons({n: t.contributions[0] for n, t in explanation.targets.items()},
                          names, values, model.ranges, model.category_rates)
    overall = float(explanation.overall[0])
    model_band = engine.bands.band(overall)
    band, raised_by = band_floor(model_band, flags[0])
    # A change helps when it lowers the score or clears a flag that holds the band up.
    what_if = sorted((
        WhatIf(change=v.change, description_vi=v.description_vi,
               description_en=v.description_en, new_overall_score=float(score),
               new_band=band_floor(engine.bands.band(float(score)), variant_flags)[0],
               delta=float(score - overall))
        for v, score, variant_flags in zip(variants, variant_scores, flags[1:], strict=True)),
        key=lambda w: (BAND_RANK[w.new_band], w.delta))
    helpful = [w for w in what_if if w.delta < 0 or BAND_RANK[w.new_band] < BAND_RANK[band]]
    alternatives = shared_use_options(holders, what_if)
    share, missing = completeness(proposal)
    result = ScreeningResult(
        proposal_title=proposal.title, agency=proposal.agency, cycle=proposal.cycle,
        province=proposal.province, technology_area=proposal.technology_area,
        project_type=proposal.project_type.value, total_budget_vnd=proposal.total_budget_vnd,
        overall_score=overall, band=band, model_band=model_band, flags=flags[0],
        raised_by=raised_by, flag_catalogue_version=flag_catalogue().version,
        alternatives=alternatives,
        scores={t.target: t.probability for t in targets}, targets=targets, reasons=reasons,
        what_if=helpful[:WHAT_IF_SHOWN],
        evidence=[MatchEvidence.model_validate(e) for e in evidence],
        completeness=share, missing_fields=missing, features=values,
        model_version=model.version, model_trained_on_synthetic_data=model.synthetic,
        registry_snapshot=context.snapshot, registry_snapshot_date=context.snapshot_date,
        input_hash=sha256_hex(proposal), as_of=as_of.isoformat())
    return result, inputs
