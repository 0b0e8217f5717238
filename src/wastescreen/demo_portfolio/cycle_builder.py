"""Drafts of one budget cycle: the history's builder, with the planted kinds of proposal.

:class:`CycleBuilder` reuses :class:`HistoryBuilder` (its attribute vectors, equipment lines,
same-cycle copies and completion) with every proposal in one ``cycle``, and adds what the
current cycle needs: titles that do not repeat, near-verbatim copies of a program, requests for
equipment an under-used lab nearby holds, and clean, well-planned proposals.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from wastescreen.core import reference
from wastescreen.demo_portfolio import mechanisms as mech
from wastescreen.demo_portfolio import registry_gen as reg
from wastescreen.demo_portfolio import texts
from wastescreen.demo_portfolio import vocabulary as voc
from wastescreen.demo_portfolio.proposals_gen import (
    CHEAP_TYPES,
    LINES,
    RESEARCH,
    TYPES,
    Draft,
    HistoryBuilder,
)
from wastescreen.domain import Lab, Program
from wastescreen.features.red_flags import flag_catalogue

NEAR_VERBATIM = 0.9
# Most agencies look at the registry and at their region's labs before they propose (the
# pre-check is there for it): they take up work no program is doing and buy what no idle lab
# nearby holds. The rest do not look.
LOOKS_FIRST = 0.8
# Below this share of its capacity a lab is under-used: the red flags' own line.
UNDERUSED = flag_catalogue().parameters["underused_below"]
LAB_TYPES = ("new_lab", "lab_upgrade", "equipment_purchase")


class CycleBuilder(HistoryBuilder):
    def __init__(self, n: int, registry: reg.Registry, rng: np.random.Generator,
                 cycle: int) -> None:
        super().__init__(n, registry, rng)
        self.cycle = cycle
        self.v["cycle"][:] = cycle
        self.titles: set[str] = set()
        self.cores: Counter[str] = Counter()
        self.topics: Counter[str] = Counter()
        self.clean_agencies: set[str] = set()
        self.clean_areas: set[str] = set()
        # Subjects (topic and use) of the registry's planned or ongoing programs, and of the
        # others (completed or cancelled).
        self.active_cores: Counter[str] = Counter()
        self.past_cores: Counter[str] = Counter()
        for prog in registry.programs:
            core = texts.program_core(prog.title).rpartition(" tại ")[0]
            active = prog.status in ("planned", "ongoing")
            (self.active_cores if active else self.past_cores)[core] += 1
        # Per region and category: the most idle share (1 − utilisation) of a lab holding it.
        self.idle: dict[tuple[str, str], float] = {}
        for lab in registry.labs:
            if lab.year_established < cycle:
                for e in lab.equipment:
                    key = (reference.region_of(lab.province), e.category)
                    self.idle[key] = max(self.idle.get(key, 0.0), 1.0 - (lab.utilisation or 0.0))

    # -- texts ---------------------------------------------------------------------------
    def compose(self, d: Draft, lang: int = 0, *, novel: bool = False,
                looked: bool = False) -> None:
        """Title and objectives of ``d`` in ``lang``: the least used topic and use of its area
        so far (with ``novel``, of the area's new work, which the registry does not hold; with
        ``looked``, one no registry program is doing, and the fewest done before, when there
        is one), under a title no other proposal of the cycle has."""
        rnd, ptype = self.rnd, TYPES[d.ptype]
        area = voc.area(d.area)
        topics = (area.novel_for(ptype) if novel else ()) or area.topics_for(ptype)
        subjects = [texts.Subject(d.area, t.topic, u, d.province)
                    for t in topics for u in t.uses]
        rnd.shuffle(subjects)
        # Stable: random among the least used (a new topic once in the cycle, if it can be).
        subjects.sort(key=lambda s: (self.topics[s.topic[0]] if novel else 0,
                                     looked and self.active_cores[s.core[0]] > 0,
                                     self.cores[s.core[0]],
                                     self.past_cores[s.core[0]] if looked else 0))
        subject = subjects[0]
        title = texts.title(subject, ptype)
        for s in subjects:
            if texts.title(s, ptype)[lang] not in self.titles:
                subject, title = s, texts.title(s, ptype)
                break
        else:  # every topic and use of the area is taken by this type here: name the period
            span = f"{self.cycle}–{self.cycle + 4}"
            title = (f"{title[0]}, giai đoạn {span}", f"{title[1]}, {span}")
        self.cores[subject.core[0]] += 1
        self.topics[subject.topic[0]] += 1
        self.titles.add(title[lang])
        d.title, d.lang = title, lang
        d.objectives = texts.objectives(subject, ptype, rnd.randint(1, 3), rnd,
                                        self.cycle + rnd.randint(1, 4))[lang]

    def in_english(self, d: Draft) -> None:
        """Equipment names in English too (call after ``finish``)."""
        names = {c.code: c.name_en for c in reference.equipment_categories()}
        for k, line in enumerate(d.payload["equipment"]):
            line["name"] = f"{names[line['category']]} ({k + 1})"

    # -- kinds of proposal ---------------------------------------------------------------
    def original(self, i: int, *, area: str | None = None, lang: int = 0) -> Draft:
        """An ordinary proposal, drawn like the history's original ones."""
        v, rnd = self.v, self.rnd
        agency = self.filers[int(v["agency"][i])]
        if area is None:
            area = (rnd.choice(agency.focus_areas) if rnd.random() < 0.65
                    else rnd.choice(reg.area_codes()))
        ptype = int(v["ptype"][i]) if texts.fits(area, TYPES[int(v["ptype"][i])]) else RESEARCH
        province, looked = self._place(agency), rnd.random() < LOOKS_FIRST
        region = reference.region_of(province)
        free = self._free(region, area, ptype)
        if looked and not free and LINES[ptype][0] > 0 and texts.fits(area, TYPES[RESEARCH]):
            # Every instrument it would buy stands idle in a lab nearby: it proposes the
            # research and books the lab instead of building one.
            ptype = RESEARCH
            free = self._free(region, area, ptype)
        d = Draft(i, "", agency, province, area, ptype)
        self.compose(d, lang, looked=looked)
        d.equipment = self._equipment(d)
        if looked:  # an instrument idle nearby is replaced by one nobody leaves idle, or shared
            kept = [line if self._not_held_idle(region, line["category"])
                    else self._line(rnd.choice(free), k)
                    for k, line in enumerate(d.equipment)
                    if free or self._not_held_idle(region, line["category"])]
            d.equipment = kept if len(kept) >= LINES[ptype][0] else d.equipment
        return d

    def near_copy(self, i: int, prog: Program) -> Draft:
        """``prog``'s objectives copied near-verbatim (closeness ≥ 0.9) by another agency, under
        the program's title words."""
        rnd = self.rnd
        province = texts.site_of(prog.title)  # filed where the program pilots its work
        if province not in self.region_provinces:
            province = prog.province or self._place(self.filers[int(self.v["agency"][i])])
        agency = self._agency_in(province, prog.managing_agency)
        while agency.name == prog.managing_agency:
            agency = self._agency_in(province, prog.managing_agency)
        ptype = texts.type_of(prog.objectives)
        d = Draft(i, "program", agency, province, prog.technology_area, TYPES.index(ptype),
                  source=prog.program_code)
        core = texts.core_pair(d.area, texts.program_core(prog.title))
        prefix = voc.TYPES[ptype].title
        d.title = (f"{prefix[0]} {core[0]}", f"{prefix[1]} {core[1]}")
        self.titles.add(d.title[0])
        intensity = rnd.uniform(0.0, 0.1)
        d.objectives = mech.reword(prog.objectives, intensity, rnd)
        while mech.text_closeness(prog.objectives, d.objectives) < NEAR_VERBATIM:
            intensity /= 2  # a weaker rewording, down to the verbatim text
            d.objectives = mech.reword(prog.objectives, intensity if intensity > 0.01 else 0, rnd)
        d.closeness = mech.text_closeness(prog.objectives, d.objectives)
        d.equipment = self._equipment(d)
        return d

    def held(self, i: int, lab: Lab) -> Draft:
        """A lab-type proposal in ``lab``'s region, by another agency, requesting every
        equipment category the lab holds."""
        rnd = self.rnd
        region = self.region_provinces[lab.province]
        province = lab.province if rnd.random() < 0.6 else rnd.choice(region)
        agency = self._agency_in(province, lab.host)
        while agency.name == lab.host:
            agency = self._agency_in(province, lab.host)
        d = Draft(i, "lab", agency, province, lab.technology_area,
                  TYPES.index(rnd.choice(LAB_TYPES)), source=lab.lab_code)
        self.compose(d)
        cats = sorted({e.category for e in lab.equipment})
        d.equipment = [self._line(c, k) for k, c in enumerate(cats)]
        d.closeness = 1.0
        return d

    def cycle_copy(self, i: int, src: Draft, taken: list[str]) -> Draft:
        """A light rewording of ``src`` by an agency not in ``taken``, in another province."""
        self.v["intensity"][i] = self.rnd.uniform(0.0, 0.15)
        d = self.copy_draft(i, src)
        while d.agency.name in taken:
            d = self.copy_draft(i, src)
        return d

    def clean(self, i: int, ptype: str, lang: int = 0) -> Draft:
        """A well-planned proposal of ``ptype`` by a capable agency in its home province, on new
        work of an area of its own (a topic no registry program holds), buying only equipment
        that no under-used lab of the region holds."""
        v, rnd = self.v, self.rnd
        buys = LINES[TYPES.index(ptype)][1] > 0
        options = []
        for agency in (a for a in self.filers if a.name not in self.clean_agencies):
            for area in (a for a in agency.focus_areas if texts.fits(a, ptype)):
                cats = self._cats(area, ptype)
                region = reference.region_of(agency.home_province)
                idle = sorted(self.idle.get((region, c), 0.0) for c in cats)[:2]
                free = sum(1 for c in cats if self._not_held_idle(region, c)) if buys else 2
                taken = all(self.topics[t.topic[0]] for t in voc.area(area).novel_for(ptype))
                # First an area with a new topic no other clean proposal took, then equipment
                # nobody leaves idle nearby, then an area no clean proposal took, then a
                # capable agency; rounded, so that agencies about as good are drawn at random.
                options.append((taken, -min(free, 2), area in self.clean_areas,
                                agency.capability <= 0.5,
                                round(sum(idle) / max(len(idle), 1), 1), rnd.random(), area,
                                agency))
        options.sort(key=lambda o: o[:6])
        area, agency = options[0][-2:]
        self.clean_agencies.add(agency.name)
        self.clean_areas.add(area)
        d = Draft(i, "", agency, agency.home_province, area, TYPES.index(ptype))
        v["om_ratio"][i], v["shared"][i] = rnd.uniform(0.12, 0.2), True
        v["kpi_propensity"][i], v["n_kpi"][i] = 1.0, rnd.randint(3, 5)
        v["trl_target"][i] = min(9, int(v["trl_start"][i]) + rnd.randint(1, 2))
        v["n_res"][i], v["cofunding"][i] = rnd.randint(10, 16), rnd.uniform(0.1, 0.3)
        v["eq_share"][i] = min(float(v["eq_share"][i]), rnd.uniform(0.35, 0.55))
        self.compose(d, lang, novel=True)
        region = reference.region_of(d.province)
        cats = sorted(self._cats(area, ptype), key=lambda c: self.idle.get((region, c), 0.0))
        lo, hi = LINES[d.ptype]
        # Nothing free nearby: buy none when the type may go without, else the least idle.
        cats = [c for c in cats if self._not_held_idle(region, c)] or cats[:min(lo, 1)]
        d.equipment = [self._line(c, k) for k, c in enumerate(cats[:rnd.randint(lo, min(hi, 3))])]
        return d

    def _not_held_idle(self, region: str, category: str) -> bool:
        """No lab of ``region`` holding ``category`` is under-used (below ``UNDERUSED`` of its
        capacity), so buying one is no red flag."""
        return self.idle.get((region, category), 0.0) <= 1.0 - UNDERUSED

    def _free(self, region: str, area: str, ptype: int) -> list[str]:
        """The categories of ``area`` for type number ``ptype`` that no under-used lab of
        ``region`` holds."""
        return [c for c in self._cats(area, TYPES[ptype]) if self._not_held_idle(region, c)]

    def _cats(self, area: str, ptype: str) -> list[str]:
        cats = reg.area_categories(area)
        if TYPES.index(ptype) in CHEAP_TYPES:
            cats = [c for c in cats if reg.typical_cost(c) <= 2.5e9] or ["OTHER"]
        return cats
