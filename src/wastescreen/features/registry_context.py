"""What the features of a proposal are computed against: the registry and past outcomes.

``RegistryContext`` holds the labs and programs as frames (for evidence and regional equipment),
the outcome history (for track records) and the overlap index over labs and programs.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from wastescreen.core.reference import region_of
from wastescreen.domain.outcome import empty_history
from wastescreen.domain.registry import Lab, Program
from wastescreen.features.overlap_index import OverlapDoc, OverlapIndex
from wastescreen.features.regional_equipment import RegionalLabs, category_mask
from wastescreen.features.shared_use import SharedUseLabs
from wastescreen.features.track_record import TrackRecordTable

LAB_COLUMNS = ("name", "host", "province", "region", "technology_area", "year_established",
               "investment_vnd", "capacity_hours_per_year", "utilisation",
               "utilisation_measured_on", "utilisation_measured_by", "open_for_shared_use",
               "equipment", "equipment_names", "category_mask")
PROGRAM_COLUMNS = ("title", "managing_agency", "province", "technology_area", "objectives",
                   "budget_vnd", "start_year", "end_year", "status", "outcome")


def lab_doc(lab: Lab) -> OverlapDoc:
    """A lab as an overlap document (equipment codes repeated once per unit; its name also as
    the ``title``, as registry items are indexed in the World Bank benchmark)."""
    text = " ".join(t for t in (lab.name, lab.field,
                                " ".join(e.name for e in lab.equipment)) if t)
    return OverlapDoc(
        doc_id=f"lab:{lab.lab_code}", kind="lab", text=text, title=lab.name,
        equipment=tuple(e.category for e in lab.equipment for _ in range(e.quantity)),
        province=lab.province, region=region_of(lab.province),
        technology_area=lab.technology_area, budget_vnd=lab.investment_vnd,
        year=lab.year_established, group=lab.host)


def program_doc(program: Program) -> OverlapDoc:
    """A program as an overlap document (its title also as the ``title``). A proposal, the
    query side, carries no ``title``, as the benchmark's queries carry none."""
    province = program.province or ""
    return OverlapDoc(
        doc_id=f"program:{program.program_code}", kind="program",
        text=f"{program.title} {program.objectives}".strip(), title=program.title,
        province=province,
        region=region_of(province) if province else "",
        technology_area=program.technology_area, budget_vnd=program.budget_vnd,
        year=program.start_year, group=program.managing_agency)


def lab_rows(labs: Iterable[Lab]) -> list[dict[str, Any]]:
    """One dict per lab: ``lab_code`` and the columns of ``LAB_COLUMNS``."""
    rows = []
    for lab in labs:
        equipment: dict[str, int] = {}
        for e in lab.equipment:
            equipment[e.category] = equipment.get(e.category, 0) + e.quantity
        rows.append({
            "lab_code": lab.lab_code, "name": lab.name, "host": lab.host,
            "province": lab.province, "region": region_of(lab.province),
            "technology_area": lab.technology_area, "year_established": lab.year_established,
            "investment_vnd": lab.investment_vnd,
            "capacity_hours_per_year": lab.capacity_hours_per_year,
            "utilisation": float("nan") if lab.utilisation is None else lab.utilisation,
            "utilisation_measured_on": lab.utilisation_measured_on,
            "utilisation_measured_by": lab.utilisation_measured_by,
            "open_for_shared_use": lab.open_for_shared_use, "equipment": equipment,
            "equipment_names": {e.category: e.name for e in lab.equipment},
            "category_mask": category_mask(list(equipment)),
        })
    return rows


def program_rows(programs: Iterable[Program]) -> list[dict[str, Any]]:
    """One dict per program: ``program_code`` and the columns of ``PROGRAM_COLUMNS`` (status
    and outcome as their string values)."""
    rows = []
    for p in programs:
        row = {"program_code": p.program_code, **{c: getattr(p, c) for c in PROGRAM_COLUMNS}}
        for col in ("status", "outcome"):
            row[col] = getattr(row[col], "value", row[col])
        rows.append(row)
    return rows


def labs_frame(labs: Iterable[Lab]) -> pd.DataFrame:
    """Labs indexed by ``lab_code`` with the columns of ``LAB_COLUMNS``."""
    return frame_of_lab_rows(lab_rows(labs))


def programs_frame(programs: Iterable[Program]) -> pd.DataFrame:
    """Programs indexed by ``program_code`` with the columns of ``PROGRAM_COLUMNS``."""
    return frame_of_program_rows(program_rows(programs))


def frame_of_lab_rows(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """The labs frame of ``lab_rows`` (also of rows read back from a saved snapshot)."""
    return pd.DataFrame(list(rows), columns=["lab_code", *LAB_COLUMNS]).set_index("lab_code")


def frame_of_program_rows(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """The programs frame of ``program_rows`` (also of rows read back from a snapshot)."""
    frame = pd.DataFrame(list(rows), columns=["program_code", *PROGRAM_COLUMNS])
    return frame.set_index("program_code")


@dataclass
class RegistryContext:
    """Registry frames, outcome history, overlap index and the snapshot id they reflect.

    Look-up structures derived from the frames are built on first use and dropped by
    ``replace_labs`` / ``replace_programs`` (assign new frames only through those)."""

    labs: pd.DataFrame
    programs: pd.DataFrame
    history: pd.DataFrame
    index: OverlapIndex
    snapshot: int = 0
    snapshot_date: str = ""
    # When the newest outcome in ``history`` was recorded (ISO, UTC; "" when unknown).
    history_recorded_by: str = ""
    _track: TrackRecordTable | None = field(default=None, init=False, repr=False)
    _regional: RegionalLabs | None = field(default=None, init=False, repr=False)
    _shared: SharedUseLabs | None = field(default=None, init=False, repr=False)
    _records: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict, init=False,
                                                           repr=False)
    _starts: dict[str, list[Any]] | None = field(default=None, init=False, repr=False)

    @property
    def track_record(self) -> TrackRecordTable:
        """The outcome history prepared for fast look-ups (built on first use)."""
        if self._track is None:
            self._track = TrackRecordTable().fit(self.history)
        return self._track

    @property
    def regional_labs(self) -> RegionalLabs:
        """The labs grouped by region for the regional-equipment features (built on first use)."""
        if self._regional is None:
            self._regional = RegionalLabs().fit(self.labs)
        return self._regional

    @property
    def shared_use(self) -> SharedUseLabs:
        """The labs by region with their categories and use (built on first use)."""
        if self._shared is None:
            self._shared = SharedUseLabs().fit(self.labs)
        return self._shared

    def lab_record(self, lab_code: str) -> dict[str, Any] | None:
        """One lab's ``LAB_COLUMNS`` as a dict, or None when the registry has no such lab."""
        return self._record("labs", self.labs, lab_code)

    def program_record(self, program_code: str) -> dict[str, Any] | None:
        """One program's ``PROGRAM_COLUMNS`` as a dict, or None."""
        return self._record("programs", self.programs, program_code)

    def _record(self, name: str, frame: pd.DataFrame, code: str) -> dict[str, Any] | None:
        if name not in self._records:
            # The whole frame at once, on first use: row by row, pandas spends milliseconds
            # a row, and a stream of pre-checks keeps meeting rows not converted yet. A
            # duplicated code keeps its first row, as ``.loc`` evidence always did.
            records: dict[str, dict[str, Any]] = {}
            for key, row in zip(frame.index.tolist(), frame.to_dict(orient="records"),
                                strict=True):
                records.setdefault(str(key), _as_record(row))
            self._records[name] = records
        return self._records[name].get(code)

    def programs_started(self, statuses: Sequence[str], year: int) -> int:
        """How many programs of one of ``statuses`` started by ``year`` (a program without a
        start year never counts): two binary searches instead of a pass over the frame."""
        if self._starts is None:
            starts: dict[str, list[Any]] = {}
            for status, start in zip(self.programs["status"].tolist(),
                                     self.programs["start_year"].tolist(), strict=True):
                if isinstance(status, str) and start is not None and start == start:
                    starts.setdefault(status, []).append(start)
            self._starts = {status: sorted(years) for status, years in starts.items()}
        return sum(bisect.bisect_right(self._starts.get(s, []), year)
                   for s in dict.fromkeys(statuses))

    def replace_labs(self, labs: pd.DataFrame, changed: Sequence[str] = ()) -> None:
        """A new labs frame; ``changed``: the only codes whose rows differ from the old
        frame's (an upsert), so that the other records converted so far are kept."""
        self._replace_records("labs", self.labs, labs, changed)
        self.labs = labs
        self._regional = None
        self._shared = None

    def replace_programs(self, programs: pd.DataFrame, changed: Sequence[str] = ()) -> None:
        """``replace_labs`` for programs."""
        self._replace_records("programs", self.programs, programs, changed)
        self.programs = programs
        self._starts = None

    def _replace_records(self, name: str, old: pd.DataFrame, new: pd.DataFrame,
                         changed: Sequence[str]) -> None:
        records = self._records.get(name)
        if records is None:
            return
        if not changed or not old.dtypes.equals(new.dtypes):
            # Other rows may convert differently now (a column's type changed): all again.
            del self._records[name]
            return
        for code in changed:  # converted as the whole frame converts it (first row wins)
            records.pop(code, None)
            at = np.flatnonzero(new.index == code)
            if at.size:
                records[code] = _as_record(new.iloc[[int(at[0])]].to_dict(orient="records")[0])


def _as_record(row: dict[Any, Any]) -> dict[str, Any]:
    """A row as ``to_dict(orient="records")`` gives it, with text keys."""
    return {str(k): v for k, v in row.items()}


def build_registry_context(labs: Sequence[Lab], programs: Sequence[Program],
                           history: pd.DataFrame | None = None, *, snapshot: int = 0,
                           snapshot_date: str = "", index: OverlapIndex | None = None,
                           length_scale: float | None = None,
                           history_recorded_by: str = "") -> RegistryContext:
    """Frames plus an overlap index fitted on every lab and program (or the given one;
    ``length_scale`` fixes its BM25 length scale, as a reproduction needs)."""
    if index is None:
        docs = [lab_doc(lab) for lab in labs] + [program_doc(p) for p in programs]
        index = OverlapIndex(length_scale=length_scale).fit(docs)
    return RegistryContext(labs=labs_frame(labs), programs=programs_frame(programs),
                           history=empty_history() if history is None else history,
                           index=index, snapshot=snapshot, snapshot_date=snapshot_date,
                           history_recorded_by=history_recorded_by)
