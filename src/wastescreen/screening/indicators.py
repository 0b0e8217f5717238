"""The public indicators of a budget cycle, per agency: proposals screened, share high risk,
decisions and overrides. Nothing here identifies a proposal; counted by the database."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from wastescreen.core.spreadsheet import safe_cell
from wastescreen.screening.portfolio import submission_filters
from wastescreen.storage.revisions import REVISED
from wastescreen.storage.tables import DecisionRow, ScreeningRow


@dataclass
class Indicator:
    agency: str
    screened: int = 0
    high: int = 0
    decided: int = 0
    overrides: int = 0

    @property
    def high_share(self) -> float:
        return self.high / self.screened if self.screened else math.nan

    @property
    def override_share(self) -> float:
        return self.overrides / self.decided if self.decided else math.nan


def indicators(session: Session, cycle: int | None) -> tuple[list[Indicator], Indicator]:
    """Per agency: formal submissions screened, high-risk ones, decided ones and overridden
    ones, counted by the database. The rule for overrides is stated and kept over the history:
    a screening counts as overridden when any decision on it went against its band (approving
    a high-risk proposal or rejecting a low-risk one), whatever came after, so a later decision
    cannot erase an override, nor can a revised version (an override on a version since
    superseded still counts; the superseded version itself is not counted again as screened,
    high or decided: its revised version stands for the proposal). Nothing that identifies a
    proposal."""
    history = (select(DecisionRow.screening_id,
                      func.max(case((DecisionRow.override.is_(True), 1), else_=0))
                      .label("overridden"))
               .group_by(DecisionRow.screening_id).subquery())
    current = ScreeningRow.status != REVISED
    query = (select(ScreeningRow.agency, func.sum(case((current, 1), else_=0)),
                    func.sum(case((and_(current, ScreeningRow.band == "high"), 1), else_=0)),
                    func.sum(case((and_(current, history.c.screening_id.is_not(None)), 1),
                                  else_=0)),
                    func.sum(func.coalesce(history.c.overridden, 0)))
             .select_from(ScreeningRow)
             .outerjoin(history, history.c.screening_id == ScreeningRow.id)
             .where(*submission_filters(cycle, None)).group_by(ScreeningRow.agency))
    by_agency = [Indicator(str(agency), int(n or 0), int(high or 0), int(decided or 0),
                           int(over or 0))
                 for agency, n, high, decided, over in session.execute(query)]
    total = Indicator("*")
    for ind in by_agency:
        total.screened += ind.screened
        total.high += ind.high
        total.decided += ind.decided
        total.overrides += ind.overrides
    return sorted(by_agency, key=lambda i: i.agency), total


def indicators_csv(items: Sequence[Indicator], cycle: int | None) -> str:
    """The indicators as CSV (UTF-8, shares as decimals with 4 digits, empty when undefined)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["cycle", "agency", "proposals_screened", "high_risk", "high_risk_share",
                     "decided", "overrides", "override_share"])

    def share(x: float) -> str:
        return "" if math.isnan(x) else f"{x:.4f}"

    for i in items:
        writer.writerow(["" if cycle is None else cycle, safe_cell(i.agency), i.screened, i.high,
                         share(i.high_share), i.decided, i.overrides, share(i.override_share)])
    return buf.getvalue()
