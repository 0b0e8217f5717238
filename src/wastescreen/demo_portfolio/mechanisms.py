"""The outcome mechanisms of the demo portfolio: the ground truth an explanation can be checked on.

Every historical proposal gets three outcome flags, each drawn as ``flag = (eta + e > 0)`` with
``e ~ Logistic(0, 1)`` independent per flag and proposal (so ``P(flag) = sigmoid(eta)``). The
linear predictors ``eta`` (logit scale) are built from named *quantities* of the proposal, all of
them computable from the generated data except where marked *latent*:

duplication_found (base rate ≈ 19 %)
    eta = INTERCEPT (−3.7)
          + 3.5 × copy_closeness            true derivation closeness, 0 (original) … 1 (verbatim)
          + 4.0 × near_copy                 how near-verbatim a copied *text* is: 0 up to
                                             closeness 0.8, rising linearly to 1 at 0.9 and
                                             above (NEAR_COPY_FROM/TO); 0 for originals and for
                                             equipment sets copied from a lab
          + 1.5 × nearby_underused_match     max over registry labs in the same region that
                                             existed before the cycle of Jaccard(requested
                                             equipment categories, the lab's categories)
                                             × (1 − lab utilisation); 0 without equipment
          + 1.0 × same_cycle_duplicate       1 when copied from another proposal of the same
                                             cycle (different agency, different province)
    So a near-verbatim copy of a registry program (ongoing, planned or ended) or of another
    agency's proposal of the same cycle is a duplication in nearly every case (at closeness 0.9
    eta ≥ 3.45, P ≥ 96.9 %), while looser rewordings keep the smooth closeness term: the copies
    span the whole range of similarity and duplication rises with it.
    ``copy_closeness`` (*latent*, but observable by text and equipment overlap): for a copy of a
    registry program's objectives or of a same-cycle proposal it is the Dice overlap of the
    folded syllables of the two objectives texts after rewording (synonym swaps, dropped words,
    restated numbers, reordered or dropped sentences, see :func:`reword`, and each of two new
    sentences of the same area and project type added with probability equal to the rewording
    intensity, drawn Beta(1.5, 2) per copy); for a lab's equipment set requested again in the
    same region it is the Jaccard overlap of the two sets of equipment categories. About 25 % of
    proposals are derived: 11 % from a program, 8 % from a lab, 6 % same-cycle.

idle_assets (base rate ≈ 22 %)
    Without any equipment and construction (``has_assets`` = 0, about 11 %), eta = −4 (nothing
    can stand idle; such proposals carry no shared-use plan either). Otherwise
    eta = INTERCEPT
          + 2.0 × (equipment_share − 0.5)        equipment_vnd / total_budget_vnd
          − 2.5 × min(om_ratio / 0.1, 1)         O&M per year / (equipment + construction):
                                                 strong from 0 up to 0.1, flat beyond
          − 0.8 × has_shared_use_plan
          − 0.7 × ln(researchers_per_instrument)  researchers / instruments, clipped to [0.1, 50]
          + 0.15 × min(small_equipment_lines, 8)  lines costing < 1.5 bn VND (fragmentation)

outputs_not_delivered (base rate ≈ 22 %)
    eta = INTERCEPT
          − 2.0 × kpi_measurable_share           share of KPIs with a numeric target and deadline
          + 0.45 × max(trl_jump − 2, 0)           trl_target − trl_start
          + 0.9 × agency_incapability             *latent*: minus the agency's capability, N(0, 1);
                                                 it shows in the agency's track record (its past
                                                 proposals and its registry programs' outcomes)
          + 0.4 × max(ln(budget_per_month_ratio), 0)  (total / duration) over the norm of the
                                                 project type, TYPE_MONTHLY_NORM_VND

Unapproved proposals (≈ 5 %, drawn at random, independent of everything) were never run: their
``idle_assets`` and ``outputs_not_delivered`` are False, ``duplication_found`` follows the
mechanism (the review found it), and ``observed_on`` is the review date.

No effect on any outcome (drawn independently of every driver): ``cofunding_share`` (0 for 40 %
of proposals, else uniform 2–40 % of the total), ``province`` (no term of its own — it matters only
through the region of the nearby labs and through the agencies based there), ``summary_length``
(the summary carries 0–4 filler sentences), and the ``approved`` flag.

Measured on the full portfolio (``python -m wastescreen.demo_portfolio.rates 57 30000``; the
test portfolio's rates are checked by ``tests/demo_portfolio``): duplication_found 19.1 %,
idle_assets 22.5 %, outputs_not_delivered 22.1 %; duplication is 4.6 % among original proposals
and 59 % / 55 % / 77 % among program- / lab- / same-cycle-derived ones. By closeness to the
source (bins < 0.5, 0.5–0.7, 0.7–0.8, 0.8–0.9, ≥ 0.9), duplication of copies of a program live
(ongoing or planned) in the proposal's cycle is 18 / 27 / 35 / 80 / 100 % (161 copies at
≥ 0.9), of an ended program 15 / 29 / 39 / 77 / 98.8 % (642) and of a same-cycle proposal
28 / 51 / 60 / 93 / 99.8 % (485). Program copies' closeness runs from 0.20 (quartiles 0.69 /
0.79 / 0.90): 12 % of them below 0.6, 24 % at 0.9 or more. A depth-3 XGBoost fitted on the
quantities ranks every driver of an outcome above every no-effect quantity by mean |SHAP|;
continuous noise columns (cofunding_share, summary_length) still pick up a little spurious
importance, so compare ranks, not zero.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from wastescreen.core import reference
from wastescreen.core.text import fold
from wastescreen.demo_portfolio import vocabulary as voc
from wastescreen.domain import Lab

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

OUTCOMES = ("duplication_found", "idle_assets", "outputs_not_delivered")
DRIVERS: dict[str, list[str]] = {
    "duplication_found": [
        "copy_closeness", "near_copy", "nearby_underused_match", "same_cycle_duplicate",
    ],
    "idle_assets": [
        "equipment_share", "om_ratio", "has_shared_use_plan", "researchers_per_instrument",
        "small_equipment_lines",
    ],
    "outputs_not_delivered": [
        "kpi_measurable_share", "trl_jump", "agency_incapability", "budget_per_month_ratio",
    ],
}
NO_EFFECT: list[str] = ["cofunding_share", "province", "summary_length"]
LATENT: list[str] = ["copy_closeness", "near_copy", "agency_incapability"]

INTERCEPT = {"duplication_found": -3.7, "idle_assets": 0.1, "outputs_not_delivered": -0.7}
COEF: dict[str, float] = {
    "copy_closeness": 3.5,
    "near_copy": 4.0,
    "nearby_underused_match": 1.5,
    "same_cycle_duplicate": 1.0,
    "equipment_share": 2.0,
    "om_ratio": -2.5,
    "has_shared_use_plan": -0.8,
    "researchers_per_instrument": -0.7,
    "small_equipment_lines": 0.15,
    "kpi_measurable_share": -2.0,
    "trl_jump": 0.45,
    "agency_incapability": 0.9,
    "budget_per_month_ratio": 0.4,
}
# A text copy closer than NEAR_COPY_TO to its source is near-verbatim (near_copy = 1); the step
# rises linearly from NEAR_COPY_FROM.
NEAR_COPY_FROM, NEAR_COPY_TO = 0.8, 0.9
NO_ASSET_IDLE_LOGIT = -4.0
OM_RATIO_SATURATION = 0.1
SMALL_LINE_VND = 1_500_000_000
TYPE_MONTHLY_NORM_VND: dict[str, float] = {
    "new_lab": 2.7e9, "lab_upgrade": 2.9e9, "equipment_purchase": 3.9e9,
    "research_program": 0.67e9, "digital_platform": 2.3e9, "training_program": 1.05e9,
}


def near_copy(closeness: float, text_copy: bool) -> float:
    """How near-verbatim a copied text is: 0 below NEAR_COPY_FROM, 1 from NEAR_COPY_TO; 0 for
    anything but a text copy (an equipment set copied from a lab is not one)."""
    if not text_copy:
        return 0.0
    return min(max((closeness - NEAR_COPY_FROM) / (NEAR_COPY_TO - NEAR_COPY_FROM), 0.0), 1.0)


def logits(q: Mapping[str, FloatArray]) -> dict[str, FloatArray]:
    """Linear predictors of the three outcomes from the quantity arrays named in DRIVERS."""
    c = COEF
    dup = (
        INTERCEPT["duplication_found"]
        + c["copy_closeness"] * q["copy_closeness"]
        + c["near_copy"] * q["near_copy"]
        + c["nearby_underused_match"] * q["nearby_underused_match"]
        + c["same_cycle_duplicate"] * q["same_cycle_duplicate"]
    )
    rpi = np.clip(q["researchers_per_instrument"], 0.1, 50.0)
    idle = (
        INTERCEPT["idle_assets"]
        + c["equipment_share"] * (q["equipment_share"] - 0.5)
        + c["om_ratio"] * np.minimum(q["om_ratio"] / OM_RATIO_SATURATION, 1.0)
        + c["has_shared_use_plan"] * q["has_shared_use_plan"]
        + c["researchers_per_instrument"] * np.log(rpi)
        + c["small_equipment_lines"] * np.minimum(q["small_equipment_lines"], 8.0)
    )
    idle = np.where(q["has_assets"] > 0, idle, NO_ASSET_IDLE_LOGIT)
    nd = (
        INTERCEPT["outputs_not_delivered"]
        + c["kpi_measurable_share"] * q["kpi_measurable_share"]
        + c["trl_jump"] * np.maximum(q["trl_jump"] - 2.0, 0.0)
        + c["agency_incapability"] * q["agency_incapability"]
        + c["budget_per_month_ratio"] * np.maximum(np.log(q["budget_per_month_ratio"]), 0.0)
    )
    return {"duplication_found": dup, "idle_assets": idle, "outputs_not_delivered": nd}


def draw_outcomes(
    q: Mapping[str, FloatArray], approved: BoolArray, rng: np.random.Generator
) -> dict[str, BoolArray]:
    """Flags = logit + standard logistic noise > 0; unapproved proposals are never idle/late."""
    out: dict[str, BoolArray] = {}
    for name, eta in logits(q).items():
        flag = (eta + rng.logistic(0.0, 1.0, size=eta.shape)) > 0
        out[name] = flag if name == "duplication_found" else flag & approved
    return out


_NUMBER = re.compile(r"\b\d+\b")
_PHRASES = re.compile(
    "|".join(re.escape(p) for p in sorted([*voc.SYNONYMS, *voc.DROPPABLE], key=len, reverse=True))
)


def reword(text: str, intensity: float, rnd: random.Random) -> str:
    """A copy of ``text`` reworded with strength ``intensity`` (0 = verbatim, 1 = heavy): each
    known phrase swapped for a synonym and each number restated differently with probability
    ``intensity``, droppable words dropped (0.8 × intensity), every sentence but the first
    dropped with probability 0.4 × intensity, and the sentences shuffled (``intensity``)."""

    def swap(match: re.Match[str]) -> str:
        phrase = match.group(0)
        if phrase in voc.SYNONYMS:
            return rnd.choice(voc.SYNONYMS[phrase]) if rnd.random() < intensity else phrase
        return "" if rnd.random() < 0.8 * intensity else phrase

    def renumber(match: re.Match[str]) -> str:
        n = int(match.group(0))
        if rnd.random() >= intensity:
            return match.group(0)
        if 1990 <= n <= 2100:  # a year: a copy moves its deadline a little
            return str(n + rnd.choice([-1, 1, 2]))
        return str(max(1, round(n * rnd.uniform(0.5, 1.5))))

    text = _NUMBER.sub(renumber, _PHRASES.sub(swap, text))
    sentences = [s.strip() for s in text.split(". ") if s.strip()]
    sentences = [s if s.endswith(".") else s + "." for s in sentences]
    sentences = sentences[:1] + [s for s in sentences[1:] if rnd.random() >= 0.4 * intensity]
    if len(sentences) > 1 and rnd.random() < intensity:
        rnd.shuffle(sentences)
    return " ".join(sentences)


def _syllables(text: str) -> Counter[str]:
    return Counter(w for w in re.split(r"[^\w]+", fold(text)) if w)


def text_closeness(a: str, b: str) -> float:
    """Dice overlap of the folded syllable multisets of two texts (1 = same words)."""
    sa, sb = _syllables(a), _syllables(b)
    total = sum(sa.values()) + sum(sb.values())
    return 2.0 * sum((sa & sb).values()) / total if total else 0.0


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def nearby_underused_match(
    requested: npt.NDArray[np.bool_],
    region: npt.NDArray[np.int64],
    cycle: npt.NDArray[np.int64],
    lab_has: npt.NDArray[np.bool_],
    lab_region: npt.NDArray[np.int64],
    lab_year: npt.NDArray[np.int64],
    lab_utilisation: FloatArray,
    chunk: int = 4096,
) -> FloatArray:
    """Per proposal: max over labs of the same region established before the cycle of
    Jaccard(requested categories, lab categories) × (1 − lab utilisation).

    ``requested`` is proposals × categories, ``lab_has`` labs × categories (booleans).
    """
    n = requested.shape[0]
    out = np.zeros(n, dtype=np.float64)
    lab_cats = lab_has.astype(np.float64)
    lab_counts = lab_cats.sum(axis=1)[None, :]
    idle = 1.0 - lab_utilisation
    for lo in range(0, n, chunk):
        req = requested[lo : lo + chunk].astype(np.float64)
        inter = req @ lab_cats.T
        union = np.maximum(req.sum(axis=1, keepdims=True) + lab_counts - inter, 1.0)
        valid = (region[lo : lo + chunk, None] == lab_region[None, :]) & (
            lab_year[None, :] < cycle[lo : lo + chunk, None]
        )
        scores = np.where(valid, inter / union * idle[None, :], 0.0)
        out[lo : lo + chunk] = scores.max(axis=1) if scores.shape[1] else 0.0
    return out


def quantities(
    facts: list[dict[str, float]],
    requested: list[set[str]],
    provinces: list[str],
    cycles: list[int],
    labs: list[Lab],
) -> dict[str, FloatArray]:
    """Arrays of the per-proposal ``facts`` plus ``nearby_underused_match`` (from the requested
    equipment categories, the province's region and the cycle against the registry labs)."""
    q = {k: np.array([f[k] for f in facts], dtype=np.float64) for k in facts[0]} if facts else {}
    cats = sorted(reference.equipment_category_codes())
    col = {c: k for k, c in enumerate(cats)}
    regions = sorted({p.region_code for p in reference.provinces()})
    region_index = {p.name_vi: regions.index(p.region_code) for p in reference.provinces()}
    req = np.zeros((len(facts), len(cats)), dtype=np.bool_)
    for r, wanted in enumerate(requested):
        req[r, [col[c] for c in sorted(wanted)]] = True
    lab_has = np.zeros((len(labs), len(cats)), dtype=np.bool_)
    for r, lab in enumerate(labs):
        lab_has[r, [col[e.category] for e in lab.equipment]] = True
    q["nearby_underused_match"] = nearby_underused_match(
        req,
        np.array([region_index[p] for p in provinces], dtype=np.int64),
        np.array(cycles, dtype=np.int64),
        lab_has,
        np.array([region_index[x.province] for x in labs], dtype=np.int64),
        np.array([x.year_established for x in labs], dtype=np.int64),
        np.array([x.utilisation or 0.0 for x in labs], dtype=np.float64),
    )
    return q
