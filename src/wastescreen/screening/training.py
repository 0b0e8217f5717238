"""Train the risk models on historical proposals: features (the serving code path), then models;
register them with their database record and audit events, and promote one.

Labels come from outcomes; only approved proposals are learnt from, since a rejected proposal
never had the chance to idle assets or miss outputs. The time column is the budget cycle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select, update

from wastescreen.core.settings import Settings
from wastescreen.features.build import build_features, feature_fingerprint
from wastescreen.features.catalogue import CATALOGUE, LABELS, TARGETS
from wastescreen.features.duplicate_likelihood import provenance as likelihood_provenance
from wastescreen.features.peers import PeerSet
from wastescreen.features.proposal_frame import proposals_to_frame
from wastescreen.features.red_flags import flag_catalogue
from wastescreen.features.registry_context import RegistryContext, build_registry_context
from wastescreen.models.bundle import RiskModelBundle
from wastescreen.models.leakage import LeakageGuard
from wastescreen.models.registry import ModelRegistry
from wastescreen.models.spec import BandThresholds, FeatureSpec, TargetSpec
from wastescreen.models.training import RiskModelTrainer
from wastescreen.storage.audit_log import append_event
from wastescreen.storage.database import Database
from wastescreen.storage.history import (
    History,
    Registry,
    load_history,
    load_history_file,
    load_registry,
)
from wastescreen.storage.tables import AuditEventRow, ModelVersionRow

GROUP_COLUMNS = ("technology_area", "province")
# Told at the start of each stage of training: a stage key and its figures (the CLI words it).
StageReport = Callable[[str, Mapping[str, object]], None]


def _quiet(key: str, values: Mapping[str, object]) -> None:
    """No progress wanted."""
TIME_COLUMN = "cycle"
INTENDED_USE = (
    "Ranks approval-stage S&T investment proposals for human review of waste and redundancy "
    "risk (redundancy, idle assets, non-delivery). A screening aid for reviewers: it never "
    "approves or rejects a proposal by itself."
)
LIMITS = (
    "Scores reflect the history it was trained on; lab utilisation is today's measurement, "
    "also used for older cycles; agencies with little history sit at the prior rate; text "
    "similarity does not understand meaning beyond shared words."
)


# The outcome record's own fields are after the fact by definition. Every catalogue feature is
# known at submission, and a real driver (KPI measurability) moves validation AUC by ~0.10 on
# the demo, so the drop-one flag fires only on a larger lift.
LEAKAGE_GUARD = LeakageGuard(after_the_fact=("observed_on", "approved"), lift=0.2)


def feature_specs() -> list[FeatureSpec]:
    """The catalogue as model inputs (monotone constraints included)."""
    return [FeatureSpec(f.name, f.kind, dict(f.monotone)) for f in CATALOGUE]


def target_specs() -> list[TargetSpec]:
    return [TargetSpec(t, LABELS[t]) for t in TARGETS]


@dataclass
class TrainingSet:
    frame: pd.DataFrame
    context: RegistryContext


def training_set(history: History, registry: Registry) -> TrainingSet:
    """Feature rows + labels + cycle + group columns for every approved historical proposal."""
    outcomes = history.outcome_frame()
    context = build_registry_context(registry.labs, registry.programs, outcomes,
                                     snapshot=registry.revision,
                                     snapshot_date=registry.revision_date)
    base = proposals_to_frame(history.proposals, history.ids)
    features, _ = build_features(base, context, PeerSet.of(base))
    frame = features.join(base[["cycle", *GROUP_COLUMNS]])
    for label in LABELS.values():
        frame[label] = outcomes[label].to_numpy(dtype=np.float64)
    approved = np.array([o.approved for o in history.outcomes], dtype=bool)
    return TrainingSet(frame=frame[approved], context=context)


def reference_ranges(frame: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Per numeric feature, the 25th–75th percentile among proposals with no waste outcome
    (the "comparable approved projects" a reason sentence compares with)."""
    clean = frame[(frame[list(LABELS.values())] == 0).all(axis=1)]
    out: dict[str, dict[str, float]] = {}
    for f in CATALOGUE:
        if f.kind == "categorical":
            continue
        values = clean[f.name].dropna()
        if len(values):
            out[f.name] = {"p25": float(values.quantile(0.25)),
                           "p75": float(values.quantile(0.75)),
                           "median": float(values.median()), "mean": float(values.mean())}
    return out


def category_rates(frame: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Per categorical feature and category, the share of past proposals with any waste
    outcome (what "a new laboratory is riskier than an upgrade" rests on)."""
    waste = (frame[list(LABELS.values())] == 1).any(axis=1)
    return {f.name: {str(k): float(v) for k, v in waste.groupby(frame[f.name]).mean().items()}
            for f in CATALOGUE if f.kind == "categorical"}


def train_bundle(tset: TrainingSet, bands: BandThresholds, *, seed: int = 0,
                 stage: StageReport = _quiet) -> RiskModelBundle:
    """Fit the per-target models on a training set (time split by cycle)."""
    trainer = RiskModelTrainer(feature_specs(), target_specs(), time_column=TIME_COLUMN,
                               bands=bands, group_columns=GROUP_COLUMNS, seed=seed,
                               leakage=LEAKAGE_GUARD)
    rows = len(tset.frame)
    bundle = trainer.fit(tset.frame, on_target=lambda name, i, n: stage(
        "train_target", {"target": name, "i": i, "n": n, "rows": rows})).bundle_
    bundle.training["reference_ranges"] = reference_ranges(tset.frame)
    bundle.training["category_rates"] = category_rates(tset.frame)
    bundle.training["registry_snapshot"] = tset.context.snapshot
    bundle.training["trained_on"] = dt.date.today().isoformat()
    bundle.training["feature_fingerprint"] = feature_fingerprint()
    return bundle


def evidence_sources(synthetic: bool) -> dict[str, Any]:
    """What a screening with this model rests on besides the model: which parts are real data
    (the red-flag rules, the duplicate likelihood) and which the model's (its training data)."""
    flags = flag_catalogue()
    return {
        "risk_scores": "this model, trained on " + (
            "the synthetic demo portfolio (not real outcomes)" if synthetic
            else "the historical proposals and outcomes given"),
        "red_flags": {"what": "policy rules with a stated basis, not learned",
                      "catalogue_version": flags.version, "adopted_on": flags.adopted_on},
        "duplicate_likelihood": {"what": "learned on real labelled World Bank project pairs",
                                 **likelihood_provenance()},
    }


def register_bundle(registry_dir: Any, bundle: RiskModelBundle, *, synthetic: bool,
                    promote: bool = True) -> str:
    """Save (and by default promote) a bundle; returns the version name."""
    registry = ModelRegistry(registry_dir)
    version = registry.save(bundle, synthetic_training_data=synthetic,
                            intended_use=INTENDED_USE, limits=LIMITS,
                            extra={"evidence_sources": evidence_sources(synthetic)})
    if promote:
        registry.promote(version)
    return version


def _holds_demo_data(db: Database) -> bool:
    with db.sessions() as session:
        return session.execute(select(AuditEventRow.seq).where(
            AuditEventRow.action == "registry.demo_seed").limit(1)).first() is not None


def train_and_register(settings: Settings, db: Database, *, source: Path | None = None,
                       if_missing: bool = False, promote: bool = True,
                       synthetic: bool | None = None,
                       stage: StageReport = _quiet) -> str | None:
    """Train on the database's history (or ``source``); returns the version, or None when
    ``if_missing`` and a model is already current and was trained with today's features.

    ``stage(key, figures)`` is told as each stage starts: ``train_read``, ``train_features``
    (``n`` proposals), ``train_target`` (``target``, ``i`` of ``n``), ``train_register``,
    ``train_promote``."""
    registry = ModelRegistry(settings.models_dir)
    if if_missing and registry.current_version() is not None and (
            registry.current().training.get("feature_fingerprint") == feature_fingerprint()):
        return None
    stage("train_read", {"source": str(source) if source else ""})
    with db.sessions() as session:
        history = load_history_file(source) if source else load_history(session)
        reg = load_registry(session)
    if not history.ids:
        raise RuntimeError("no historical proposals with outcomes to train on "
                           "(run `wastescreen demo` or pass --from FILE)")
    if synthetic is None:
        synthetic = source is None and _holds_demo_data(db)
    stage("train_features", {"n": len(history.ids), "labs": len(reg.labs),
                             "programs": len(reg.programs)})
    tset = training_set(history, reg)
    bundle = train_bundle(tset, BandThresholds(settings.band_medium, settings.band_high),
                          stage=stage)
    stage("train_register", {})
    version = register_bundle(settings.models_dir, bundle, synthetic=synthetic, promote=False)
    card = registry.card(version)
    with db.sessions() as session:
        session.add(ModelVersionRow(version=version, path=str(settings.models_dir / version),
                                    sha256=card["models"][next(iter(card["models"]))]["sha256"],
                                    card=card, is_current=False))
        append_event(session, actor="cli", action="model.train", subject=version,
                     details={"synthetic": synthetic, "rows": len(history.ids),
                              "source": str(source) if source else "database"})
        session.commit()
    if promote:
        stage("train_promote", {"version": version})
        promote_version(settings, db, version)
    return version


def promote_version(settings: Settings, db: Database, version: str) -> None:
    """Make ``version`` current (hash-checked by the registry) and record it."""
    ModelRegistry(settings.models_dir).promote(version)
    with db.sessions() as session:
        session.execute(update(ModelVersionRow).values(is_current=False))
        session.execute(update(ModelVersionRow).where(ModelVersionRow.version == version)
                        .values(is_current=True))
        append_event(session, actor="cli", action="model.promote", subject=version, details={})
        session.commit()
