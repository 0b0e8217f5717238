"""Duplicate likelihood on real World Bank pairs: refit it, or judge the packaged one.

Run from the repository root:

- ``.venv/bin/python -m bench.duplicate_likelihood`` judges the packaged model
  (``src/wastescreen/reference_data/duplicate_likelihood.json``) on the held-out half: Brier
  score, log loss and a reliability table beside the baseline (the raw overlap score taken as a
  probability); writes ``bench/results/duplicate-likelihood.json``.
- ``... --fit`` refits it on the tune half of the pairs (the fixed split of
  ``worldbank_overlap_adapter.split_half``) and rewrites the packaged file with what it was
  fitted on (data hashes, date, command, held-out figures), then judges it as above.
- ``... --cv`` compares model forms (text knots, ridge penalty) by 5-fold cross-validation over
  the tune half's queries; the held-out half is not read. ``PARAMS`` is its choice.

The labelled matches (positives, excluded same-series phases, negatives) are those of
``bench/worldbank_duplicate_adapter.py``, over the index of ``bench.overlap_worldbank``.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from bench import worldbank_duplicate_adapter as wd
from bench import worldbank_overlap_adapter as wb
from bench.common import ROOT, require_worldbank, write_results
from bench.overlap_worldbank import N_CANDIDATES, WEIGHTS
from wastescreen.features.duplicate_likelihood import DuplicateLikelihood, default, packaged_card
from wastescreen.features.overlap_components import COMPONENTS
from wastescreen.features.overlap_index import OverlapIndex

VERSION = 1  # bump when the labelling, the data or the model form changes
COMMAND = "python -m bench.duplicate_likelihood --fit"
PACKAGED = ROOT / "src" / "wastescreen" / "reference_data" / "duplicate_likelihood.json"
DATA_FILES = ("overlap_pairs.csv", "projects.csv.gz", "sectors.csv.gz")
# From --cv on the tune half: ramps at these knots and l2 1e-4 gave the lowest log loss, by a
# hair over a straight line in text (the ramps let the effect of text flatten near 1).
PARAMS: Mapping[str, Any] = {"components": ("text", "area", "budget", "agency"),
                             "knots": {"text": (0.2, 0.4, 0.6, 0.8)}, "l2": 1e-4}
CV_KNOTS = ((), (0.2, 0.4, 0.6, 0.8), (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9))
CV_L2 = (1e-4, 1e-3, 1e-2)
NOTES = {
    "text": "learned; present in every pair; piecewise linear in the logit (knots in params)",
    "area": "learned; absent (no sector) is neutral, between a mismatch and a match",
    "budget": "learned; absent (no project cost) is neutral",
    "agency": "learned; absent (no implementing agency, or not computed) is neutral",
    "place": "not used: the pairs are linked within one country, which plays the part of the "
             "service's whole registry; the service's place is the province, which these pairs "
             "do not label",
    "equipment": "not learned: World Bank projects list no equipment, so shared equipment does "
                 "not move the likelihood (the component is still shown and the flag rules use "
                 "it)",
}


def labelled_frame(folder: Path) -> tuple[pd.DataFrame, float]:
    """``wd.labelled_matches`` of every pair over the Protocol-2 index, and the share of the
    pairs that the same-series rule recognises as one series."""
    projects = wb.load_projects(folder)
    pairs = [p for p in wb.load_pairs(folder) if p.query_id in projects and p.parent_id in projects]
    index = OverlapIndex(weights=WEIGHTS, n_candidates=N_CANDIDATES).fit(
        [wb.registry_doc(p) for p in projects.values()])
    return wd.labelled_matches(projects, pairs, index), wd.series_rule_recall(projects, pairs)


def _xy(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    lab = frame[frame["label"].notna()]
    return lab[list(COMPONENTS)].to_numpy(), lab["label"].to_numpy()


def fit_tune(frame: pd.DataFrame, params: Mapping[str, Any] = PARAMS) -> DuplicateLikelihood:
    """The model fitted on the labelled matches of the tune half."""
    return DuplicateLikelihood(**params).fit(*_xy(frame[frame["half"] == "tune"]))


def data_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of each data file the fit reads."""
    return {n: hashlib.sha256((folder / n).read_bytes()).hexdigest() for n in DATA_FILES}


def card(frame: pd.DataFrame, folder: Path, figures: Mapping[str, Any]) -> dict[str, Any]:
    """What the packaged file says beside the coefficients."""
    tune = frame[frame["half"] == "tune"]
    return {
        "version": VERSION, "fitted_on": datetime.now(UTC).date().isoformat(),
        "command": COMMAND, "components_notes": NOTES,
        "data": {"source": "../shared/data/external/worldbank/ (World Bank projects, CC BY 4.0)",
                 "sha256": data_hashes(folder),
                 "half": "tune (query id digits even, worldbank_overlap_adapter.split_half)",
                 "queries": int(tune["query_id"].nunique()),
                 "rows": int(tune["label"].notna().sum()),
                 "positives": int((tune["label"] == 1).sum()),
                 "excluded_same_series": int(tune["label"].isna().sum()),
                 "series_rule_recall_on_pairs": figures["series_recall"]},
        "labelling": wd.__doc__.split("\n\n", 1)[1].strip() if wd.__doc__ else "",
        "meaning": "P(same or overlapping work) of a match among a query's top 10 in its own "
                   "registry, learned on queries that do continue an earlier project; among "
                   "proposals that continue nothing, matches are rarer than here, so read it as "
                   "'if this proposal repeats work, how likely it is this match'",
        "held_out": {k: figures[k] for k in ("rows", "positives", "queries", "brier", "log_loss")}
        | {"reliability": figures["reliability"]["ours"]},
    }


def cross_validate(frame: pd.DataFrame, folds: int = 5) -> list[tuple[str, str, str]]:
    """Log loss and Brier of each form over ``folds`` folds of the tune half's queries."""
    tune = frame[(frame["half"] == "tune") & frame["label"].notna()]
    queries = np.random.default_rng(0).permutation(sorted(tune["query_id"].unique()))
    fold = tune["query_id"].map({q: i % folds for i, q in enumerate(queries)}).to_numpy()
    x, y = _xy(tune)
    rows = []
    for knots, l2 in itertools.product(CV_KNOTS, CV_L2):
        p = np.zeros(len(y))
        for k in range(folds):
            params = {**PARAMS, "knots": {"text": knots}, "l2": l2}
            p[fold == k] = DuplicateLikelihood(**params).fit(
                x[fold != k], y[fold != k]).predict(x[fold == k])
        rows.append((f"text knots {knots or 'none'}, l2 {l2:g}", f"{wd.log_loss(y, p):.4f}",
                     f"{wd.brier(y, p):.4f}"))
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fit", action="store_true", help="refit and rewrite the packaged file")
    parser.add_argument("--cv", action="store_true", help="compare model forms on the tune half")
    args = parser.parse_args(argv)
    folder = require_worldbank()
    frame, series_recall = labelled_frame(folder)
    if args.cv:
        table = Table(title="5-fold cross-validation over the tune half's queries")
        for head in ("form", "log loss", "Brier"):
            table.add_column(head)
        for row in cross_validate(frame):
            table.add_row(*row)
        Console(width=120).print(table)
        return
    if args.fit:
        model = fit_tune(frame)
        figures = wd.evaluate(model, frame)
        model.save(PACKAGED, **card(frame, folder, figures | {"series_recall": series_recall}))
        print(f"wrote {PACKAGED.relative_to(ROOT)}")
        default.cache_clear()
    model = default()
    figures = wd.evaluate(model, frame) | {"series_rule_recall_on_pairs": series_recall}
    # The packaged file was fitted on these very files (else refit with --fit).
    figures["packaged_fitted_on_this_data"] = packaged_card()["data"]["sha256"] == data_hashes(
        folder)
    write_results("duplicate-likelihood", figures)
    wd.print_evaluation(figures, "Duplicate likelihood, World Bank pairs")



if __name__ == "__main__":
    main()
