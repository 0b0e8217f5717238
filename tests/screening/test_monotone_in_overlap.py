"""More overlap with existing work never lowers a score.

Raising any component of a match (text, equipment, place, area, budget, agency) — through the
components, the overlap score they combine into and the features built from the matches, not by
editing a feature vector — never lowers the redundancy or the overall score of the trained
model. The models carry monotone constraints on every overlap and under-used-capacity feature
for every target (the overall score combines them all).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.demo_service import DemoService
from wastescreen.features import overlap_components as oc
from wastescreen.features.build import build_feature_columns, match_features
from wastescreen.features.catalogue import BY_NAME, TARGETS
from wastescreen.features.overlap_index import OverlapIndex, OverlapMatch
from wastescreen.features.proposal_frame import proposal_rows
from wastescreen.screening.engine import ScreeningEngine, load_engine

KINDS = ("lab", "program", "proposal")
_UNIT = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
_COMPONENTS = st.fixed_dictionaries({c: _UNIT for c in oc.COMPONENTS})


@pytest.fixture(scope="module")
def engine(service: DemoService) -> ScreeningEngine:
    with service.db.sessions() as s:
        return load_engine(service.settings, s)


def _match(kind: str, i: int, components: dict[str, float]) -> OverlapMatch:
    applies = {c: np.ones(1, bool) for c in oc.COMPONENTS}
    parts = {c: np.array([v]) for c, v in components.items()}
    score = float(oc.combine(parts, applies, OverlapIndex().component_weights())[0])
    return OverlapMatch(f"{kind}:{i}", kind, score, dict(components), {})


def _scores(engine: ScreeningEngine, base: dict[str, Any],
            matches: dict[str, list[dict[str, float]]]) -> tuple[float, float]:
    found = {k: [sorted((_match(k, i, c) for i, c in enumerate(matches[k])),
                        key=lambda m: -m.score)] for k in KINDS}
    columns = {**base, **match_features(found["lab"], found["program"], found["proposal"])}
    model = engine.model
    assert model is not None
    x = model.bundle.encoder.encode_columns(columns, 1)
    probs = model.bundle.predict_proba_encoded(x)
    return float(probs["redundancy"][0]), float(probs["overall"][0])


def test_every_overlap_feature_is_constrained_for_every_target() -> None:
    for name in ("sim_lab_best", "sim_program_best", "sim_cycle_best", "close_match_count",
                 "underused_capacity_nearby", "equipment_in_region_share"):
        assert BY_NAME[name].monotone == {t: +1 for t in TARGETS}, name


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(matches=st.fixed_dictionaries({k: st.lists(_COMPONENTS, min_size=0, max_size=3)
                                      for k in KINDS}),
       kind=st.sampled_from(KINDS), which=st.integers(0, 2),
       component=st.sampled_from(oc.COMPONENTS), raise_by=st.floats(0.01, 1.0),
       spare=st.integers(0, 39))
def test_raising_a_component_never_lowers_redundancy_or_overall(
        engine: ScreeningEngine, service: DemoService, matches: dict[str, list[dict[str, float]]],
        kind: str, which: int, component: str, raise_by: float, spare: int) -> None:
    proposal = service.spare[spare]
    rows = proposal_rows([proposal], ["p"])
    base, _ = build_feature_columns(rows, engine.context, engine.peers)
    if not matches[kind]:
        matches[kind] = [dict.fromkeys(oc.COMPONENTS, 0.0)]
    before = _scores(engine, base, matches)
    raised = {k: [dict(c) for c in v] for k, v in matches.items()}
    target = raised[kind][min(which, len(raised[kind]) - 1)]
    target[component] = min(1.0, target[component] + raise_by)
    after = _scores(engine, base, raised)
    assert after[0] >= before[0] - 1e-9 and after[1] >= before[1] - 1e-9, (before, after)
