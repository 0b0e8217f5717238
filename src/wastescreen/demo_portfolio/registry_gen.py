"""Fictional agencies, registry labs (with equipment) and registry programs of the demo portfolio.

All agency names are invented ("Viện Công nghệ Mẫu 07", "Trường Đại học Minh họa 3",
"Sở KH&CN (minh họa) tỉnh Gia Lai"); only the province names are real. Each agency has a latent
capability (standard normal) that drives its programs' outcomes here and its proposals'
non-delivery in :mod:`demo_portfolio.proposals_gen`, so it shows only through track records.

Programs start 2005–2025 and run 0–4 years beyond the start year, so ongoing and planned ones may
end after 2025; programs ended before 2025 are completed (90 %) or cancelled.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from wastescreen.core import reference
from wastescreen.demo_portfolio import texts
from wastescreen.demo_portfolio import vocabulary as voc
from wastescreen.domain import Lab, Program
from wastescreen.domain.registry import ProgramOutcome, ProgramStatus

# Relative weight of a province as the home of labs and agencies; the rest weigh 1.
PROVINCE_WEIGHTS = {
    "Hà Nội": 14.0, "Hồ Chí Minh": 12.0, "Đà Nẵng": 4.0, "Cần Thơ": 3.0, "Thái Nguyên": 3.0,
    "Huế": 2.5, "Hải Phòng": 2.5, "Khánh Hòa": 2.0, "Nghệ An": 2.0, "Lâm Đồng": 1.5,
}
INSTITUTE_FIELDS = [
    "Công nghệ", "Vật liệu", "Sinh học", "Điện tử", "Năng lượng", "Cơ khí", "Tin học",
]
N_INSTITUTES, N_UNIVERSITIES, N_PROGRAM_OFFICES = 26, 20, 5
LAST_YEAR = 2025


@dataclass(frozen=True)
class Agency:
    """A fictional agency. ``capability`` is latent (standard normal), never written anywhere."""

    name: str
    level: str  # "ministry" or "province"
    home_province: str
    capability: float
    focus_areas: tuple[str, ...]
    files_proposals: bool = True


def province_names() -> list[str]:
    return [p.name_vi for p in reference.provinces()]


def province_weights() -> list[float]:
    return [PROVINCE_WEIGHTS.get(name, 1.0) for name in province_names()]


@lru_cache(maxsize=1)
def _area_codes() -> tuple[str, ...]:
    return tuple(sorted(reference.area_codes(reference.latest_area_version())))


def area_codes() -> list[str]:
    """The area codes of the latest list version, sorted."""
    return list(_area_codes())


def make_agencies(rnd: random.Random) -> list[Agency]:
    """26 institutes and 20 universities (ministry level), one department per province, and 5
    national program offices that manage programs but file no proposals."""
    areas, names, weights = area_codes(), province_names(), province_weights()
    agencies: list[Agency] = []

    def add(name: str, level: str, home: str, files: bool = True) -> None:
        focus = tuple(rnd.sample(areas, rnd.randint(2, 3)))
        agencies.append(Agency(name, level, home, rnd.gauss(0.0, 1.0), focus, files))

    for k in range(1, N_INSTITUTES + 1):
        field = INSTITUTE_FIELDS[(k - 1) % len(INSTITUTE_FIELDS)]
        add(f"Viện {field} Mẫu {k:02d}", "ministry", rnd.choices(names, weights)[0])
    for k in range(1, N_UNIVERSITIES + 1):
        add(f"Trường Đại học Minh họa {k}", "ministry", rnd.choices(names, weights)[0])
    for p in reference.provinces():
        unit = "thành phố" if p.kind == "city" else "tỉnh"
        add(f"Sở KH&CN (minh họa) {unit} {p.name_vi}", "province", p.name_vi)
    for k in range(1, N_PROGRAM_OFFICES + 1):
        add(f"Văn phòng Chương trình KH&CN (minh họa) {k:02d}", "ministry", "Hà Nội", False)
    return agencies


@lru_cache(maxsize=64)
def _area_categories(area: str) -> tuple[str, ...]:
    known = reference.equipment_category_codes()
    return tuple(c for c in voc.area(area).equipment if c in known) or ("OTHER",)


def area_categories(area: str) -> list[str]:
    """Equipment categories that fit ``area`` (those present in the reference table)."""
    return list(_area_categories(area))


@lru_cache(maxsize=1)
def _typical_costs() -> dict[str, int]:
    return {c.code: c.typical_unit_cost_vnd for c in reference.equipment_categories()}


def typical_cost(category: str) -> int:
    return _typical_costs()[category]


def default_quantity(category: str, rnd: random.Random) -> int:
    cost = typical_cost(category)
    if cost >= 10_000_000_000:
        return 1
    return rnd.randint(1, 3) if cost >= 2_000_000_000 else rnd.randint(1, 6)


# Who measured a lab's utilisation, and when (invented, like everything in the demo).
MEASURED_BY = ("Khảo sát trang thiết bị KH&CN năm {year} (minh họa)",
               "Báo cáo tự đánh giá của đơn vị chủ trì năm {year} (minh họa)",
               "Nhật ký đặt lịch sử dụng thiết bị của phòng thí nghiệm (minh họa)",
               "Kiểm toán chuyên đề về đầu tư trang thiết bị năm {year} (minh họa)")


def _measurement(i: int) -> dict[str, object]:
    """When and by whom lab ``i``'s utilisation was measured: a day of 2024–2025 and a source.
    Drawn from a generator of its own, so the rest of the demo is the same with or without."""
    rnd = random.Random(f"utilisation-measured:{i}")  # noqa: S311 (demo data, not secrets)
    day = dt.date(2024, 1, 1) + dt.timedelta(days=rnd.randrange(731))
    source = rnd.choice(MEASURED_BY).format(year=day.year)
    return {"utilisation_measured_on": day, "utilisation_measured_by": source}


def make_labs(n: int, agencies: list[Agency], rnd: random.Random) -> list[Lab]:
    areas, names, weights = area_codes(), province_names(), province_weights()
    cat_names = {c.code: (c.name_vi, c.name_en) for c in reference.equipment_categories()}
    hosts_by_province: dict[str, list[Agency]] = {}
    for a in agencies:
        if a.files_proposals:
            hosts_by_province.setdefault(a.home_province, []).append(a)
    labs: list[Lab] = []
    for i in range(n):
        area = areas[i] if i < len(areas) else rnd.choice(areas)
        province = rnd.choices(names, weights)[0]
        host = rnd.choice(hosts_by_province[province])
        stem_vi, _ = rnd.choice(voc.area(area).lab_stems)
        cats = area_categories(area)
        equipment: list[dict[str, object]] = []
        cost = 0.0
        instruments = 0
        for k in range(rnd.randint(2, 12)):
            cat = cats[k] if k < len(cats) and k < 3 else rnd.choice(cats)
            qty = default_quantity(cat, rnd)
            cost += qty * typical_cost(cat) * math.exp(rnd.gauss(0.0, 0.25))
            instruments += qty
            vi, en = cat_names[cat]
            equipment.append(
                {"name": f"{vi} số {k + 1}", "category": cat, "quantity": qty,
                 "specification": f"{en}, unit {k + 1}"}
            )
        topic_vi = rnd.choice(voc.area(area).topics).topic[0]
        labs.append(Lab.model_validate({
            "lab_code": f"LAB-{i + 1:04d}",
            "name": f"Phòng thí nghiệm {stem_vi} – {host.name}",
            "host": host.name,
            "province": province,
            "technology_area": area,
            "field": topic_vi,
            "year_established": rnd.randint(1995, 2024),
            "investment_vnd": round(cost * rnd.uniform(1.15, 1.6), -6),
            "capacity_hours_per_year": instruments * rnd.choice([1500, 2000, 2500]),
            # Mean 0.71; about one lab in nine below half its capacity (the red flags' line).
            "utilisation": round(rnd.betavariate(5.0, 2.0), 3),
            **_measurement(i),
            "open_for_shared_use": rnd.random() < 0.35,
            "equipment": equipment,
        }))
    return labs


# What a registry program is: mostly a research task, some training or platform programs.
PROGRAM_TYPES = ["research_program", "training_program", "digital_platform"]
PROGRAM_TYPE_P = [0.7, 0.15, 0.15]


def make_programs(
    n: int, agencies: list[Agency], rnd: random.Random
) -> tuple[list[Program], list[voc.Pair]]:
    """Programs and the title words of each after its prefix (a copying proposal reuses them).

    A program's texts follow :mod:`demo_portfolio.texts`: one topic of its area and one use of
    that topic, piloted in the managing agency's province (a ministry-level agency's elsewhere,
    30 %)."""
    areas, names, weights = area_codes(), province_names(), province_weights()
    years = list(range(2005, LAST_YEAR + 1))
    year_w = [1.0 + 0.06 * (y - 2005) for y in years]
    programs: list[Program] = []
    cores: list[voc.Pair] = []
    for i in range(n):
        agency = rnd.choice(agencies)
        area = rnd.choice(agency.focus_areas) if rnd.random() < 0.6 else rnd.choice(areas)
        ptype = rnd.choices(PROGRAM_TYPES, PROGRAM_TYPE_P)[0]
        ptype = ptype if texts.fits(area, ptype) else "research_program"
        # A province's department pilots at home; a ministry-level agency mostly near home.
        site = (agency.home_province if agency.level == "province" or rnd.random() < 0.7
                else rnd.choices(names, weights)[0])
        subject = texts.pick_subject(area, site, rnd, ptype)
        start = rnd.choices(years, year_w)[0]
        end = start + rnd.randint(0, 4)
        vi, _ = texts.objectives(subject, ptype, rnd.randint(1, 3), rnd, end)
        status, outcome = _status_outcome(start, end, agency.capability, rnd)
        if agency.level == "province" or rnd.random() < 0.5:
            province: str | None = agency.home_province
        else:
            province = None
        programs.append(Program.model_validate({
            "program_code": f"PRG-{i + 1:05d}",
            "title": texts.titled((rnd.choice(voc.PROGRAM_PREFIXES), ""), subject)[0],
            "managing_agency": agency.name,
            "province": province,
            "technology_area": area,
            "field": subject.topic[0],
            "objectives": vi,
            "budget_vnd": round(8e9 * math.exp(rnd.gauss(0.0, 1.0)), -6),
            "start_year": start,
            "end_year": end,
            "status": status,
            "outcome": outcome,
        }))
        cores.append((f"{subject.core[0]} tại {site}", f"{subject.core[1]} in {site}"))
    return programs, cores


def _status_outcome(
    start: int, end: int, capability: float, rnd: random.Random
) -> tuple[ProgramStatus, ProgramOutcome]:
    if end >= LAST_YEAR:
        planned = start == LAST_YEAR and rnd.random() < 0.4
        return (ProgramStatus.PLANNED if planned else ProgramStatus.ONGOING), ProgramOutcome.UNKNOWN
    if rnd.random() < 0.1:
        return ProgramStatus.CANCELLED, ProgramOutcome.NOT_DELIVERED
    p_delivered = 1.0 / (1.0 + math.exp(-(1.0 + 0.9 * capability)))
    if rnd.random() < p_delivered:
        return ProgramStatus.COMPLETED, ProgramOutcome.DELIVERED
    bad = ProgramOutcome.PARTIAL if rnd.random() < 0.6 else ProgramOutcome.NOT_DELIVERED
    return ProgramStatus.COMPLETED, bad


@dataclass
class Registry:
    agencies: list[Agency]
    labs: list[Lab]
    programs: list[Program]
    program_cores: list[voc.Pair]


def seeded(seed: int) -> tuple[np.random.Generator, random.Random]:
    """The numpy stream of a portfolio of ``seed`` and the ``random`` stream its registry is
    drawn from (agencies first, so :func:`make_agencies` on it gives that portfolio's)."""
    rng = np.random.default_rng(seed)
    return rng, random.Random(int(rng.integers(2**62)))  # noqa: S311 - synthetic data


def make_registry(n_labs: int, n_programs: int, rnd: random.Random) -> Registry:
    agencies = make_agencies(rnd)
    labs = make_labs(n_labs, agencies, rnd)
    programs, cores = make_programs(n_programs, agencies, rnd)
    return Registry(agencies, labs, programs, cores)
