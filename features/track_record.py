"""An agency's track record, from outcomes observed strictly before each submission.

Only outcomes with ``observed_on < submitted_on`` count, so a historical proposal never sees an
outcome that was not yet known when it was filed (no leakage).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Smoothing towards a prior share: a new agency with no history sits at the prior, and a couple
# of outcomes cannot swing the rate to 0 or 1.
PRIOR_RATE = 0.2
PRIOR_WEIGHT = 5.0
OUTCOME_COLUMNS = {
    "idle_assets": "agency_past_idle_rate",
    "duplication_found": "agency_past_duplication_rate",
    "outputs_not_delivered": "agency_past_nondelivery_rate",
}
HISTORY_COLUMNS = ("agency", "observed_on", *OUTCOME_COLUMNS)


def empty_history() -> pd.DataFrame:
    """A history frame with the right columns and no rows."""
    frame = pd.DataFrame({c: pd.Series(dtype="object") for c in HISTORY_COLUMNS})
    frame["observed_on"] = pd.to_datetime(frame["observed_on"])
    return frame


def agency_track_record(queries: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """Track-record features for each query row.

    ``queries``: columns ``agency`` (str), ``submitted_on`` (date); ``history``: columns
    ``agency``, ``observed_on`` (date) and the 0/1 outcome columns ``idle_assets``,
    ``duplication_found``, ``outputs_not_delivered``. Returns a frame on ``queries.index`` with
    ``agency_past_projects`` (count) and the three smoothed rates (0–1).
    """
    n = len(queries)
    counts = np.zeros(n, dtype=np.float64)
    hits = {col: np.zeros(n, dtype=np.float64) for col in OUTCOME_COLUMNS}
    submitted = pd.to_datetime(queries["submitted_on"]).to_numpy(dtype="datetime64[ns]")
    positions = pd.Series(np.arange(n), index=queries.index)
    hist = history.assign(observed_on=pd.to_datetime(history["observed_on"]))
    hist_by_agency = {a: g.sort_values("observed_on", kind="stable")
                      for a, g in hist.groupby("agency", sort=False)}
    for agency, rows in queries.groupby("agency", sort=False):
        past = hist_by_agency.get(agency)
        if past is None or past.empty:
            continue
        idx = positions.loc[rows.index].to_numpy()
        observed = past["observed_on"].to_numpy(dtype="datetime64[ns]")
        # side="left": an outcome observed on the submission day itself is not yet known.
        k = np.searchsorted(observed, submitted[idx], side="left")
        counts[idx] = k
        for col in OUTCOME_COLUMNS:
            cum = np.concatenate([[0.0], np.cumsum(past[col].to_numpy(dtype=np.float64))])
            hits[col][idx] = cum[k]
    out = pd.DataFrame(index=queries.index)
    out["agency_past_projects"] = counts
    for col, name in OUTCOME_COLUMNS.items():
        out[name] = (hits[col] + PRIOR_WEIGHT * PRIOR_RATE) / (counts + PRIOR_WEIGHT)
    return out
