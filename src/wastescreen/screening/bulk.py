"""Bulk screening: n validated proposals screened at once, one batch output row each.

The per-proposal screening (``service.screen_proposal``) builds a whole result: the proposal
and its what-if variants, evidence, every flag with its sentence, the shared-use alternatives.
A batch output row (``batch.RESULT_COLUMNS``) shows only the overall score, the band, the three
target scores, the top reason and the input hash, so ``screen_bulk`` computes only those, for
all n proposals together, through the same functions:

- features: one ``proposal_rows`` (n rows) and one ``build_feature_columns`` call (the overlap
  index's ``query_many`` over all of them) -> a feature matrix (n, f);
- scores and exact SHAP: one ``Explainer.explain_encoded`` call over that matrix (XGBoost walks
  each row's trees alone, so a row's numbers do not depend on the others);
- red flags: ``flag_inputs`` per row (values only) and ``fired_flags``; the final band is the
  model's band raised by them (``band_floor_of``), as in a full screening;
- the top reason: ``reasons.top_reasons`` of the row's contributions.

Same-cycle peers are the engine's (formal submissions stored before); a batch row is never a
peer of another row of the batch, as in ``Screener.screen_row``. The rows are byte-identical to
``summarise(row, proposal, screen_proposal(engine, proposal, f"batch-row-{row}"))`` for the
same engine and day (``tests/screening/test_bulk.py`` checks it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from wastescreen.core.canonical import sha256_hex
from wastescreen.domain.proposal import Proposal
from wastescreen.features.build import build_feature_columns
from wastescreen.features.flag_inputs import FlagLookups, flag_inputs
from wastescreen.features.proposal_frame import proposal_rows
from wastescreen.features.red_flags import band_floor_of, fired_flags, flag_catalogue
from wastescreen.screening.batch import BatchRow, error_row, output_row
from wastescreen.screening.engine import ScreeningEngine
from wastescreen.screening.flags import likelihoods_of
from wastescreen.screening.reasons import top_reasons
from wastescreen.screening.service import ModelNotReady, feature_value

# Rows screened together: large enough that the per-call costs are shared, small enough that
# the engine's lock is not held long (a pre-check of another request waits for it) and that
# a batch job reports progress.
CHUNK = 250


def row_id(row: int) -> str:
    """The id a batch row is screened under (the one ``Screener.screen_row`` uses)."""
    return f"batch-row-{row}"


def screen_bulk(engine: ScreeningEngine, proposals: Sequence[Proposal], rows: Sequence[int],
                *, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """Screen ``proposals`` (n) at once; ``rows`` (n) their batch row numbers. Returns n output
    rows (``RESULT_COLUMNS``, status "screened") in input order.

    ``as_of`` (default: today, UTC) as in ``service.screen_proposal``."""
    model = engine.model
    if model is None:
        raise ModelNotReady("no risk model has been trained yet: run `wastescreen train`")
    if not proposals:
        return []
    as_of = as_of or dt.datetime.now(dt.UTC).date()
    catalogue = flag_catalogue()
    below = float(catalogue.parameters["underused_below"])
    with engine.lock:  # what the engine holds, read at one moment
        context = engine.context
        table = proposal_rows(proposals, [row_id(r) for r in rows], as_of=as_of)
        features, matches = build_feature_columns(table, context, engine.peers)
        likelihoods = likelihoods_of(engine, table)
        lookups = FlagLookups(context, engine.peers)
        fired = [fired_flags(flag_inputs(
            p, int(year), found, context, engine.peers, engine.peer_details, likelihood,
            underused_below=below, lookups=lookups, full=False).values, catalogue)
            for p, year, found, likelihood in zip(proposals, table["year"].tolist(), matches,
                                                  likelihoods, strict=True)]
    x = model.bundle.encoder.encode_columns(features, len(table))
    explanation = model.explainer.explain_encoded(x)  # (n, f) contributions per target
    names = explanation.feature_names
    out = []
    for i, (p, row) in enumerate(zip(proposals, rows, strict=True)):
        values = {name: feature_value(column[i]) for name, column in features.items()}
        reasons = top_reasons({t: e.contributions[i] for t, e in explanation.targets.items()},
                              names, values, model.ranges, model.category_rates, k=1)
        overall = float(explanation.overall[i])
        band, _ = band_floor_of(engine.bands.band(overall), fired[i])
        out.append(output_row(
            row, p, overall=overall, band=band,
            scores={t: float(e.probability[i]) for t, e in explanation.targets.items()},
            top=reasons[0] if reasons else None, input_hash=sha256_hex(p)))
    return out


def screen_batch_rows(engine: ScreeningEngine, items: Sequence[BatchRow], *,
                      as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """Output rows of batch rows in input order: the valid ones screened in bulk, the others
    with their errors (``batch.error_row``)."""
    valid = [item for item in items if item.proposal is not None]
    screened = iter(screen_bulk(engine, [item.proposal for item in valid if item.proposal],
                                [item.row for item in valid], as_of=as_of))
    return [next(screened) if item.proposal is not None else error_row(item) for item in items]
