"""The screening engine: registry context, overlap index, model and same-cycle peers, loaded once.

The overlap index is saved under ``var/index/registry`` with the registry revision it reflects;
at start-up it is loaded when that revision is still current and rebuilt (and saved) otherwise.
Registry writes and new submissions update it in place (``add``), never by a full rebuild.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from wastescreen.core.settings import Settings
from wastescreen.domain.proposal import Proposal
from wastescreen.domain.registry import Lab, Program
from wastescreen.features.build import feature_fingerprint
from wastescreen.features.duplicate_likelihood import DuplicateLikelihood
from wastescreen.features.duplicate_likelihood import default as default_likelihood
from wastescreen.features.overlap_index import OverlapIndex
from wastescreen.features.pair_dots import load_kernel
from wastescreen.features.peers import PeerSet
from wastescreen.features.proposal_frame import proposal_rows
from wastescreen.features.registry_context import (
    RegistryContext,
    build_registry_context,
    lab_doc,
    lab_rows,
    labs_frame,
    program_doc,
    program_rows,
    programs_frame,
)
from wastescreen.models.bundle import RiskModelBundle
from wastescreen.models.explain import Explainer
from wastescreen.models.registry import ModelRegistry
from wastescreen.models.spec import BandThresholds
from wastescreen.screening import context_snapshot, peer_snapshot
from wastescreen.storage.history import (
    Registry,
    load_outcome_rows,
    load_registry,
    outcome_frame_of,
    outcomes_recorded_by,
)
from wastescreen.storage.tables import ProposalRow, ScreeningRow

PEER_KINDS = ("submission",)
# The proposals of submissions a revised version superseded: no longer anyone's peer.
_SUPERSEDED = (select(ScreeningRow.proposal_id)
               .join(ProposalRow, ProposalRow.id == ScreeningRow.proposal_id)
               .where(ScreeningRow.status == "revised", ProposalRow.kind.in_(PEER_KINDS)))
log = logging.getLogger(__name__)


@dataclass
class LoadedModel:
    version: str
    bundle: RiskModelBundle
    explainer: Explainer
    card: dict[str, Any]

    @property
    def synthetic(self) -> bool:
        return bool(self.card.get("synthetic_training_data"))

    @property
    def features_match(self) -> bool:
        """Whether this model was trained with today's similarity features (a model saved
        before fingerprints were recorded cannot say: treated as not matching)."""
        return bool(self.bundle.training.get("feature_fingerprint") == feature_fingerprint())

    @property
    def ranges(self) -> dict[str, dict[str, float]]:
        return dict(self.bundle.training.get("reference_ranges", {}))

    @property
    def category_rates(self) -> dict[str, dict[str, float]]:
        """Feature -> category -> share of past proposals with waste (empty for models
        trained before it was recorded)."""
        return dict(self.bundle.training.get("category_rates", {}))


def load_current_model(models_dir: Path) -> LoadedModel | None:
    """The promoted model (hash-checked), or None when none was promoted yet."""
    registry = ModelRegistry(models_dir)
    version = registry.current_version()
    if version is None:
        return None
    bundle = registry.current()
    model = LoadedModel(version, bundle, Explainer(bundle, nthread=1), registry.card(version))
    if not model.features_match:
        log.warning("model %s was trained with other overlap or tokenizer settings than this "
                    "code computes; its scores are not reliable: run `wastescreen train`", version)
    return model


def _load_index(index_dir: Path, revision: int) -> OverlapIndex | None:
    meta = index_dir / "snapshot.json"
    if not meta.exists():
        return None
    saved = json.loads(meta.read_text("utf-8"))
    if saved.get("registry_revision") != revision or saved.get("params") != _default_params():
        return None
    try:
        return OverlapIndex.load(index_dir / "registry")
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("saved overlap index in %s is unreadable or of an older format; "
                    "rebuilding it", index_dir)
        return None


def _default_params() -> dict[str, Any]:
    return json.loads(json.dumps(OverlapIndex().get_params(), default=str))  # type: ignore[no-any-return]


def save_index(index: OverlapIndex, index_dir: Path, revision: int) -> None:
    index_dir.mkdir(parents=True, exist_ok=True)
    index.save(index_dir / "registry")
    meta = {"registry_revision": revision, "params": _default_params()}
    (index_dir / "snapshot.json").write_text(json.dumps(meta), "utf-8")


@dataclass
class ScreeningEngine:
    """Everything a screening needs; ``lock`` guards in-place updates against queries."""

    context: RegistryContext
    model: LoadedModel | None
    bands: BandThresholds
    peers: PeerSet
    peer_details: dict[str, dict[str, Any]]
    # A match's components -> the chance it is the same or overlapping work (learned on real
    # labelled pairs; the packaged coefficients).
    likelihood: DuplicateLikelihood = field(default_factory=default_likelihood)
    lock: threading.RLock = field(default_factory=threading.RLock)
    # Submissions superseded by a revised version (out of the peers for good).
    retired: set[str] = field(default_factory=set)
    # The newest audit event ``screening.catch_up`` has read (None: it has not run yet).
    seen_event: int | None = None

    def add_peer(self, proposal_id: str, proposal: Proposal) -> None:
        """Index a formal submission so later proposals of its cycle are compared with it."""
        rows = proposal_rows([proposal], [proposal_id])
        with self.lock:
            self.peers.add(rows)
            self.peer_details[proposal_id] = peer_row(proposal)

    def retire_peer(self, proposal_id: str) -> None:
        """Take a submission out of the peers (a revised version supersedes it)."""
        with self.lock:
            self.peers.remove([proposal_id])
            self.peer_details.pop(proposal_id, None)
            self.retired.add(proposal_id)

    def restore_peer(self, proposal_id: str, proposal: Proposal) -> None:
        """Undo ``retire_peer`` (the revised version was not stored after all)."""
        with self.lock:
            self.retired.discard(proposal_id)
            self.add_peer(proposal_id, proposal)

    def upsert_lab(self, lab: Lab, revision: int) -> None:
        with self.lock:
            self.context.index.add([lab_doc(lab)])
            labs = self.context.labs.drop(index=[lab.lab_code], errors="ignore")
            self.context.replace_labs(pd.concat([labs, labs_frame([lab])]), [lab.lab_code])
            self.context.snapshot = revision

    def upsert_program(self, program: Program, revision: int) -> None:
        with self.lock:
            self.context.index.add([program_doc(program)])
            programs = self.context.programs.drop(index=[program.program_code],
                                                  errors="ignore")
            self.context.replace_programs(pd.concat([programs, programs_frame([program])]),
                                          [program.program_code])
            self.context.snapshot = revision


def peer_row(p: Proposal) -> dict[str, Any]:
    """What the evidence shows of a same-cycle proposal."""
    return {"title": p.title, "agency": p.agency, "province": p.province,
            "budget_vnd": p.total_budget_vnd, "cycle": p.cycle}


def load_peers(session: Session) -> tuple[PeerSet, dict[str, dict[str, Any]], set[str]]:
    """Formal submissions not superseded by a revised version, indexed per budget cycle, and
    those superseded."""
    retired = set(session.execute(_SUPERSEDED).scalars())
    rows = session.execute(select(ProposalRow).where(ProposalRow.kind.in_(PEER_KINDS))).scalars()
    ids, proposals = [], []
    for row in rows:
        if row.id in retired:
            continue
        ids.append(row.id)
        proposals.append(Proposal.model_validate(row.payload))
    details = {i: peer_row(p) for i, p in zip(ids, proposals, strict=True)}
    peers = PeerSet.of(proposal_rows(proposals, ids)) if ids else PeerSet()
    return peers, details, retired


def registry_context(session: Session, *, index_dir: Path | None = None) -> RegistryContext:
    """The current registry, the outcomes recorded so far and the overlap index. With
    ``index_dir``: the index and frames saved there when they reflect the current database
    state (``context_snapshot``); built from the database, and saved there, when not."""
    if index_dir is None:
        return _context_from_database(session, None)[0]
    key = context_snapshot.state_key(session)
    index = _load_index(index_dir, key["registry_revision"])
    saved = None if index is None else context_snapshot.load(index_dir, key)
    if index is not None and saved is not None:
        labs, programs, history, snapshot_date = saved
        return RegistryContext(labs=labs, programs=programs, history=history, index=index,
                               snapshot=key["registry_revision"], snapshot_date=snapshot_date,
                               history_recorded_by=key["recorded_by"])
    context, registry, outcomes = _context_from_database(session, index)
    if index is None:
        save_index(context.index, index_dir, registry.revision)
    # Saved only when nothing was written meanwhile: the key must describe these frames.
    if key == context_snapshot.state_key(session) and key["registry_revision"] == registry.revision:
        try:
            context_snapshot.save(index_dir, key, lab_rows=lab_rows(registry.labs),
                                  program_rows=program_rows(registry.programs),
                                  outcome_rows=outcomes, snapshot_date=registry.revision_date)
        except OSError as exc:  # a cache: the next start loads from the database again
            log.warning("could not save the registry snapshot in %s: %s", index_dir, exc)
    return context


def _context_from_database(session: Session, index: OverlapIndex | None
                           ) -> tuple[RegistryContext, Registry, list[tuple[Any, ...]]]:
    """The context read from the database (with ``index``, or a new one fitted), the registry
    and the outcome rows it was made of."""
    registry = load_registry(session)
    recorded_by = outcomes_recorded_by(session)
    outcomes = load_outcome_rows(session, recorded_by=recorded_by)
    context = build_registry_context(
        registry.labs, registry.programs, outcome_frame_of(outcomes),
        snapshot=registry.revision, snapshot_date=registry.revision_date, index=index,
        history_recorded_by=recorded_by.isoformat() if recorded_by else "")
    return context, registry, outcomes


def load_engine(settings: Settings, session: Session, *, compiled: bool = False
                ) -> ScreeningEngine:
    """Build the engine from the database (or the snapshots of it saved under
    ``settings.index_dir`` when they reflect its state) and the promoted model.

    ``compiled``: also load the compiled pair scorer of the overlap search now (a server at
    start-up: about a second once, then every screening's exact text scores are compiled;
    a one-shot screening is quicker without it). The scores are the same bits either way."""
    if compiled and not load_kernel():
        log.warning("the compiled pair scorer did not load: the overlap search uses NumPy")
    context = registry_context(session, index_dir=settings.index_dir)
    key = peer_snapshot.state_key(session, PEER_KINDS)
    saved = peer_snapshot.load(settings.index_dir, key)
    if saved is None:
        saved = load_peers(session)
        if key == peer_snapshot.state_key(session, PEER_KINDS):  # nothing filed meanwhile
            try:
                peer_snapshot.save(settings.index_dir, key, *saved)
            except OSError as exc:  # a cache, as above
                log.warning("could not save the peer snapshot in %s: %s", settings.index_dir,
                            exc)
    peers, details, retired = saved
    return ScreeningEngine(context=context, model=load_current_model(settings.models_dir),
                           bands=BandThresholds(settings.band_medium, settings.band_high),
                           peers=peers, peer_details=details, retired=retired)
