"""An agency's track record, from outcomes observed strictly before each submission.

Only outcomes with ``observed_on < submitted_on`` count, so a historical proposal never sees an
outcome that was not yet known when it was filed (no leakage).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

# Smoothing towards a prior share: a new agency with no history sits at the prior, and a couple
# of outcomes cannot swing the rate to 0 or 1.
PRIOR_RATE = 0.2
PRIOR_WEIGHT = 5.0
# Outcome flag (``domain.outcome.OUTCOME_FLAGS``) -> the feature holding its past rate.
OUTCOME_COLUMNS = {
    "idle_assets": "agency_past_idle_rate",
    "duplication_found": "agency_past_duplication_rate",
    "outputs_not_delivered": "agency_past_nondelivery_rate",
}


class TrackRecordTable:
    """Per agency, outcome dates sorted with running counts, so that a query is a binary search.

    scikit-learn style: ``fit(history)`` learns the outcome arrays; an agency's sorted dates
    and running counts (``dates_``, ``counts_``: agency -> arrays) are made the first time one
    of its proposals is looked up (a one-shot screening asks for one agency of hundreds).
    """

    def fit(self, history: pd.DataFrame) -> TrackRecordTable:
        """``history``: columns ``agency``, ``observed_on`` and the 0/1 outcome columns."""
        agencies = history["agency"].astype(str).to_numpy(dtype=object)
        order = np.argsort(agencies, kind="stable")
        keys, starts = np.unique(agencies[order], return_index=True)
        ends = [*starts[1:].tolist(), len(order)] if len(starts) else []
        self.rows_: dict[str, np.ndarray] = {
            str(k): order[a:b] for k, a, b in zip(keys.tolist(), starts.tolist(), ends,
                                                   strict=True)}
        self.observed_: np.ndarray = pd.to_datetime(history["observed_on"]).to_numpy(
            dtype="datetime64[ns]")
        self.flags_: dict[str, np.ndarray] = {
            col: history[col].to_numpy(dtype=np.float64) for col in OUTCOME_COLUMNS}
        self.dates_: dict[str, np.ndarray] = {}
        self.counts_: dict[str, dict[str, np.ndarray]] = {}
        return self

    def _agency(self, agency: str) -> np.ndarray | None:
        """The agency's outcome dates, sorted (None: no outcome), its running counts made."""
        if agency not in self.dates_:
            rows = self.rows_.get(agency)
            if rows is None:
                return None
            # Rows of one day may come in any order: a count up to a date is the same.
            rows = rows[np.argsort(self.observed_[rows], kind="stable")]
            self.dates_[agency] = self.observed_[rows]
            self.counts_[agency] = {
                col: np.concatenate([[0.0], np.cumsum(self.flags_[col][rows])])
                for col in OUTCOME_COLUMNS}
        return self.dates_[agency]

    def transform_arrays(self, agencies: npt.NDArray[Any], submitted: npt.NDArray[Any]
                         ) -> dict[str, npt.NDArray[np.float64]]:
        """Track-record features (name -> (n,) float64) for n queries: ``agencies`` (n,) str,
        ``submitted`` (n,) datetime64 submission days (see ``agency_track_record``)."""
        n = len(agencies)
        counts = np.zeros(n, dtype=np.float64)
        hits = {col: np.zeros(n, dtype=np.float64) for col in OUTCOME_COLUMNS}
        submitted = np.asarray(submitted).astype("datetime64[ns]")
        for agency in dict.fromkeys(agencies):
            dates = self._agency(str(agency))
            if dates is None:
                continue
            idx = np.flatnonzero(agencies == agency)
            # side="left": an outcome observed on the submission day itself is not yet known.
            k = np.searchsorted(dates, submitted[idx], side="left")
            counts[idx] = k
            for col in OUTCOME_COLUMNS:
                hits[col][idx] = self.counts_[str(agency)][col][k]
        out = {"agency_past_projects": counts}
        for col, name in OUTCOME_COLUMNS.items():
            out[name] = (hits[col] + PRIOR_WEIGHT * PRIOR_RATE) / (counts + PRIOR_WEIGHT)
        return out

    def transform(self, queries: pd.DataFrame) -> pd.DataFrame:
        """Track-record features for each query row (see ``agency_track_record``)."""
        return pd.DataFrame(self.transform_arrays(
            queries["agency"].astype(str).to_numpy(dtype=object),
            pd.to_datetime(queries["submitted_on"]).to_numpy(dtype="datetime64[ns]")),
            index=queries.index)


def agency_track_record(queries: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """Track-record features for each query row.

    ``queries``: columns ``agency`` (str), ``submitted_on`` (date); ``history``: columns
    ``agency``, ``observed_on`` (date) and the 0/1 outcome columns ``idle_assets``,
    ``duplication_found``, ``outputs_not_delivered``. Returns a frame on ``queries.index`` with
    ``agency_past_projects`` (count) and the three smoothed rates (0–1).
    """
    return TrackRecordTable().fit(history).transform(queries)
