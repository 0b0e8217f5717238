"""The duplicate likelihood (features/duplicate_likelihood.py): monotone, absent components,
JSON round trip, the packaged file; and, when the real data is beside the repository, that the
packaged file is what the refit command makes from it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench import duplicate_likelihood as refit
from bench import worldbank_duplicate_adapter as wd
from bench.common import WORLDBANK
from wastescreen.features.duplicate_likelihood import (
    DuplicateLikelihood,
    component_matrix,
    default,
    match_components,
    packaged_card,
    provenance,
)
from wastescreen.features.overlap_components import COMPONENTS
from wastescreen.features.overlap_index import OverlapDoc, OverlapIndex, applicable_components

LEARNED = ("area", "budget", "agency")  # linear, absent in some training rows
unit = st.floats(0.0, 1.0, allow_nan=False)


def _synthetic(n: int = 4000, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Components, labels drawn from a known logistic model, and its true probabilities. Text
    is always present; budget is absent for a third of the rows; the agency *lowers* the true
    probability (so only the constraint keeps the fitted effect at >= 0)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, (n, len(COMPONENTS)))
    x[:, COMPONENTS.index("equipment")] = np.nan  # never present
    x[rng.uniform(size=n) < 0.33, COMPONENTS.index("budget")] = np.nan
    col = {c: x[:, i] for i, c in enumerate(COMPONENTS)}
    z = (-4 + 6 * col["text"] + 1.5 * col["area"] + np.nan_to_num(col["budget"]) - col["agency"])
    truth = 1 / (1 + np.exp(-z))
    return x, (rng.uniform(size=n) < truth).astype(float), truth


@pytest.fixture(scope="module")
def fitted() -> DuplicateLikelihood:
    x, y, _ = _synthetic()
    return DuplicateLikelihood(knots={"text": (0.3, 0.6)}).fit(x, y)


def test_fit_learns_the_generating_probabilities_and_says_what_was_present(
        fitted: DuplicateLikelihood) -> None:
    x, _, truth = _synthetic(2000, seed=1)
    assert np.mean(np.abs(fitted.predict(x) - truth)) < 0.04
    assert fitted.presence_ == {"text": "always", "equipment": "never", "place": "always",
                                "area": "always", "budget": "sometimes", "agency": "always"}
    assert fitted.coef_["equipment"] == []
    # The agency lowers the truth, but the model may not: its slope is held at 0.
    assert all(w >= 0 for c in COMPONENTS for w in fitted.coef_[c]
               if fitted.presence_[c] == "always")
    assert max(fitted.coef_["agency"]) < 1e-6
    lo, hi = fitted.coef_["budget"]
    assert lo <= 0 <= hi and hi - lo > 0.3


@given(st.fixed_dictionaries({c: st.one_of(st.none(), unit) for c in COMPONENTS}),
       st.sampled_from(COMPONENTS), unit, unit)
def test_raising_any_one_component_never_lowers_the_packaged_likelihood(
        comps: dict[str, float | None], which: str, a: float, b: float) -> None:
    comps = {**comps, "text": comps["text"] if comps["text"] is not None else a}
    low, high = dict(comps), dict(comps)
    low[which], high[which] = min(a, b), max(a, b)
    model = default()
    assert model.likelihood(high) >= model.likelihood(low)


FITTED = DuplicateLikelihood(knots={"text": (0.3, 0.6)}).fit(*_synthetic(600)[:2])


@given(st.lists(unit, min_size=len(COMPONENTS), max_size=len(COMPONENTS)),
       st.sampled_from(COMPONENTS), unit)
def test_raising_any_one_component_never_lowers_a_fitted_likelihood(
        values: list[float], which: str, step: float) -> None:
    model = FITTED  # fitted on data where the agency lowers the truth
    base = dict(zip(COMPONENTS, values, strict=True))
    raised = {**base, which: min(1.0, base[which] + step)}
    assert model.likelihood(raised) >= model.likelihood(base)


def test_json_round_trip_gives_the_same_likelihoods(fitted: DuplicateLikelihood,
                                                     tmp_path: Path) -> None:
    path = tmp_path / "dl.json"
    fitted.save(path, version=7, note="synthetic")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == 7 and data["format"] == "wastescreen-duplicate-likelihood/1"
    x, _, _ = _synthetic(300, seed=2)
    assert np.array_equal(DuplicateLikelihood.load(path).predict(x), fitted.predict(x))
    path.write_text(json.dumps({**data, "format": "other/1"}), encoding="utf-8")
    with pytest.raises(ValueError, match="not a wastescreen-duplicate-likelihood/1"):
        DuplicateLikelihood.load(path)


def test_absent_components_are_neutral_and_text_cannot_be_absent() -> None:
    model = default()
    for c in LEARNED:
        for t in (0.1, 0.5, 0.9):
            absent = model.likelihood({"text": t})
            assert model.likelihood({"text": t, c: 0.0}) <= absent
            assert model.likelihood({"text": t, c: 1.0}) >= absent
            assert model.likelihood({"text": t, c: None}) == absent  # None = missing key
    with pytest.raises(ValueError, match="'text' was present in every training row"):
        model.likelihood({"area": 1.0})


def test_components_the_model_does_not_use_do_not_move_it() -> None:
    model = default()
    assert set(model.components) == {"text", "area", "budget", "agency"}
    base = {"text": 0.4, "area": 1.0, "budget": 0.5}
    for c in ("place", "equipment"):
        assert model.likelihood({**base, c: 1.0}) == model.likelihood(base)


def test_packaged_model_gives_sensible_likelihoods() -> None:
    model = default()
    assert model.likelihood({"text": 1.0}) >= 0.9  # a verbatim copy, nothing else known
    assert model.likelihood({"text": 0.98, "area": 1.0, "budget": 1.0, "agency": 1.0}) >= 0.95
    assert model.likelihood({"text": 0.03, "area": 0.0, "budget": 0.0, "agency": 0.0}) <= 0.02
    rows = [{"text": t, "area": a, "budget": None} for t in (0.0, 0.3, 0.7, 1.0)
            for a in (None, 0.0, 1.0)]
    many = model.predict(component_matrix(rows))
    assert many.shape == (12,)
    assert np.allclose(many, [model.likelihood(r) for r in rows], rtol=0, atol=1e-12)


def test_packaged_card_says_what_it_rests_on() -> None:
    card = packaged_card()
    assert card["command"] == "python -m bench.duplicate_likelihood --fit"
    assert set(card["data"]["sha256"]) == {"overlap_pairs.csv", "projects.csv.gz",
                                           "sectors.csv.gz"}
    assert card["held_out"]["brier"]["ours"] < card["held_out"]["brier"]["raw_score"]
    info = provenance()
    assert set(info["components_notes"]) == set(COMPONENTS)
    assert info["held_out_brier"] == card["held_out"]["brier"]


def test_a_component_that_does_not_apply_to_the_query_is_absent() -> None:
    docs = [OverlapDoc("p1", "program", "trí tuệ nhân tạo trong y tế", province="Hà Nội",
                       technology_area="AI", budget_vnd=10**10, year=2020, group="Bộ Y tế")]
    query = OverlapDoc("q", "proposal", "ứng dụng trí tuệ nhân tạo trong y tế",
                       province="Hà Nội", technology_area="AI", year=2026)
    applies = applicable_components(query)
    assert applies == {"text": True, "equipment": False, "place": True, "area": True,
                       "budget": False, "agency": False}
    match = OverlapIndex().fit(docs).query(query)[0]
    comps = match_components(match, applies)
    assert comps["budget"] is None and comps["agency"] is None and comps["equipment"] is None
    assert comps["text"] == match.components["text"] > 0 and comps["area"] == 1.0
    model = default()
    assert model.predict_matches([match], applies).tolist() == [model.likelihood(comps)]
    # Read as compared, the budget's and agency's 0 would lower the likelihood.
    assert model.likelihood(match.components) < model.likelihood(comps)


@pytest.mark.parametrize("knots", [(0.5, 0.2), (0.0, 0.5), (0.4, 0.4)])
def test_knots_must_rise_inside_the_unit_interval(knots: tuple[float, ...]) -> None:
    x, y, _ = _synthetic(100)
    with pytest.raises(ValueError, match="must rise strictly"):
        DuplicateLikelihood(knots={"text": knots}).fit(x, y)


def test_knots_on_a_component_absent_in_some_rows_are_refused() -> None:
    x, y, _ = _synthetic(100)
    with pytest.raises(ValueError, match="knots for 'budget'"):
        DuplicateLikelihood(knots={"budget": (0.5,)}).fit(x, y)


needs_worldbank = pytest.mark.skipif(
    not WORLDBANK.is_dir(),
    reason=f"the real World Bank data is absent ({WORLDBANK}); the packaged file is not checked "
           "against it")


@needs_worldbank
def test_packaged_file_was_fitted_on_the_shared_data() -> None:
    assert packaged_card()["data"]["sha256"] == refit.data_hashes(WORLDBANK)


@needs_worldbank
@pytest.mark.slow
def test_refit_command_reproduces_the_packaged_coefficients_and_figures() -> None:
    frame, series_recall = refit.labelled_frame(WORLDBANK)
    model, packaged = refit.fit_tune(frame), default()
    assert model.presence_ == packaged.presence_
    assert model.intercept_ == pytest.approx(packaged.intercept_, abs=1e-5)
    for c in packaged.components:
        assert model.coef_[c] == pytest.approx(packaged.coef_[c], abs=1e-5)
    held = packaged_card()["held_out"]
    figures = wd.evaluate(packaged, frame)
    assert (figures["rows"], figures["positives"]) == (held["rows"], held["positives"])
    assert figures["brier"] == pytest.approx(held["brier"], abs=1e-9)
    assert series_recall == packaged_card()["data"]["series_rule_recall_on_pairs"]


def test_fit_needs_both_labels() -> None:
    x, _, _ = _synthetic(50)
    with pytest.raises(ValueError, match="both labels"):
        DuplicateLikelihood().fit(x, np.ones(50))
