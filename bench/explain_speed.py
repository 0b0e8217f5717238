"""Explain-speed benchmark: score + exact SHAP for one proposal and for 100,000 proposals.

Run from the repository root: ``.venv/bin/python -m bench.explain_speed``. A seeded synthetic
portfolio of 30 features (numeric, booleans and integer-coded categories fed as numbers, so that
``shap.TreeExplainer`` handles the same model) and three targets is trained with
``train_risk_models`` (so the model has the size the selection chooses); then one-proposal latency
(``Explainer.explain_rows`` on a plain mapping, all three targets, additivity checked) and batch
throughput (``Explainer.explain_encoded`` on 100,000 encoded rows) are timed, with
``shap.TreeExplainer`` on the same boosters timed beside it and its values compared to ours.
Targets: single median <= 3 ms, batch >= 2,000 proposals/s, max |ours - shap| <= 1e-5.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd
import shap

from bench.common import print_table, write_results
from wastescreen.models.explain import Explainer
from wastescreen.models.model_selection import SearchSpace
from wastescreen.models.spec import FeatureSpec, TargetSpec
from wastescreen.models.training import TimeSplitConfig, train_risk_models

SEED = 57
N_TRAIN = 20_000
N_BATCH = 100_000
N_SHAP = 10_000
TARGETS = [
    TargetSpec("redundancy", "duplication_found"),
    TargetSpec("idle_assets", "idle_assets"),
    TargetSpec("non_delivery", "outputs_not_delivered"),
]


def synthetic(n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, list[FeatureSpec]]:
    """30 features: 20 numeric, 5 booleans, 5 integer-coded categories (as numbers)."""
    data: dict[str, np.ndarray] = {f"num_{i}": rng.normal(size=n) for i in range(20)}
    data.update({f"flag_{i}": (rng.random(n) < 0.3).astype(float) for i in range(5)})
    data.update({f"code_{i}": rng.integers(0, 8, n).astype(float) for i in range(5)})
    frame = pd.DataFrame(data)
    frame.loc[rng.random(n) < 0.05, "num_3"] = np.nan
    frame["year"] = rng.integers(2012, 2026, n)
    z = [
        frame["num_0"]
        + 0.8 * frame["flag_0"]
        + 0.3 * (frame["code_0"] == 3)
        + 0.2 * frame["num_5"] ** 2,
        frame["num_1"] - 0.7 * frame["flag_1"] + 0.4 * frame["num_2"] * frame["num_6"],
        frame["num_2"] + 0.5 * frame["num_4"].fillna(0) + 0.3 * (frame["code_1"] > 5),
    ]
    for target, zi in zip(TARGETS, z, strict=True):
        frame[target.label_column] = (zi + rng.normal(scale=1.2, size=n) > 1.0).astype(int)
    specs = [FeatureSpec(c, "numeric") for c in data]
    specs[0] = FeatureSpec("num_0", "numeric", {"redundancy": 1})
    return frame, specs


def main() -> None:
    rng = np.random.default_rng(SEED)
    frame, specs = synthetic(N_TRAIN, rng)
    bundle = train_risk_models(
        frame,
        specs,
        TARGETS,
        time_column="year",
        split=TimeSplitConfig(0.6, 0.2, 0.2, 0.0),
        search=SearchSpace(max_trees=400),
    )
    sizes = {t: (m.params["max_depth"], m.n_trees) for t, m in bundle.models.items()}
    explainer = Explainer(bundle)
    batch_frame, _ = synthetic(N_BATCH, np.random.default_rng(SEED + 1))
    rows: list[dict[str, Any]] = [
        {str(k): v for k, v in r.items()}
        for r in batch_frame[[s.name for s in specs]].head(2000).to_dict("records")
    ]
    for row in rows[:50]:
        explainer.explain_rows([row])
    times = []
    for row in rows:
        start = time.perf_counter()
        explainer.explain_rows([row])
        times.append(time.perf_counter() - start)
    single_ms = float(np.median(times) * 1e3)
    x = bundle.encoder.transform(batch_frame)
    start = time.perf_counter()
    ours = explainer.explain_encoded(x)
    batch_per_s = N_BATCH / (time.perf_counter() - start)
    sample = pd.DataFrame(x[:N_SHAP], columns=bundle.encoder.feature_names)
    start = time.perf_counter()
    theirs = {
        t.name: shap.TreeExplainer(bundle.models[t.name].booster).shap_values(sample)
        for t in TARGETS
    }
    shap_per_s = N_SHAP / (time.perf_counter() - start)
    diff = max(
        float(np.max(np.abs(ours.targets[t].contributions[:N_SHAP] - v))) for t, v in theirs.items()
    )
    write_results(
        "explain-speed",
        {
            "single_median_ms": single_ms,
            "single_p95_ms": float(np.percentile(times, 95) * 1e3),
            "batch_per_s": batch_per_s,
            "shap_batch_per_s": shap_per_s,
            "max_abs_diff": diff,
            "features": len(specs),
            "targets": len(TARGETS),
            "batch_rows": N_BATCH,
            "shap_rows": N_SHAP,
            "model_depth_trees": sizes,
        },
    )
    print_table(
        "Score + exact SHAP, 30 features, 3 targets",
        [
            ("one proposal, median ms", "-", f"{single_ms:.2f}", "<= 3"),
            (
                "batch proposals/s (100,000)",
                f"{shap_per_s:,.0f} (shap)",
                f"{batch_per_s:,.0f}",
                ">= 2,000",
            ),
            ("max |ours - shap.TreeExplainer|", "-", f"{diff:.2e}", "<= 1e-5"),
            ("model depth x trees per target", "-", str(sizes), "size selection"),
        ],
    )


if __name__ == "__main__":
    main()
