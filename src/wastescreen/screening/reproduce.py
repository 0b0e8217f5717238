"""Reproduce a stored screening from what was recorded with it, and say whether it is the same.

The screening is run again — overlap search, features, model, flags, reasons — on the registry
as it was at the recorded revision, with the recorded overlap length scale, the outcomes
recorded by the recorded time, the same-cycle peers it saw, the model of the recorded version,
the recorded band thresholds and as-of day. Its result is compared field by field with the
stored one (and the stored columns with the stored result); any difference is named, with why
when the reason is known (a model no longer available, a catalogue or feature code since
changed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from wastescreen import __version__
from wastescreen.core.canonical import canonical_json, sha256_hex
from wastescreen.core.labels.messages import Msg, msg
from wastescreen.core.locale_format import Lang
from wastescreen.domain.proposal import Proposal
from wastescreen.domain.result import ScreeningResult
from wastescreen.features.build import feature_fingerprint
from wastescreen.features.duplicate_likelihood import provenance
from wastescreen.features.overlap_index import OverlapIndex
from wastescreen.features.peers import PeerSet
from wastescreen.features.proposal_frame import proposal_rows
from wastescreen.features.red_flags import flag_catalogue
from wastescreen.features.registry_context import build_registry_context
from wastescreen.models.explain import Explainer
from wastescreen.models.registry import ModelRegistry
from wastescreen.models.spec import BandThresholds
from wastescreen.screening.engine import LoadedModel, ScreeningEngine, peer_row
from wastescreen.screening.review import NotFound
from wastescreen.screening.service import screen_proposal
from wastescreen.storage.history import load_outcome_frame, load_registry
from wastescreen.storage.tables import ProposalRow, ScreeningRow, as_utc


@dataclass(frozen=True)
class Difference:
    """One field that differs: its dotted path, both values (as JSON), and why if known."""

    field: str
    stored: Any
    reproduced: Any
    why: tuple[Msg, ...] = ()


@dataclass
class Reproduction:
    screening_id: str
    identical: bool
    differences: list[Difference] = field(default_factory=list)
    notes: list[Msg] = field(default_factory=list)


def _diff(stored: Any, new: Any, path: str, out: list[Difference]) -> None:
    if isinstance(stored, dict) and isinstance(new, dict):
        for key in sorted(set(stored) | set(new)):
            _diff(stored.get(key), new.get(key), f"{path}.{key}" if path else str(key), out)
    elif isinstance(stored, list) and isinstance(new, list) and len(stored) == len(new):
        for i, (a, b) in enumerate(zip(stored, new, strict=True)):
            _diff(a, b, f"{path}.{i}", out)
    elif canonical_json(stored) != canonical_json(new):
        out.append(Difference(path, stored, new))


def _peers(session: Session, row: ScreeningRow, recorded: dict[str, Any]
           ) -> tuple[list[str], list[Msg]]:
    """The peer ids the screening saw, and notes when they had to be rebuilt."""
    if recorded.get("ids") is not None:
        return list(recorded["ids"]), []
    # Too many to list: the submissions of the cycle stored before this screening, less those
    # a revised version stored before it had superseded.
    revision = aliased(ScreeningRow)
    superseded = (select(ScreeningRow.proposal_id).join(revision, revision.revises ==
                                                        ScreeningRow.id)
                  .where(revision.created_at < row.created_at))
    ids = sorted(session.execute(select(ProposalRow.id).where(
        ProposalRow.kind == "submission", ProposalRow.cycle == recorded["cycle"],
        ProposalRow.created_at < row.created_at, ProposalRow.id.not_in(superseded))).scalars())
    digest = hashlib.sha256("\n".join(ids).encode("utf-8")).hexdigest()
    notes = [] if digest == recorded["sha256"] else [msg("repro_peers_rebuilt")]
    return ids, notes


def _model(models_dir: Path, version: str) -> LoadedModel:
    registry = ModelRegistry(models_dir)
    bundle = registry.load(version)
    return LoadedModel(version, bundle, Explainer(bundle, nthread=1), registry.card(version))


def _stored_columns(row: ScreeningRow, result: ScreeningResult) -> list[Difference]:
    """The stored row's own columns against its stored result (an edited row shows here)."""
    out = []
    for name, column, value in (("band", row.band, result.band),
                                ("overall_score", row.overall_score, result.overall_score),
                                ("model_band", row.model_band, result.model_band),
                                ("input_hash", row.input_hash, result.input_hash),
                                ("model_version", row.model_version, result.model_version)):
        if column != value and not (name == "model_band" and column is None):
            out.append(Difference(f"screenings.{name}", column, value,
                                  (msg("repro_stored_row"),)))
    return out


def reproduce(session: Session, models_dir: Path, screening_id: str) -> Reproduction:
    """Re-run screening ``screening_id`` from its recorded inputs and compare (``NotFound``
    when there is no such screening)."""
    row = session.get(ScreeningRow, screening_id[:64])
    if row is None:
        raise NotFound(f"no screening {screening_id[:64]}")
    stored = ScreeningResult.model_validate(row.result)
    out = Reproduction(row.id, identical=False, differences=_stored_columns(row, stored))
    inputs = row.inputs
    payload = session.get(ProposalRow, row.proposal_id)
    if inputs is None or payload is None:
        out.notes.append(msg("repro_no_inputs"))
        return out
    proposal = Proposal.model_validate(payload.payload)
    if sha256_hex(proposal) != row.input_hash:
        out.differences.append(Difference("proposal", row.input_hash, sha256_hex(proposal),
                                          (msg("repro_proposal_hash"),)))
    why = _changed_since(inputs)
    try:
        model = _model(models_dir, str(inputs["model_version"]))
    except (KeyError, FileNotFoundError, OSError, ValueError) as exc:
        out.notes.append(msg("repro_no_model", version=str(inputs["model_version"]),
                             error=type(exc).__name__))
        return out
    registry = load_registry(session, at_revision=int(inputs["registry_revision"]))
    recorded_by = inputs.get("outcomes_recorded_by")
    history = load_outcome_frame(
        session, recorded_by=dt.datetime.fromisoformat(recorded_by) if recorded_by else None)
    context = build_registry_context(
        registry.labs, registry.programs, history, snapshot=registry.revision,
        snapshot_date=registry.revision_date, length_scale=inputs["registry_length_scale"],
        history_recorded_by=recorded_by or "")
    ids, notes = _peers(session, row, inputs["peers"])
    out.notes.extend(notes)
    peers_stored = {r.id: Proposal.model_validate(r.payload) for r in session.execute(
        select(ProposalRow).where(ProposalRow.id.in_(ids))).scalars()} if ids else {}
    peers = PeerSet.of(proposal_rows([peers_stored[i] for i in ids], ids)) if ids else PeerSet()
    engine = ScreeningEngine(
        context=context, model=model, bands=BandThresholds(**inputs["bands"]), peers=peers,
        peer_details={i: peer_row(p) for i, p in peers_stored.items()})
    again = screen_proposal(engine, proposal, row.proposal_id,
                            as_of=dt.date.fromisoformat(inputs["as_of"]))
    found: list[Difference] = []
    _diff(row.result, again.model_dump(mode="json"), "", found)
    out.differences.extend(Difference(d.field, d.stored, d.reproduced, why) for d in found)
    out.identical = not out.differences and not out.notes
    return out


def _changed_since(inputs: dict[str, Any]) -> tuple[Msg, ...]:
    """Why a re-run today may differ from the screening, when the recorded settings say so."""
    reasons = []
    if inputs.get("feature_fingerprint") != sha256_hex(feature_fingerprint()):
        reasons.append(msg("repro_features_changed"))
    if inputs.get("flag_catalogue_version") != flag_catalogue().version:
        reasons.append(msg("repro_flags_changed",
                           version=str(inputs.get("flag_catalogue_version"))))
    if inputs.get("duplicate_likelihood_version") != provenance().get("version"):
        reasons.append(msg("repro_likelihood_refit"))
    if inputs.get("overlap_params") != canonical_json(OverlapIndex().get_params()):
        reasons.append(msg("repro_overlap_changed"))
    if inputs.get("code_version") != __version__:
        reasons.append(msg("repro_code_version", version=str(inputs.get("code_version"))))
    return tuple(reasons)


def why_text(why: tuple[Msg, ...], lang: Lang) -> str:
    """A difference's reasons as one phrase in ``lang`` (empty when none is known)."""
    return "; ".join(m.text(lang) for m in why)


def reproduction_dict(r: Reproduction, lang: Lang = "vi") -> dict[str, Any]:
    """JSON-able, as the API answers it (notes and reasons in ``lang``)."""
    return {"screening_id": r.screening_id, "identical": r.identical,
            "notes": [n.text(lang) for n in r.notes],
            "differences": [{"field": d.field, "stored": d.stored, "reproduced": d.reproduced,
                             "why": why_text(d.why, lang)} for d in r.differences],
            "checked_at": as_utc(dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")}
