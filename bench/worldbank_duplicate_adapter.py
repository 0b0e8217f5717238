"""Labelled matches for the duplicate likelihood, from the World Bank pairs (Protocol 2).

For each pair, the query (objective text plus what a proposal carries, ``wb.query_doc``) is run
against the projects approved before it, and its top ``k`` matches **of its own country** are
labelled. The service's registry is one country's, so a World Bank country plays the part of the
whole registry: other countries' projects are not candidates at all (the pairs were linked
within a country, so keeping them would teach "another country is never the same work").

- positive (1): the pair's parent;
- excluded (no label): another phase of the same series as the query or the parent ("Second …",
  "… Additional Financing", "Phase 2", an acronym of the name; ``same_series``) — real overlaps
  that the pairs file does not list, so they are neither positives nor negatives;
- negative (0): every other match in the top ``k``.

A component that does not apply to the query (no cost, no sector, no agency; World Bank projects
never list equipment) is NaN, as the duplicate likelihood reads it (absent, not 0).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table
from sklearn.linear_model import LogisticRegression

from bench import worldbank_overlap_adapter as wb
from bench.common import print_table
from wastescreen.features.duplicate_likelihood import DuplicateLikelihood
from wastescreen.features.overlap_components import COMPONENTS
from wastescreen.features.overlap_index import OverlapIndex, applicable_components

# Words that name a phase or a financing form rather than the work ("Second", "AF", "Phase",
# "Credit"...), and English function words; dropped before names are compared.
_STOP = frozenset({
    "the", "of", "for", "and", "to", "a", "an", "in", "on", "with",
})
SERIES_WORDS = frozenset({
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii",
    "additional", "addit", "financing", "financ", "finance", "financed", "fin", "add", "af",
    "supplemental", "supplement", "supplementary", "suplm", "suppl", "phase", "tranche",
    "stage", "apl", "project", "projects", "program", "programme", "programs", "programmatic",
    "operation", "credit", "loan", "grant", "series", "dpf", "dpo", "dpl", "dpc", "sop",
    "pforr", "sil", "ida", "ibrd", "reflow",
}) | _STOP
POOL = 50  # matches fetched per query before keeping the first k of its own country


def _words(name: str) -> list[str]:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.findall(r"[a-z]+", ascii_name)


def name_key(name: str, country: str = "") -> frozenset[str]:
    """The words of a project name that say what the work is: series words, the country's name
    and words of two letters or fewer (country codes: "CN-", "BO") dropped, each cut to its
    first 6 letters (a crude stem: "Agricultural" and "Agriculture" meet)."""
    drop = SERIES_WORDS | set(_words(country))
    return frozenset(w[:6] for w in _words(name) if w not in drop and len(w) > 2)


def acronym(name: str) -> str:
    """Initials of the name's words but function words ("Poverty Reduction Support Operation"
    -> "prso")."""
    return "".join(w[0] for w in _words(name) if w not in _STOP)


def same_series(a: str, b: str, country: str = "") -> bool:
    """Whether two project names of one country look like phases of one series: after
    ``name_key``, one name's words contain the other's (two words or more), or they share 60 %
    of their words, or their sorted words are 85 % alike as strings; or one name carries the
    other's acronym (4 letters or more) as a word."""
    ka, kb = name_key(a, country), name_key(b, country)
    for x, y in ((a, b), (b, a)):
        short = acronym(x)
        if len(short) >= 4 and short in _words(y):
            return True
    if not ka or not kb:
        return False
    if min(len(ka), len(kb)) >= 2 and (ka <= kb or kb <= ka):
        return True
    if len(ka & kb) / len(ka | kb) >= 0.6:
        return True
    return difflib.SequenceMatcher(None, " ".join(sorted(ka)),
                                   " ".join(sorted(kb))).ratio() >= 0.85


def series_rule_recall(projects: Mapping[str, wb.Project], pairs: Sequence[wb.Pair]) -> float:
    """Share of the pairs whose query and parent ``same_series`` calls one series: how much of
    what the rule should find it finds (its false alarms only cost excluded negatives)."""
    hits = [same_series(projects[p.query_id].name, projects[p.parent_id].name,
                        projects[p.query_id].country) for p in pairs]
    return sum(hits) / len(hits) if hits else float("nan")


def labelled_matches(projects: Mapping[str, wb.Project], pairs: Sequence[wb.Pair],
                     index: OverlapIndex, k: int = 10) -> pd.DataFrame:
    """One row per (query, match) among each query's top ``k`` of its own country.

    Columns: query_id, doc_id, half ("tune" / "held_out"), copied (bool), rank (0-based, among
    the own-country matches), score (the overlap score), the six components (float, NaN where
    the component does not apply to the query), label (1.0, 0.0, or NaN = excluded as another
    phase of the same series).
    """
    rows = []
    for pair in pairs:
        q = projects[pair.query_id]
        doc = wb.query_doc(q)
        applies = applicable_components(doc)
        found = index.query(doc, k=POOL, max_year=q.year,
                            exclude_ids=wb.later_same_year(projects, pair.query_id))
        own = [m for m in found if projects[m.doc_id].country == q.country][:k]
        parent = projects[pair.parent_id]
        for rank, m in enumerate(own):
            name = projects[m.doc_id].name
            if m.doc_id == pair.parent_id:
                label = 1.0
            elif same_series(name, q.name, q.country) or same_series(name, parent.name,
                                                                      q.country):
                label = float("nan")
            else:
                label = 0.0
            rows.append({"query_id": pair.query_id, "doc_id": m.doc_id,
                         "half": wb.split_half(pair), "copied": pair.copied, "rank": rank,
                         "score": m.score, "label": label,
                         **{c: (m.components[c] if applies[c] else np.nan) for c in COMPONENTS}})
    return pd.DataFrame(rows)


# -- evaluation: Brier score and reliability on the held-out half -------------------------------
BINS = np.linspace(0.0, 1.0, 11)  # fixed bins of predicted probability, 0-0.1 ... 0.9-1.0


def brier(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((p - y) ** 2))


def log_loss(y: np.ndarray, p: np.ndarray) -> float:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))


def reliability(y: np.ndarray, p: np.ndarray) -> list[dict[str, float | int | None]]:
    """Per fixed bin of ``p``: its bounds, the rows in it, mean predicted and observed rate."""
    which = np.clip(np.digitize(p, BINS[1:-1]), 0, len(BINS) - 2)
    out: list[dict[str, float | int | None]] = []
    for b in range(len(BINS) - 1):
        inside = which == b
        n = int(inside.sum())
        out.append({"low": round(float(BINS[b]), 2), "high": round(float(BINS[b + 1]), 2),
                    "count": n,
                    "mean_predicted": float(p[inside].mean()) if n else None,
                    "observed": float(y[inside].mean()) if n else None})
    return out


def platt(frame: pd.DataFrame) -> LogisticRegression:
    """A second reference: the overlap score calibrated by a logistic fit on the tune half."""
    tune = frame[(frame["half"] == "tune") & frame["label"].notna()]
    return LogisticRegression(C=1e6).fit(tune[["score"]].to_numpy(), tune["label"].to_numpy())


def top1_recall(frame: pd.DataFrame, p: np.ndarray) -> dict[str, float]:
    """Share of queries whose parent comes first among their own-country matches, ordered by the
    overlap score (rank) and by the likelihood (ties keep the score's order)."""
    f = frame.assign(p=p)
    first_by_score = f[f["rank"] == 0]
    first_by_p = f.sort_values(["query_id", "p", "rank"], ascending=[True, False, True],
                               kind="stable").drop_duplicates("query_id")
    n = f["query_id"].nunique()
    return {"by_score": float((first_by_score["label"] == 1).sum() / n),
            "by_likelihood": float((first_by_p["label"] == 1).sum() / n), "queries": n}


def evaluate(model: DuplicateLikelihood, frame: pd.DataFrame) -> dict[str, Any]:
    """Held-out figures of ``model`` beside the raw overlap score taken as a probability (the
    baseline), the score calibrated on the tune half, and the tune half's base rate."""
    held = frame[frame["half"] == "held_out"]
    lab = held[held["label"].notna()]
    y = lab["label"].to_numpy()
    x = lab[list(COMPONENTS)].to_numpy()
    calibrated = platt(frame).predict_proba(lab[["score"]].to_numpy())[:, 1]
    tune_rate = frame.loc[frame["half"] == "tune", "label"].mean()
    preds = {"ours": model.predict(x), "raw_score": lab["score"].to_numpy(),
             "score_calibrated_on_tune": calibrated, "tune_base_rate": np.full(len(y), tune_rate)}
    copied = lab["copied"].to_numpy()
    return {
        "rows": len(lab), "positives": int(y.sum()), "queries": int(held["query_id"].nunique()),
        "excluded_same_series": int(held["label"].isna().sum()),
        "brier": {k: brier(y, p) for k, p in preds.items()},
        "log_loss": {k: log_loss(y, p) for k, p in preds.items()},
        "reliability": {k: reliability(y, preds[k]) for k in ("ours", "raw_score")},
        "parents_mean_likelihood": {
            "copied": float(preds["ours"][(y == 1) & copied].mean()),
            "reworded": float(preds["ours"][(y == 1) & ~copied].mean())},
        "first_match_is_parent": top1_recall(
            held, model.predict(held[list(COMPONENTS)].to_numpy())),
    }


def print_evaluation(figures: Mapping[str, Any], title: str) -> None:
    """The Brier/log-loss table and the reliability table of ``evaluate``'s figures."""
    rows = [("Brier score", f"{figures['brier']['raw_score']:.4f}",
             f"{figures['brier']['ours']:.4f}", "lower is better"),
            ("log loss", f"{figures['log_loss']['raw_score']:.4f}",
             f"{figures['log_loss']['ours']:.4f}", "lower is better")]
    for key in ("score_calibrated_on_tune", "tune_base_rate"):
        rows.append((f"Brier of {key.replace('_', ' ')}", "-", f"{figures['brier'][key]:.4f}",
                     "reference"))
    first = figures["first_match_is_parent"]
    rows.append(("parent first, own-country list", f"{first['by_score']:.3f} (by score)",
                 f"{first['by_likelihood']:.3f} (by likelihood)", "information"))
    print_table(f"{title}: {figures['rows']} held-out matches ({figures['positives']} parents, "
                f"{figures['excluded_same_series']} same-series excluded); baseline = raw "
                "overlap score as a probability", rows)
    table = Table(title="reliability, held-out half (fixed bins of the predicted probability)")
    for head in ("bin", "n (score)", "predicted", "observed", "n (ours)", "predicted", "observed"):
        table.add_column(head)
    fmt = "{:.3f}".format
    for b, o in zip(figures["reliability"]["raw_score"], figures["reliability"]["ours"],
                    strict=True):
        cells = [f"{b['low']:.1f}-{b['high']:.1f}"]
        for r in (b, o):
            cells += [str(r["count"]), "-" if r["count"] == 0 else fmt(r["mean_predicted"]),
                      "-" if r["count"] == 0 else fmt(r["observed"])]
        table.add_row(*cells)
    Console(width=120).print(table)
