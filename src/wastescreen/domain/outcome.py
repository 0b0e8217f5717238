"""The later outcome of a historical proposal: what a model learns from."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict


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
