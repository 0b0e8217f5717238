"""Load what features and training need: the registry, and historical proposals with outcomes.

From the database, or from a CSV/Parquet training file in the flat format of
``domain.flat_format`` (one row per proposal, outcome columns beside it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from wastescreen.domain.flat_format import (
    FlatFormatError,
    outcome_from_flat,
    proposal_payload_from_flat,
)
from wastescreen.domain.outcome import HISTORY_COLUMNS, ProposalOutcome, empty_history
from wastescreen.domain.proposal import Proposal
from wastescreen.domain.registry import Lab, Program
from wastescreen.storage.registry_store import current_revision, lab_from_row, program_from_row
from wastescreen.storage.tables import LabRow, ProgramRow, ProposalOutcomeRow, ProposalRow


@dataclass
class Registry:
    labs: list[Lab]
    programs: list[Program]
    revision: int
    revision_date: str


@dataclass
class History:
    """Historical proposals (``ids`` in the same order) and their outcomes."""

    ids: list[str]
    proposals: list[Proposal]
    outcomes: list[ProposalOutcome]

    def outcome_frame(self) -> pd.DataFrame:
        """Columns ``HISTORY_COLUMNS`` (agency, observed_on, the 0/1 outcome flags)."""
        if not self.ids:
            return empty_history()
        frame = pd.DataFrame({
            "agency": [p.agency for p in self.proposals],
            "observed_on": pd.to_datetime([o.observed_on for o in self.outcomes]),
            "idle_assets": [int(o.idle_assets) for o in self.outcomes],
            "duplication_found": [int(o.duplication_found) for o in self.outcomes],
            "outputs_not_delivered": [int(o.outputs_not_delivered) for o in self.outcomes],
        }, index=pd.Index(self.ids, name="proposal_id"))
        return frame[list(HISTORY_COLUMNS)]


def load_registry(session: Session) -> Registry:
    """Every lab (with equipment) and program, and the current registry revision."""
    labs = [lab_from_row(r) for r in session.execute(
        select(LabRow).options(selectinload(LabRow.equipment)).order_by(LabRow.lab_code)
    ).scalars()]
    programs = [program_from_row(r) for r in session.execute(
        select(ProgramRow).order_by(ProgramRow.program_code)).scalars()]
    rev = current_revision(session)
    return Registry(labs, programs, rev.id if rev else 0,
                    rev.created_at.date().isoformat() if rev else "")


def load_history(session: Session) -> History:
    """Historical proposals that have an outcome, in submission order."""
    rows = session.execute(
        select(ProposalRow, ProposalOutcomeRow)
        .join(ProposalOutcomeRow, ProposalOutcomeRow.proposal_id == ProposalRow.id)
        .where(ProposalRow.kind == "historical")
        .order_by(ProposalRow.submitted_on, ProposalRow.id)
    ).all()
    return History(
        ids=[p.id for p, _ in rows],
        proposals=[Proposal.model_validate(p.payload) for p, _ in rows],
        outcomes=[ProposalOutcome(approved=o.approved, observed_on=o.observed_on,
                                  idle_assets=o.idle_assets,
                                  duplication_found=o.duplication_found,
                                  outputs_not_delivered=o.outputs_not_delivered)
                  for _, o in rows],
    )


def load_outcome_frame(session: Session) -> pd.DataFrame:
    """Outcomes of historical proposals (``HISTORY_COLUMNS``), without loading the proposals."""
    rows = session.execute(
        select(ProposalRow.agency, ProposalOutcomeRow.observed_on,
               ProposalOutcomeRow.idle_assets, ProposalOutcomeRow.duplication_found,
               ProposalOutcomeRow.outputs_not_delivered)
        .join(ProposalOutcomeRow, ProposalOutcomeRow.proposal_id == ProposalRow.id)
    ).all()
    if not rows:
        return empty_history()
    frame = pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))
    frame["observed_on"] = pd.to_datetime(frame["observed_on"])
    for col in HISTORY_COLUMNS[2:]:
        frame[col] = frame[col].astype(int)
    return frame


class TrainingFileError(ValueError):
    """A training file row failed validation; names the row and field."""


def load_history_file(path: Path) -> History:
    """Read a CSV or Parquet training file; every row must validate (the error names the row)."""
    if path.suffix.lower() == ".parquet":
        frame = pd.read_parquet(path)
    elif path.suffix.lower() == ".csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    else:
        raise TrainingFileError(f"{path.name}: expected .csv or .parquet")
    history = History([], [], [])
    for i, raw in enumerate(frame.to_dict(orient="records"), start=2):
        record = {str(k): v for k, v in raw.items()}
        try:
            proposal = Proposal.model_validate(proposal_payload_from_flat(record))
            outcome = outcome_from_flat(record)
        except (ValidationError, FlatFormatError) as exc:
            raise TrainingFileError(f"{path.name} row {i}: {exc}") from exc
        history.ids.append(str(record.get("proposal_id") or f"row-{i}"))
        history.proposals.append(proposal)
        history.outcomes.append(outcome)
    return history
