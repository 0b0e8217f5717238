"""Historical proposals of the demo portfolio (cycles 2010–2025), each with its outcome.

Scalar attributes are drawn as numpy vectors; texts, equipment lists and KPIs item by item with a
``random.Random`` seeded from the same numpy stream, so one seed fixes everything. About 25 % of
the proposals are derived from something that exists (see :mod:`demo_portfolio.mechanisms`).

Texts (:mod:`demo_portfolio.texts`): ``title`` and ``objectives`` are Vietnamese and agree with
the area and the project type; ``summary`` is Vietnamese, then :data:`GLOSS_SEPARATOR`, then its
English gloss (see :func:`split_gloss`).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from wastescreen.core import reference
from wastescreen.demo_portfolio import mechanisms as mech
from wastescreen.demo_portfolio import registry_gen as reg
from wastescreen.demo_portfolio import texts
from wastescreen.demo_portfolio import vocabulary as voc

YEARS = np.arange(2010, 2026)
TYPES = [
    "new_lab", "lab_upgrade", "equipment_purchase", "research_program", "digital_platform",
    "training_program",
]
TYPE_P = [0.12, 0.18, 0.22, 0.28, 0.12, 0.08]
RESEARCH = TYPES.index("research_program")
DERIVATIONS = ["", "program", "lab", "same_cycle"]
DERIVATION_P = [0.75, 0.11, 0.08, 0.06]
LINES = {0: (3, 10), 1: (2, 6), 2: (1, 8), 3: (0, 2), 4: (1, 4), 5: (0, 2)}
SHARE_BETA = {0: (6, 5), 1: (6, 4), 2: (8, 2), 3: (2, 8), 4: (4, 5), 5: (2, 10)}
DURATION = {0: (24, 60), 1: (12, 36), 2: (6, 24), 3: (12, 48), 4: (12, 36), 5: (12, 36)}
NO_EQUIPMENT_BUDGET = {3: 3e9, 5: 1.5e9}
CHEAP_TYPES = {3, 5}  # research and training programs buy only instruments up to 2.5 bn VND
def add_months(day: dt.date, months: int) -> dt.date:
    m = day.month - 1 + months
    return dt.date(day.year + m // 12, m % 12 + 1, 1)


@dataclass
class Draft:
    """A proposal under construction and the generation facts the mechanisms need."""

    i: int
    derivation: str
    agency: reg.Agency
    province: str
    area: str
    ptype: int
    title: tuple[str, str] = ("", "")
    objectives: str = ""
    equipment: list[dict[str, Any]] = field(default_factory=list)
    closeness: float = 0.0
    source: str = ""
    source_draft: int = -1
    payload: dict[str, Any] = field(default_factory=dict)
    facts: dict[str, float] = field(default_factory=dict)
    observed_on: dt.date = dt.date(2000, 1, 1)
    approved: bool = True
    lang: int = 0  # 0: filed in Vietnamese (title, objectives, KPIs); 1 (texts.EN): in English


class HistoryBuilder:
    def __init__(self, n: int, registry: reg.Registry, rng: np.random.Generator) -> None:
        self.n, self.r, self.rng = n, registry, rng
        self.rnd = random.Random(int(rng.integers(2**62)))  # noqa: S311 - synthetic data
        self.names, self.weights = reg.province_names(), reg.province_weights()
        self.filers = [a for a in registry.agencies if a.files_proposals]
        self.ministry = [a for a in self.filers if a.level == "ministry"]
        self.department = {a.home_province: a for a in self.filers if a.level == "province"}
        self.cat_names = {c.code: (c.name_vi, c.name_en) for c in reference.equipment_categories()}
        self.v = self._vectors()
        self.programs_by_year = {
            int(y): [k for k, p in enumerate(registry.programs) if p.start_year < y] for y in YEARS
        }
        self.labs_by_year = {
            int(y): [x for x in registry.labs if x.year_established < y] for y in YEARS
        }
        self.region_provinces = {
            p: [q for q in self.names if reference.region_of(q) == reference.region_of(p)]
            for p in self.names
        }

    def _vectors(self) -> dict[str, Any]:
        rng, n = self.rng, self.n
        yw = 1.0 + 0.08 * (YEARS - 2010)
        ptype = rng.choice(6, n, p=TYPE_P)
        deriv = rng.choice(4, n, p=DERIVATION_P)
        ptype = np.where(deriv == 2, rng.choice(3, n, p=[0.35, 0.35, 0.3]), ptype)
        aw = np.array([1.5 if a.level == "ministry" else 0.6 for a in self.filers])
        lo = np.array([DURATION[t][0] for t in range(6)])[ptype]
        hi = np.array([DURATION[t][1] for t in range(6)])[ptype]
        a = np.array([SHARE_BETA[t][0] for t in range(6)])[ptype]
        b = np.array([SHARE_BETA[t][1] for t in range(6)])[ptype]
        constr = np.where(ptype == 0, rng.uniform(0.1, 0.35, n), 0.0)
        constr = np.where(ptype == 1, rng.uniform(0.0, 0.12, n), constr)
        eq_share = np.clip(rng.beta(a, b), 0.02, 0.95)
        trl_start = rng.integers(1, 7, n)
        trl_jump = rng.choice(6, n, p=[0.1, 0.25, 0.3, 0.18, 0.1, 0.07])
        return {
            "cycle": rng.choice(YEARS, n, p=yw / yw.sum()),
            "deriv": deriv,
            "ptype": ptype,
            "agency": rng.choice(len(self.filers), n, p=aw / aw.sum()),
            "intensity": rng.beta(1.5, 2.0, n),
            "duration": lo + np.floor(rng.random(n) * (hi - lo + 1)).astype(np.int64),
            "trl_start": trl_start,
            "trl_target": np.minimum(9, trl_start + trl_jump),
            "n_kpi": rng.integers(1, 7, n),
            "kpi_propensity": rng.beta(1.6, 1.2, n),
            "n_res": 2 + rng.poisson(7, n),
            "om_ratio": np.where(rng.random(n) < 0.3, 0.0, rng.uniform(0.005, 0.2, n)),
            "shared": rng.random(n) < 0.4,
            "cofunding": np.where(rng.random(n) < 0.4, 0.0, rng.uniform(0.02, 0.4, n)),
            "n_summary": rng.integers(0, 5, n),
            "eq_share": eq_share,
            "constr": np.minimum(constr, np.maximum(0.97 - eq_share, 0.0)),
            "personnel": rng.uniform(0.45, 0.65, n),
            "operations": rng.uniform(0.15, 0.3, n),
            "approved": rng.random(n) >= 0.05,
            "start_month": rng.integers(1, 13, n),
            "submit_frac": rng.random(n),
            "observe_months": rng.integers(6, 19, n),
            "observe_days": rng.integers(0, 28, n),
            "review_days": rng.integers(60, 200, n),
        }

    # -- placement -----------------------------------------------------------------------
    def _place(self, agency: reg.Agency) -> str:
        if agency.level == "province" or self.rnd.random() < 0.7:
            return agency.home_province
        return self.rnd.choices(self.names, self.weights)[0]

    def _agency_in(self, province: str, avoid: str = "") -> reg.Agency:
        if self.rnd.random() < 0.35:
            return self.department[province]
        return self.rnd.choice([a for a in self.ministry if a.name != avoid])

    # -- equipment -----------------------------------------------------------------------
    def _line(self, cat: str, k: int, qty: int | None = None) -> dict[str, Any]:
        vi, en = self.cat_names[cat]
        cost = reg.typical_cost(cat) * math.exp(self.rnd.gauss(0.0, 0.3))
        return {
            "name": f"{vi} {self.rnd.choice(voc.EQUIPMENT_MODELS)}", "category": cat,
            "quantity": qty or reg.default_quantity(cat, self.rnd),
            "unit_cost_vnd": max(int(round(cost, -6)), 1_000_000), "specification": f"{en} #{k}",
        }

    def _equipment(self, d: Draft) -> list[dict[str, Any]]:
        cats = reg.area_categories(d.area)
        if d.ptype in CHEAP_TYPES:
            cats = [c for c in cats if reg.typical_cost(c) <= 2.5e9] or ["OTHER"]
        lo, hi = LINES[d.ptype]
        lines = [self._line(self.rnd.choice(cats), k) for k in range(self.rnd.randint(lo, hi))]
        if lines and self.rnd.random() < 0.2:  # many small auxiliary lines (fragmentation)
            for k in range(self.rnd.randint(3, 10)):
                line = self._line("OTHER", len(lines) + k, self.rnd.randint(1, 4))
                line["name"] = f"Thiết bị phụ trợ {k + 1}"
                line["unit_cost_vnd"] = self.rnd.randint(50, 900) * 1_000_000
                lines.append(line)
        return lines

    # -- drafting ------------------------------------------------------------------------
    def draft(self, i: int, deriv: str) -> Draft:
        v, rnd = self.v, self.rnd
        agency = self.filers[int(v["agency"][i])]
        cycle = int(v["cycle"][i])
        if (deriv == "program" and not self.programs_by_year[cycle]) or (
            deriv == "lab" and not self.labs_by_year[cycle]
        ):
            deriv = ""
        area = (rnd.choice(agency.focus_areas) if rnd.random() < 0.65
                else rnd.choice(reg.area_codes()))
        d = Draft(i, deriv, agency, self._place(agency), area, int(v["ptype"][i]))
        if deriv == "lab":
            lab = rnd.choice(self.labs_by_year[cycle])
            d.area, d.source = lab.technology_area, lab.lab_code
            region = self.region_provinces[lab.province]
            d.province = lab.province if rnd.random() < 0.5 else rnd.choice(region)
            d.agency = self._agency_in(d.province)
            lab_cats = sorted({e.category for e in lab.equipment})
            kept = [c for c in lab_cats if rnd.random() < 0.85] or [lab_cats[0]]
            if rnd.random() < 0.3:
                kept = sorted({*kept, rnd.choice(reg.area_categories(d.area))})
            d.equipment = [self._line(c, k) for k, c in enumerate(kept)]
            d.closeness = mech.jaccard(set(kept), set(lab_cats))
        if deriv == "program":
            k = rnd.choice(self.programs_by_year[cycle])
            prog = self.r.programs[k]
            d.area, d.source = prog.technology_area, prog.program_code
            site = texts.site_of(prog.title)
            if site in self.region_provinces and rnd.random() < 0.7:  # filed where it pilots
                d.province = site
                d.agency = self._agency_in(site, prog.managing_agency)
        if not texts.fits(d.area, TYPES[d.ptype]):
            d.ptype = RESEARCH
        subject = texts.pick_subject(d.area, d.province, rnd, TYPES[d.ptype])
        d.title = texts.title(subject, TYPES[d.ptype])
        if deriv == "program":
            prefix = voc.TYPES[TYPES[d.ptype]].title
            core = self.r.program_cores[k]
            d.title = (f"{prefix[0]} {core[0]}", f"{prefix[1]} {core[1]}")
            d.objectives = self.reworded(prog.objectives, d, float(v["intensity"][i]))
            d.closeness = mech.text_closeness(prog.objectives, d.objectives)
        else:
            d.objectives = texts.objectives(subject, TYPES[d.ptype], rnd.randint(1, 3), rnd,
                                            cycle + rnd.randint(1, 4))[0]
        if deriv != "lab":
            d.equipment = self._equipment(d)
        return d

    def reworded(self, text: str, d: Draft, intensity: float) -> str:
        """``text`` reworded with strength ``intensity``; each of two new sentences of the same
        area and type is added with probability ``intensity``."""
        out = mech.reword(text, intensity, self.rnd)
        for _ in range(2):
            if self.rnd.random() < intensity:
                out += " " + texts.extra_sentence(d.area, TYPES[d.ptype], self.rnd)[0]
        return out

    def copy_draft(self, i: int, src: Draft) -> Draft:
        """A same-cycle duplicate of ``src`` filed by another agency in another province."""
        v, rnd = self.v, self.rnd
        others = [p for p in self.names if p != src.province]
        province = rnd.choices(others, [self.weights[self.names.index(p)] for p in others])[0]
        d = Draft(i, "same_cycle", self._agency_in(province, src.agency.name), province,
                  src.area, src.ptype, source_draft=src.i)
        intensity = float(v["intensity"][i])
        d.title = (mech.reword(src.title[0], 0.5 * intensity, rnd).rstrip("."), src.title[1])
        d.objectives = self.reworded(src.objectives, d, intensity)
        d.closeness = mech.text_closeness(src.objectives, d.objectives)
        for k, line in enumerate(src.equipment):
            new = dict(line, specification=f"{line['specification']} ({k})")
            new["quantity"] = max(1, int(line["quantity"]) + rnd.choice([-1, 0, 0, 1]))
            cost = int(round(line["unit_cost_vnd"] * rnd.uniform(0.9, 1.1), -6))
            new["unit_cost_vnd"] = max(cost, 1_000_000)
            d.equipment.append(new)
        return d

    # -- completion ----------------------------------------------------------------------
    def build(self) -> list[Draft]:
        """All drafts, completed, in filing order (cycle, submission date)."""
        v, rnd = self.v, self.rnd
        drafts: list[Draft] = []
        by_cycle: dict[int, list[Draft]] = {}
        for i in range(self.n):
            if int(v["deriv"][i]) != 3:
                d = self.draft(i, DERIVATIONS[int(v["deriv"][i])])
                drafts.append(d)
                by_cycle.setdefault(int(v["cycle"][i]), []).append(d)
        for i in range(self.n):
            if int(v["deriv"][i]) == 3:
                pool = by_cycle.get(int(v["cycle"][i]))
                drafts.append(self.copy_draft(i, rnd.choice(pool)) if pool else self.draft(i, ""))
        for d in drafts:
            self.finish(d)
        return sorted(drafts, key=lambda d: (d.payload["cycle"], d.payload["submitted_on"], d.i))

    def finish(self, d: Draft) -> None:
        v, rnd, i = self.v, self.rnd, d.i
        cycle, ptype = int(v["cycle"][i]), d.ptype
        eq_total = sum(int(x["quantity"]) * int(x["unit_cost_vnd"]) for x in d.equipment)
        if eq_total:
            total = max(int(round(eq_total / float(v["eq_share"][i]), -6)), eq_total)
            construction = min(int(round(total * float(v["constr"][i]), -6)), total - eq_total)
        else:
            median = NO_EQUIPMENT_BUDGET.get(ptype, 5e9)
            total, construction = int(round(median * math.exp(rnd.gauss(0.0, 0.6)), -6)), 0
        rest = total - eq_total - construction
        personnel = int(rest * float(v["personnel"][i]))
        operations = int(rest * float(v["operations"][i]))
        capital = eq_total + construction
        om = int(round(float(v["om_ratio"][i]) * capital, -6))
        start = dt.date(cycle, int(v["start_month"][i]), 1)
        earliest, latest = dt.date(cycle - 1, 1, 1), start - dt.timedelta(days=30)
        submitted = earliest + dt.timedelta(
            days=int(float(v["submit_frac"][i]) * (latest - earliest).days)
        )
        duration = int(v["duration"][i])
        end = add_months(start, duration)
        d.approved = bool(v["approved"][i])
        if d.approved:
            d.observed_on = add_months(end, int(v["observe_months"][i])) + dt.timedelta(
                days=int(v["observe_days"][i])
            )
        else:
            d.observed_on = submitted + dt.timedelta(days=int(v["review_days"][i]))
        kpis, measurable = texts.kpis(TYPES[ptype], d.area, int(v["n_kpi"][i]),
                                      float(v["kpi_propensity"][i]), end, rnd, d.lang)
        n_res = int(v["n_res"][i])
        researchers = texts.researchers(n_res, rnd)
        summary = texts.summary(d.title, int(v["n_summary"][i]), rnd, d.lang)
        cof_share = float(v["cofunding"][i])
        shared = bool(v["shared"][i]) and capital > 0
        d.payload = {
            "cycle": cycle, "title": d.title[d.lang], "summary": summary,
            "objectives": d.objectives,
            "agency": d.agency.name, "managing_level": d.agency.level, "province": d.province,
            "technology_area_version": reference.latest_area_version(),
            "technology_area": d.area, "project_type": TYPES[ptype],
            "total_budget_vnd": total,
            "budget": {
                "equipment_vnd": eq_total, "construction_vnd": construction,
                "personnel_vnd": personnel, "operations_vnd": operations,
                "other_vnd": rest - personnel - operations,
            },
            "cofunding_vnd": int(round(cof_share * total, -6)),
            "cofunding_sources": rnd.choice(voc.COFUNDING_SOURCES) if cof_share else "",
            "submitted_on": submitted, "start_date": start, "duration_months": duration,
            "end_date": end, "equipment": d.equipment, "kpis": kpis,
            "trl_start": int(v["trl_start"][i]), "trl_target": int(v["trl_target"][i]),
            "researchers": researchers, "om_budget_vnd_per_year": om,
            "shared_use_plan": rnd.choice(voc.SHARED_USE_PLANS)[d.lang] if shared else "",
        }
        instruments = sum(int(x["quantity"]) for x in d.equipment)
        norm = mech.TYPE_MONTHLY_NORM_VND[TYPES[ptype]]
        d.facts = {
            "copy_closeness": d.closeness,
            "near_copy": mech.near_copy(d.closeness, d.derivation in ("program", "same_cycle")),
            "same_cycle_duplicate": float(d.derivation == "same_cycle"),
            "equipment_share": eq_total / total,
            "om_ratio": om / capital if capital else 0.0,
            "has_shared_use_plan": float(shared),
            "researchers_per_instrument": n_res / instruments if instruments else float(n_res),
            "small_equipment_lines": float(sum(
                1 for x in d.equipment
                if int(x["quantity"]) * int(x["unit_cost_vnd"]) < mech.SMALL_LINE_VND
            )),
            "has_assets": float(capital > 0),
            "kpi_measurable_share": measurable / len(kpis),
            "trl_jump": float(v["trl_target"][i] - v["trl_start"][i]),
            "agency_incapability": -d.agency.capability,
            "budget_per_month_ratio": total / duration / norm,
            "cofunding_share": cof_share,
            "summary_length": float(len(summary)),
        }
