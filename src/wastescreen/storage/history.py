"""Load what features and training need: the registry, and historical proposals with outcomes.

From the database, or from a CSV/Parquet training file in the flat format of
``domain.flat_format`` (one row per proposal, outcome columns beside it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from wastescreen.domain.flat_format import (
    FlatFormatError,
    outcome_from_flat,
    proposal_payload_from_flat,
)
from wastescreen.domain.outcome import HISTORY_COLUMNS, ProposalOutcome, empty_history
from wastescreen.domain.proposal import Proposal
from wastescreen.domain.registry import Lab, Program
from wastescreen.storage.registry_history import registry_at, revision_date
from wastescreen.storage.registry_store import current_revision, lab_from_row, program_from_row
from wastescreen.storage.tables import (
    LabRow,
    ProgramRow,
    ProposalOutcomeRow,
    ProposalRow,
    as_utc,
)


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


def load_registry(session: Session, *, at_revision: int | None = None) -> Registry:
    """Every lab (with equipment) and program, and the current registry revision; or, with
    ``at_revision``, the registry as it was at that revision (``storage.registry_history``)."""
    labs = [lab_from_row(r) for r in session.execute(
        select(LabRow).options(selectinload(LabRow.equipment)).order_by(LabRow.lab_code)
    ).scalars()]
    programs = [program_from_row(r) for r in session.execute(
        select(ProgramRow).order_by(ProgramRow.program_code)).scalars()]
    if at_revision is not None:
        labs, programs = registry_at(session, at_revision, labs, programs)
        return Registry(labs, programs, at_revision, revision_date(session, at_revision))
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


def outcomes_recorded_by(session: Session) -> dt.datetime | None:
    """When the newest outcome was recorded (None: none yet): a screening made now counts the
    outcomes recorded by then, and is reproduced with exactly those."""
    value = session.execute(select(func.max(ProposalOutcomeRow.recorded_at))).scalar()
    return as_utc(value) if value is not None else None


def load_outcome_frame(session: Session, *, recorded_by: dt.datetime | None = None
                       ) -> pd.DataFrame:
    """Outcomes of historical proposals (``HISTORY_COLUMNS``), without loading the proposals;
    with ``recorded_by``, only those recorded by then (in a fixed order)."""
    return outcome_frame_of(load_outcome_rows(session, recorded_by=recorded_by))


def load_outcome_rows(session: Session, *, recorded_by: dt.datetime | None = None
                      ) -> list[tuple[Any, ...]]:
    """The rows ``load_outcome_frame`` is made of: (agency, observed_on date, idle_assets,
    duplication_found, outputs_not_delivered) per outcome, in a fixed order."""
    query = (select(ProposalRow.agency, ProposalOutcomeRow.observed_on,
                    ProposalOutcomeRow.idle_assets, ProposalOutcomeRow.duplication_found,
                    ProposalOutcomeRow.outputs_not_delivered)
             .join(ProposalOutcomeRow, ProposalOutcomeRow.proposal_id == ProposalRow.id)
             .order_by(ProposalOutcomeRow.proposal_id))
    if recorded_by is not None:
        if session.get_bind().dialect.name == "sqlite":  # stored there as naive UTC text
            recorded_by = recorded_by.astimezone(dt.UTC).replace(tzinfo=None)
        query = query.where(ProposalOutcomeRow.recorded_at <= recorded_by)
    return [tuple(r) for r in session.execute(query).all()]


def outcome_frame_of(rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    """The outcome history of rows (agency, observed_on as a date, then the 0/1 or bool flags
    in ``HISTORY_COLUMNS`` order), as ``load_outcome_frame`` returns it."""
    return outcome_frame_of_columns(
        {c: [r[k] for r in rows] for k, c in enumerate(HISTORY_COLUMNS)})


def outcome_frame_of_columns(columns: Mapping[str, Sequence[Any]]) -> pd.DataFrame:
    """The same from its columns (``HISTORY_COLUMNS`` -> one value per outcome)."""
    if not columns[HISTORY_COLUMNS[0]]:
        return empty_history()
    frame = pd.DataFrame({c: list(columns[c]) for c in HISTORY_COLUMNS},
                         columns=list(HISTORY_COLUMNS))
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
