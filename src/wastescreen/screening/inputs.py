"""What a screening's result depends on besides the proposal, recorded with it.

A result is a function of: the proposal; the model (by version) and the feature code (its
fingerprint); the registry at a revision (kept in ``storage.registry_history``) and the overlap
index's BM25 length scale; the outcomes recorded by a time; the same-cycle peers the engine
held; the as-of day; and the settings that change a score (band thresholds, overlap weights,
the red-flag catalogue, the duplicate likelihood). ``wastescreen reproduce`` re-runs a screening
from exactly these.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from wastescreen import __version__
from wastescreen.core.canonical import canonical_json, sha256_hex
from wastescreen.features.build import feature_fingerprint
from wastescreen.features.duplicate_likelihood import provenance
from wastescreen.features.red_flags import flag_catalogue
from wastescreen.screening.engine import ScreeningEngine

INPUTS_VERSION = 1
# Up to this many same-cycle peers are listed by id; beyond, their set is recorded by count and
# hash and rebuilt from the submissions stored before the screening.
PEER_IDS_LISTED = 2_000


def peer_set(engine: ScreeningEngine, cycle: int) -> dict[str, Any]:
    """The submissions of ``cycle`` the engine compares with (call with ``engine.lock``)."""
    ids, digest = engine.peers.listing(cycle)
    return {"cycle": cycle, "count": len(ids), "sha256": digest,
            "ids": list(ids) if len(ids) <= PEER_IDS_LISTED else None}


@cache
def _fixed() -> tuple[str, str, Any]:
    """What the code and its packaged reference data fix for the life of the process: the
    feature fingerprint's hash, the red-flag catalogue's and the duplicate likelihood's
    versions (made once, not per screening)."""
    return (sha256_hex(feature_fingerprint()), flag_catalogue().version,
            provenance().get("version"))


def capture(engine: ScreeningEngine, cycle: int, as_of: str) -> dict[str, Any]:
    """The inputs of a screening made now (call with ``engine.lock`` held, as it reads the
    registry context and the peers the screening uses)."""
    model = engine.model
    context = engine.context
    fingerprint, catalogue, likelihood = _fixed()
    return {
        "version": INPUTS_VERSION,
        "code_version": __version__,
        "model_version": None if model is None else model.version,
        "feature_fingerprint": fingerprint,
        "registry_revision": context.snapshot,
        "registry_length_scale": float(context.index.length_scale_),
        "outcomes_recorded_by": context.history_recorded_by or None,
        "peers": peer_set(engine, cycle),
        "as_of": as_of,
        "bands": {"medium": engine.bands.medium, "high": engine.bands.high},
        "overlap_params": canonical_json(context.index.get_params()),
        "flag_catalogue_version": catalogue,
        "duplicate_likelihood_version": likelihood,
    }
