"""The registry context's frames saved beside the overlap index, keyed by the database state.

Reading thousands of programs and tens of thousands of outcomes through the ORM and the domain
models takes a second or more, most of a one-shot ``wastescreen screen``. The frames are saved
as plain JSON (no pickle) under ``var/index/context.json`` with the state they reflect —
the registry revision, the number of recorded outcomes and when the newest was recorded — and
read back through the same frame constructors, so the frames (and every screening made with
them) are the same bit for bit. Any change of that state makes the snapshot stale; it is then
rebuilt from the database and saved again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wastescreen.domain.outcome import HISTORY_COLUMNS
from wastescreen.features.registry_context import frame_of_lab_rows, frame_of_program_rows
from wastescreen.storage.history import outcome_frame_of_columns
from wastescreen.storage.registry_store import current_revision
from wastescreen.storage.tables import ProposalOutcomeRow, as_utc

FORMAT = "wastescreen-context-snapshot/2"  # 2: the outcome history by column
FILE = "context.json"


def state_key(session: Session) -> dict[str, Any]:
    """What the snapshot must match: registry revision and the recorded outcomes (count and
    the newest recording time), in two cheap queries."""
    rev = current_revision(session)
    count, newest = session.execute(select(func.count(), func.max(ProposalOutcomeRow.recorded_at))
                                    ).one()
    return {"format": FORMAT, "registry_revision": rev.id if rev else 0,
            "outcomes": int(count), "recorded_by": as_utc(newest).isoformat() if newest else ""}


def save(index_dir: Path, key: dict[str, Any], *, lab_rows: list[dict[str, Any]],
         program_rows: list[dict[str, Any]], outcome_rows: Sequence[Sequence[Any]],
         snapshot_date: str) -> None:
    """Write the snapshot atomically (a concurrent reader sees the old file or the new one).
    ``outcome_rows``: as ``storage.history.load_outcome_rows`` reads them; saved by column,
    with ``observed_on`` as ISO dates."""
    labs = [{**r, "utilisation_measured_on": _iso(r["utilisation_measured_on"])}
            for r in lab_rows]
    history = {c: [r[k].isoformat() if c == "observed_on" else r[k] for r in outcome_rows]
               for k, c in enumerate(HISTORY_COLUMNS)}
    body = {"key": key, "snapshot_date": snapshot_date, "labs": labs, "programs": program_rows,
            "history": history}
    index_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=index_dir, prefix=".context-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(body, f, ensure_ascii=False)
    os.chmod(tmp, 0o644)  # as the index beside it: other workers' users read it
    os.replace(tmp, index_dir / FILE)


def load(index_dir: Path, key: dict[str, Any]
         ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, str] | None:
    """(labs frame, programs frame, outcome history, snapshot date) when a snapshot of ``key``
    is saved, else None (none yet, stale, or unreadable)."""
    path = index_dir / FILE
    try:
        body = json.loads(path.read_text("utf-8"))
        if body.get("key") != key:
            return None
        labs = [{**r, "utilisation_measured_on": _date(r["utilisation_measured_on"])}
                for r in body["labs"]]
        history = dict(body["history"])
        days = {d: dt.date.fromisoformat(d) for d in set(history["observed_on"])}
        history["observed_on"] = [days[d] for d in history["observed_on"]]
        return (frame_of_lab_rows(labs), frame_of_program_rows(body["programs"]),
                outcome_frame_of_columns(history), str(body["snapshot_date"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return None  # written by something else, cut short or hand-edited: not trusted


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)
