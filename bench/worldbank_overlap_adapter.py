"""Maps World Bank projects onto the overlap search's documents (Protocol 2 of the data README).

A registry project becomes a ``program``: text = project name + objective (pdo), and the name
as ``title`` (its terms weigh the index's ``title_boost`` more; the service's
``features.registry_context.program_doc`` passes a program's title the same way), country ->
province, World Bank region -> region, main sector -> technology area, project cost (USD; only
log ratios are used, so the currency does not matter) -> budget, approval year -> year,
implementing agency -> group, the agency (keyed by country: "Ministry of Health" of Kenya is not
that of Ghana; accents, case and punctuation folded as the index folds text). A query
project becomes a ``proposal`` whose text is its objective alone (never its name, which would give
the parent away), with the same country, region, sector, cost and agency a proposal would carry.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from wastescreen.features.overlap_index import OverlapDoc
from wastescreen.features.overlap_text import syllables

SECTOR_FIELDS = ("sector", "major_sector")


@dataclass(frozen=True)
class Project:
    """One World Bank project with objective text. ``cost`` USD (0 unknown), ``area`` its main
    sector by percentage ("" none), ``approved`` board approval date (UTC)."""

    id: str
    name: str
    pdo: str
    country: str
    region: str
    approved: datetime
    cost: float
    area: str
    agency: str = ""

    @property
    def year(self) -> int:
        return self.approved.year


@dataclass(frozen=True)
class Pair:
    """One Protocol-2 pair: the later ``query_id`` builds on ``parent_id``."""

    query_id: str
    parent_id: str
    copied: bool  # pdo_identical: the objective text was copied unchanged


def main_sectors(frame: pd.DataFrame, sector_field: str) -> dict[str, str]:
    """project_id -> the sector (or major sector) with the highest percentage; ties by name.
    ``frame`` has the columns of sectors.csv.gz (project_id, major_sector, sector,
    sector_percent)."""
    if sector_field not in SECTOR_FIELDS:
        raise ValueError(f"sector_field must be one of {SECTOR_FIELDS}")
    ordered = frame.sort_values(["project_id", "sector_percent", sector_field],
                                ascending=[True, False, True]).drop_duplicates("project_id")
    return {str(p): str(s) for p, s in zip(ordered["project_id"], ordered[sector_field],
                                            strict=True) if isinstance(s, str)}


def projects_from_frames(projects: pd.DataFrame, sectors: pd.DataFrame,
                         sector_field: str = "sector") -> dict[str, Project]:
    """Projects with objective text and an approval date, by id, in file order. ``projects``
    has the columns of projects.csv.gz (id, project_name, pdo, countryshortname, regionname,
    boardapprovaldate, curr_project_cost, and impagency when present); ``sectors`` those of
    sectors.csv.gz."""
    main = main_sectors(sectors, sector_field)
    approved = pd.to_datetime(projects["boardapprovaldate"], utc=True, errors="coerce")
    cost = pd.to_numeric(projects["curr_project_cost"], errors="coerce")
    agencies = projects["impagency"] if "impagency" in projects else [None] * len(projects)
    out: dict[str, Project] = {}
    for pid, name, pdo, country, region, when, usd, agency in zip(
            projects["id"], projects["project_name"], projects["pdo"],
            projects["countryshortname"], projects["regionname"], approved, cost, agencies,
            strict=True):
        if not isinstance(pdo, str) or not pdo.strip() or pd.isna(when):
            continue
        out[str(pid)] = Project(
            str(pid), name if isinstance(name, str) else "", pdo,
            country if isinstance(country, str) else "",
            region if isinstance(region, str) else "", when.to_pydatetime(),
            float(usd) if math.isfinite(usd) else 0.0, main.get(str(pid), ""),
            agency_key(country, agency))
    return out


def agency_key(country: object, name: object) -> str:
    """An implementing agency within its country, folded for comparison ("Ministerio de
    Economía," and "MINISTERIO DE ECONOMIA" of one country are one agency; the same name in two
    countries is two); "" when the name is missing."""
    tokens = syllables(name) if isinstance(name, str) else []
    if not tokens:
        return ""
    return f"{country if isinstance(country, str) else ''}|{' '.join(tokens)}"


def load_projects(folder: Path, sector_field: str = "sector") -> dict[str, Project]:
    """``projects_from_frames`` on the World Bank folder's files."""
    return projects_from_frames(pd.read_csv(folder / "projects.csv.gz", dtype=str),
                                pd.read_csv(folder / "sectors.csv.gz",
                                            dtype={"project_id": str}),
                                sector_field)


def load_pairs(folder: Path) -> list[Pair]:
    """The pairs of ``overlap_pairs.csv`` in file order."""
    raw = pd.read_csv(folder / "overlap_pairs.csv", dtype=str)
    return [Pair(str(q), str(p), str(c).strip().lower() == "true")
            for q, p, c in zip(raw["query_id"], raw["parent_id"], raw["pdo_identical"],
                               strict=True)]


def _budget(cost: float) -> int:
    return round(cost) if cost > 0 else 0


def registry_doc(p: Project) -> OverlapDoc:
    """A registry ``program``: name + objective (the name also as ``title``), country, region,
    sector, cost, year, implementing agency."""
    return OverlapDoc(doc_id=p.id, kind="program", text=f"{p.name} {p.pdo}", title=p.name,
                      province=p.country, region=p.region, technology_area=p.area,
                      budget_vnd=_budget(p.cost), year=p.year, group=p.agency)


def query_doc(p: Project) -> OverlapDoc:
    """A ``proposal``: the objective text only, plus what a proposal carries."""
    return OverlapDoc(doc_id=p.id, kind="proposal", text=p.pdo, province=p.country,
                      region=p.region, technology_area=p.area, budget_vnd=_budget(p.cost),
                      year=p.year, group=p.agency)


def later_same_year(projects: Mapping[str, Project], query_id: str) -> list[str]:
    """Ids approved in the query's year but not before it (the query included): ``max_year``
    works in whole years, the protocol's registry is "approved before the query"."""
    q = projects[query_id]
    return [p.id for p in projects.values() if p.year == q.year and p.approved >= q.approved]


def split_half(pair: Pair) -> str:
    """Fixed split for tuning: "tune" or "held_out", from the digits of the query id (stable,
    independent of file order and of anything the search computes)."""
    digits = "".join(ch for ch in pair.query_id if ch.isdigit())
    return "tune" if int(digits or "0") % 2 == 0 else "held_out"
