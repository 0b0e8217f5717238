"""The current budget cycle of the demo: about 300 proposals to screen, with planted cases.

The cycle after the history (``registry_gen.LAST_YEAR + 1``), filed by 40-odd of the demo's
fictional agencies (institutes, universities and provincial departments) across every area and
project type, built from the registry as it stands (labs and programs read from the database).
Most proposals are ordinary: drawn like the history's original proposals, so their quality
varies. Planted among them, each with a reference code that says what it is:

- ``DEMO-{cycle}-COPY-NN``: a near-verbatim copy (closeness ≥ 0.9) of an ongoing or planned
  registry program's objectives, filed by another agency;
- ``DEMO-{cycle}-HELD-NN``: equipment already held by an under-used lab, open for shared use,
  in the same region (utilisation below :data:`UNDER_USED`);
- ``DEMO-{cycle}-DUP-NNX``: cluster NN of same-cycle duplicates, member X (A, B, ...), filed by
  different agencies in different provinces;
- ``DEMO-{cycle}-CLEAN-NN``: a well-planned proposal (measurable KPIs, a small TRL step, O&M
  budget and a shared-use plan, equipment nobody nearby leaves idle, a capable agency), two of
  each project type.

Ordinary ones are ``DEMO-{cycle}-NNNN``. A few proposals are written in English. Titles are all
different except within a duplicate cluster and between a copy and its program.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np

from wastescreen.demo_portfolio import registry_gen as reg
from wastescreen.demo_portfolio import texts
from wastescreen.demo_portfolio.cycle_builder import CycleBuilder
from wastescreen.demo_portfolio.proposals_gen import TYPES, Draft
from wastescreen.domain import Lab, Program, Proposal
from wastescreen.domain.registry import ProgramStatus

CURRENT_CYCLE = reg.LAST_YEAR + 1
UNDER_USED = 0.35
N_COPIES, N_HELD, CLUSTER_SIZES, N_CLEAN_PER_TYPE, N_ENGLISH = 12, 10, (4, 3, 3, 2, 2, 2), 2, 8
KINDS = ("near_copy", "held_equipment", "cycle_duplicate", "clean")


@dataclass(frozen=True)
class Planted:
    """A planted case: ``kind`` (one of :data:`KINDS`) and ``source``: the program code, the lab
    code, the cluster ("DUP-03") or, for a clean one, its project type."""

    reference_code: str
    kind: str
    source: str


@dataclass
class CurrentCycle:
    """The proposals in filing order (submission date), the planted cases by reference code and
    the reference codes of the proposals written in English."""

    cycle: int
    proposals: list[Proposal]
    planted: dict[str, Planted] = field(default_factory=dict)
    english: set[str] = field(default_factory=set)

    def of_kind(self, kind: str) -> list[Planted]:
        return [p for p in self.planted.values() if p.kind == kind]


def live_programs(programs: list[Program]) -> list[Program]:
    """Programs still running or about to start: ongoing or planned."""
    return [p for p in programs if p.status in (ProgramStatus.ONGOING, ProgramStatus.PLANNED)]


def under_used_labs(labs: list[Lab], cycle: int) -> list[Lab]:
    """Labs open for shared use, under-used, established before ``cycle``; least used first."""
    found = [x for x in labs if x.open_for_shared_use and (x.utilisation or 0.0) < UNDER_USED
             and x.year_established < cycle and x.equipment]
    return sorted(found, key=lambda x: (x.utilisation or 0.0, x.lab_code))


def generate_current_cycle(seed: int, labs: list[Lab], programs: list[Program], *,
                           n: int = 300, cycle: int = CURRENT_CYCLE) -> CurrentCycle:
    """``n`` proposals of ``cycle`` against this registry; the agencies are the demo portfolio's
    of ``seed``, the draws of the cycle come from their own stream of the same seed."""
    _, rnd = reg.seeded(seed)
    registry = reg.Registry(reg.make_agencies(rnd), labs, programs, [])
    b = CycleBuilder(n, registry, np.random.default_rng([seed, cycle]), cycle)
    planted: dict[int, tuple[str, str, str]] = {}  # draft index -> (code, kind, source)
    drafts: list[Draft] = []

    def add(d: Draft, code: str, kind: str, source: str) -> None:
        drafts.append(d)
        planted[d.i] = (code, kind, source)

    for k, prog in enumerate(b.rnd.sample(_spread(live_programs(programs), b.rnd),
                                          min(N_COPIES, len(live_programs(programs))))):
        add(b.near_copy(len(drafts), prog), f"COPY-{k + 1:02d}", KINDS[0], prog.program_code)
    held = under_used_labs(labs, cycle)
    for k in range(N_HELD if held else 0):
        lab = held[k % len(held)]
        add(b.held(len(drafts), lab), f"HELD-{k + 1:02d}", KINDS[1], lab.lab_code)
    for c, size in enumerate(CLUSTER_SIZES, start=1):
        first = b.original(len(drafts))
        add(first, f"DUP-{c:02d}A", KINDS[2], f"DUP-{c:02d}")
        for m in range(1, size):
            copy = b.cycle_copy(len(drafts), first, [d.agency.name for d in drafts
                                                     if planted[d.i][2] == f"DUP-{c:02d}"])
            add(copy, f"DUP-{c:02d}{chr(65 + m)}", KINDS[2], f"DUP-{c:02d}")
    for t, ptype in enumerate(TYPES):
        for m in range(N_CLEAN_PER_TYPE):
            lang = texts.EN if (t, m) == (3, 1) else 0  # one clean research task in English
            add(b.clean(len(drafts), ptype, lang), f"CLEAN-{t * N_CLEAN_PER_TYPE + m + 1:02d}",
                KINDS[3], ptype)
    areas = reg.area_codes()  # every area at least once
    english = set(b.rnd.sample(range(len(drafts), n), min(N_ENGLISH, n - len(drafts))))
    for j, i in enumerate(range(len(drafts), n)):
        drafts.append(b.original(i, area=areas[j] if j < len(areas) else None,
                                 lang=texts.EN if i in english else 0))
    for d in drafts:
        b.finish(d)
        if d.lang == texts.EN:
            b.in_english(d)
    drafts.sort(key=lambda d: (d.payload["submitted_on"], d.i))
    out = CurrentCycle(cycle, [])
    serial = 0
    for d in drafts:
        if d.i in planted:
            tag, kind, source = planted[d.i]
            code = f"DEMO-{cycle}-{tag}"
            out.planted[code] = Planted(code, kind, source)
        else:
            serial += 1
            code = f"DEMO-{cycle}-{serial:04d}"
        if d.lang == texts.EN:
            out.english.add(code)
        out.proposals.append(Proposal.model_validate({**d.payload, "reference_code": code}))
    return out


def _spread(programs: list[Program], rnd: random.Random) -> list[Program]:
    """One program per (area, title words) — copies of different programs never share a title
    — shuffled, so the copies cover many areas."""
    seen: set[str] = set()
    out = []
    for p in sorted(programs, key=lambda p: p.program_code):
        core = texts.program_core(p.title)
        if core not in seen:
            seen.add(core)
            out.append(p)
    rnd.shuffle(out)
    return out


