"""The later outcome of a historical proposal: what a model learns from."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from pydantic import BaseModel, ConfigDict

OUTCOME_FLAGS = ("idle_assets", "duplication_found", "outputs_not_delivered")
# The outcome table every track record is computed from: one row per observed outcome.
HISTORY_COLUMNS = ("agency", "observed_on", *OUTCOME_FLAGS)


class ProposalOutcome(BaseModel):
    """Outcome flags as observed on ``observed_on`` (after the proposal's submission).

    ``idle_assets``: bought equipment used far below capacity; ``duplication_found``: an audit or
    review found it duplicated existing capacity or work; ``outputs_not_delivered``: the KPIs were
    not met by the end of the project.
    """

    model_config = ConfigDict(extra="forbid")
    approved: bool = True
    observed_on: dt.date
    idle_assets: bool
    duplication_found: bool
    outputs_not_delivered: bool


def empty_history() -> pd.DataFrame:
    """An outcome table (``HISTORY_COLUMNS``) with no rows."""
    frame = pd.DataFrame({c: pd.Series(dtype="object") for c in HISTORY_COLUMNS})
    frame["observed_on"] = pd.to_datetime(frame["observed_on"])
    return frame
