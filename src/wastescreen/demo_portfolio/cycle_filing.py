"""Filing the demo's current cycle: every proposal submitted and screened, then decided on.

Each proposal is filed through the use cases (``Screener.submit``) by its own agency, screened as
of its submission date, so a later filing is compared with the earlier ones of the cycle. Then
two named demo reviewers (:data:`vocabulary.REVIEWERS`) decide on part of the queue through
``Screener.decide``, with rationales that cite the evidence:

- half of the near-copies rejected (citing the program);
- equipment held nearby: sent back for revision, some of them then rejected (two decisions),
  two revised by their agency (the held equipment dropped for a shared-use agreement, each fired
  flag answered), so the queue shows revised versions beside the notes they answer;
- one duplicate cluster approved, then reopened by the head of the board (two decisions);
  another sent back for revision member by member;
- most clean proposals approved, one first sent back for its O&M plan (two decisions);
- ordinary ones by their band, at random: some low ones approved, medium ones sent back with
  the screening's first reason, high ones rejected; two high ones approved against the band
  (overrides) with a rationale.

The rest stays queued. Nothing here is real: agencies, proposals and reviewers are invented.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from wastescreen.core.settings import Settings
from wastescreen.demo_portfolio import vocabulary as voc
from wastescreen.demo_portfolio.current_cycle import (
    CURRENT_CYCLE,
    KINDS,
    CurrentCycle,
    generate_current_cycle,
)
from wastescreen.demo_portfolio.writer import demo_seed
from wastescreen.domain import Lab, Program
from wastescreen.domain.proposal import Proposal
from wastescreen.screening.engine import load_engine
from wastescreen.screening.review import cycles
from wastescreen.screening.revisions import fired
from wastescreen.screening.usecases import Actor, Screened, Screener
from wastescreen.storage.history import load_registry
from wastescreen.storage.revisions import FlagAnswer
from wastescreen.storage.screenings import Decision
from wastescreen.storage.tables import ScreeningRow

FILER = "demo-filing"
# The held-equipment cases (by their order) whose agency files a revised version, and the red
# flags about equipment held nearby (answered with the shared-use agreement).
REVISED_HELD = (0, 3)
HELD_FLAGS = ("RF04", "RF05")
APPROVE_LOW, REVISE_MEDIUM, REJECT_HIGH, OVERRIDES = 0.2, 0.15, 0.2, 2


@dataclass
class FilingReport:
    """What was filed: screening id by reference code, bands, and the decisions taken
    (``decided``: screenings with a decision; ``history``: those with more than one)."""

    cycle: int
    screening_ids: dict[str, str] = field(default_factory=dict)
    bands: Counter[str] = field(default_factory=Counter)
    agencies: int = 0
    decisions: Counter[str] = field(default_factory=Counter)
    decided: set[str] = field(default_factory=set)
    history: set[str] = field(default_factory=set)
    latest: dict[str, str] = field(default_factory=dict)
    revised: dict[str, str] = field(default_factory=dict)  # reference code -> new screening


class NotADemoDatabase(LookupError):
    """The database holds no demo portfolio (``wastescreen demo`` was not run on it)."""


def file_demo_cycle(settings: Settings, session: Session, *, n: int = 300,
                    progress: Callable[[int, int], None] | None = None) -> FilingReport | None:
    """Generate the current cycle from the registry in the database (agencies of the demo
    portfolio's seed) and file it; None when the cycle already has submissions. Raises
    ``NotADemoDatabase``, or ``ModelNotReady`` before anything is filed when no model is."""
    seed = demo_seed(session)
    if seed is None:
        raise NotADemoDatabase("no demo portfolio in this database: run `wastescreen demo`")
    if CURRENT_CYCLE in cycles(session, None):
        return None
    screener = Screener(load_engine(settings, session))
    screener.ready_engine()
    registry = load_registry(session)
    current = generate_current_cycle(seed, registry.labs, registry.programs, n=n)
    return file_current_cycle(session, screener, current, registry.labs, registry.programs,
                              seed=seed, progress=progress)


def file_current_cycle(session: Session, screener: Screener, current: CurrentCycle,
                       labs: list[Lab], programs: list[Program], *, seed: int,
                       progress: Callable[[int, int], None] | None = None) -> FilingReport:
    """File, screen and decide on ``current`` (``labs`` and ``programs``: the registry it was
    generated from, cited in the rationales)."""
    report = FilingReport(current.cycle)
    screened: dict[str, Screened] = {}
    for k, p in enumerate(current.proposals):
        s = screener.submit(session, p, Actor(FILER, agency=p.agency), as_of=p.submitted_on)
        screened[p.reference_code] = s
        report.screening_ids[p.reference_code] = s.row.id
        report.bands[s.result.band] += 1
        if progress is not None:
            progress(k + 1, len(current.proposals))
    report.agencies = len({p.agency for p in current.proposals})
    _Reviewers(session, screener, report, screened).run(
        current, {x.lab_code: x for x in labs}, {x.program_code: x for x in programs},
        random.Random(seed * 1000 + current.cycle))  # noqa: S311 - synthetic data
    return report


def shared_use_version(p: Proposal, lab: Lab) -> Proposal:
    """``p`` revised to use ``lab``'s equipment under a shared-use agreement: no equipment
    bought, the equipment budget (and the total) cut by what it was."""
    cut = p.budget.equipment_vnd
    return p.model_copy(update={
        "equipment": [], "total_budget_vnd": p.total_budget_vnd - cut,
        "budget": p.budget.model_copy(update={"equipment_vnd": 0}),
        "shared_use_plan": voc.REVISIONS["shared_use_plan"].format(code=lab.lab_code,
                                                                   host=lab.host)})


class _Reviewers:
    def __init__(self, session: Session, screener: Screener, report: FilingReport,
                 screened: dict[str, Screened]) -> None:
        self.session, self.screener, self.report, self.screened = (
            session, screener, report, screened)
        self.first, self.head = (Actor(name) for name in voc.REVIEWERS[:2])

    def decide(self, ref: str, decision: Decision, template: str, actor: Actor | None = None,
               /, **values: object) -> None:
        """Decide on the screening of reference code ``ref`` with rationale ``template``
        filled with ``values``, as ``actor`` (the first reviewer by default)."""
        row = self.session.get(ScreeningRow, self.report.screening_ids[ref])
        assert row is not None  # filed above, in this session
        rationale = voc.DECISIONS[template].format(**values)
        who = actor or self.first
        self.screener.decide(self.session, row, decision, rationale, who)
        if row.status == "awaiting_confirmation":
            # A high red flag fired: the other reviewer confirms the approval.
            other = self.head if who == self.first else self.first
            self.screener.decide(self.session, row, decision, voc.DECISIONS["confirm"], other)
            self.report.history.add(ref)
        if ref in self.report.decided:
            self.report.history.add(ref)
        self.report.decided.add(ref)
        self.report.decisions[decision.value] += 1
        self.report.latest[ref] = decision.value

    def run(self, current: CurrentCycle, labs: dict[str, Lab], programs: dict[str, Program],
            rnd: random.Random) -> None:
        copies, held, dups, clean = (current.of_kind(k) for k in KINDS)
        for k, c in enumerate(copies):
            if k % 2 == 0:
                prog = programs[c.source]
                self.decide(c.reference_code, Decision.REJECT, "reject_copy",
                            code=prog.program_code, name=prog.title, host=prog.managing_agency,
                            score=self._score(c.reference_code, prog.program_code))
        by_code = {p.reference_code: p for p in current.proposals}
        for k, c in enumerate(held):
            lab = labs[c.source]
            if k % 3 < 2:
                self.decide(c.reference_code, Decision.REVISE, "revise_held", code=lab.lab_code,
                            host=lab.host, province=lab.province, util=lab.utilisation or 0.0)
            if k in REVISED_HELD:
                self.revise(c.reference_code, shared_use_version(by_code[c.reference_code], lab),
                            lab)
            if k % 3 == 1:
                self.decide(c.reference_code, Decision.REJECT, "reject_held", self.head,
                            code=lab.lab_code)
        clusters: dict[str, list[str]] = {}
        for c in dups:
            clusters.setdefault(c.source, []).append(c.reference_code)
        agency = {p.reference_code: p.agency for p in current.proposals}
        for n, (_, members) in enumerate(sorted(clusters.items())[:2]):
            members.sort()
            if n == 0:
                self.decide(members[0], Decision.APPROVE, "approve")
                self.decide(members[0], Decision.REVISE, "reopen_duplicate", self.head,
                            code=members[1], agency=agency[members[1]])
                continue
            for m, code in enumerate(members):
                other = members[1 - m] if m < 2 else members[0]
                self.decide(code, Decision.REVISE, "revise_duplicate", code=other,
                            agency=agency[other])
        for k, c in enumerate(clean):
            if k == 8:
                self.decide(c.reference_code, Decision.REVISE, "revise_om")
                self.decide(c.reference_code, Decision.APPROVE, "approve_after", self.head)
            elif k < 8:
                self.decide(c.reference_code, Decision.APPROVE, "approve_clean")
        self._ordinary(current, rnd)

    def revise(self, ref: str, proposal: Proposal, lab: Lab) -> None:
        """File ``proposal`` as the revised version of ``ref`` (sent back), answering each flag
        that fired on it, as its agency."""
        row = self.session.get(ScreeningRow, self.report.screening_ids[ref])
        assert row is not None
        answers = [FlagAnswer(f, voc.REVISIONS["answer_held" if f in HELD_FLAGS
                                                else "answer_other"].format(
                                  code=lab.lab_code, host=lab.host))
                   for f in fired(row.result)]
        new = self.screener.revise(self.session, row, proposal, answers,
                                   Actor(FILER, agency=proposal.agency),
                                   as_of=proposal.submitted_on)
        self.report.revised[ref] = new.row.id

    def _ordinary(self, current: CurrentCycle, rnd: random.Random) -> None:
        overrides = 0
        for p in current.proposals:
            code = p.reference_code
            if code in current.planted:
                continue
            result = self.screened[code].result
            reason = result.reasons[0].text_vi if result.reasons else ""
            draw = rnd.random()
            if result.band == "high" and overrides < OVERRIDES:
                overrides += 1
                self.decide(code, Decision.APPROVE, "approve_override", self.head)
            elif result.band == "high" and draw < REJECT_HIGH and reason:
                self.decide(code, Decision.REJECT, "reject_reason", reason=reason)
            elif result.band == "medium" and draw < REVISE_MEDIUM and reason:
                self.decide(code, Decision.REVISE, "revise_reason", reason=reason)
            elif result.band == "low" and draw < APPROVE_LOW:
                self.decide(code, Decision.APPROVE, "approve")

    def _score(self, code: str, program_code: str) -> str:
        """The overlap score the screening found with the program, as a phrase ("" if none)."""
        for e in self.screened[code].result.evidence:
            if e.kind == "program" and e.code == program_code:
                return voc.DECISIONS["score"].format(score=e.score)
        return ""
