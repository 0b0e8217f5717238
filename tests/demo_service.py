"""The one demo service of the test session, shared by the API, page, browser and batch tests.

A migrated SQLite database under a temp folder with a small demo portfolio, a model trained on
it and promoted, a budget cycle of formal submissions filed through the use cases, and API keys
of every role. Built once per session (the ``service`` fixture in ``conftest.py``).

Tests that change state (decisions, new submissions, registry writes) should work on screenings
they create, or only assert what stays true whatever else ran before them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from wastescreen.core.settings import Settings
from wastescreen.demo_portfolio import DemoPortfolio, generate_portfolio, write_portfolio
from wastescreen.domain.proposal import Proposal
from wastescreen.screening.engine import load_engine
from wastescreen.screening.training import train_and_register
from wastescreen.screening.usecases import Actor, Screener
from wastescreen.storage.agencies import add_agency, ensure_agencies, sync_registry_agencies
from wastescreen.storage.api_keys import Role, create_key
from wastescreen.storage.audit_log import append_event
from wastescreen.storage.database import Database, open_database

CYCLE = 2026
SUBMISSIONS = 60
# The two agencies with the most submissions in the cycle are filed under these names, so the
# tests can name them.
AGENCY_A = "Viện Công nghệ Mẫu 07"
AGENCY_B = "Trường Đại học Minh họa 3"
FIXTURE = Actor("fixture")


@dataclass
class DemoService:
    """What the fixture built. ``keys``: role name, or ``agency_a`` / ``agency_b`` -> API key."""

    settings: Settings
    db: Database
    portfolio: DemoPortfolio
    model_version: str
    cycle: int
    keys: dict[str, str]
    screening_ids: list[str]
    titles: list[str]
    spare: list[Proposal] = field(default_factory=list)
    agency_a: str = AGENCY_A
    agency_b: str = AGENCY_B

    def __repr__(self) -> str:  # the portfolio would make it megabytes (hypothesis prints it)
        return f"DemoService({self.settings.var_dir}, model {self.model_version})"

    def auth(self, who: str) -> dict[str, str]:
        """The Authorization header of key ``who``."""
        return {"Authorization": f"Bearer {self.keys[who]}"}

    def add_agency_key(self, agency: str) -> str:
        """A new agency key for ``agency`` (e.g. one whose name is hostile text), made known
        first."""
        with self.db.sessions() as s:
            add_agency(s, agency, actor="test")
            key, _ = create_key(s, Role.AGENCY, agency=agency, label="test")
        return key


def for_cycle(p: Proposal, cycle: int = CYCLE, **changes: object) -> Proposal:
    """``p`` moved to budget ``cycle`` (dates shifted alike), with ``changes`` applied."""
    start = dt.date(cycle, 3, 1)
    data = p.model_dump(mode="json")
    data.update({"cycle": cycle, "submitted_on": dt.date(cycle - 1, 10, 1).isoformat(),
                 "start_date": start.isoformat(), "end_date": None})
    data.update(changes)
    return Proposal.model_validate(data)


def varied_proposals(demo: DemoService, n: int) -> list[Proposal]:
    """``n`` different proposals of the demo portfolio: most moved to the cycle with filed
    peers (every fifth of those under ``AGENCY_A``, which filed there), every seventh left in
    its own past cycle."""
    pool = demo.portfolio.proposals
    step = max(len(pool) // n, 1)
    out = []
    for i, p in enumerate(pool[::step][:n]):
        if i % 7 == 0:
            out.append(p)
        else:
            out.append(for_cycle(p, agency=AGENCY_A) if i % 5 == 0 else for_cycle(p))
    return out


def build_demo_service(var_dir: Path, database_url: str = "") -> DemoService:
    """Create the service under ``var_dir`` (models, index), its data in ``database_url`` (a
    SQLite file under ``var_dir`` when empty)."""
    # Limits far above what the tests send: the counters are in the shared database, and each
    # test of a limit sets a low one on its own app, with its own key or client address.
    settings = Settings(var_dir=var_dir, database_url=database_url,
                        rate_limit_per_minute=1_000_000, auth_failures_per_minute=1_000_000)
    db = open_database(settings)
    pf = generate_portfolio(57, n_labs=60, n_programs=600, n_proposals=2500)
    write_portfolio(db.engine, pf)
    with db.sessions() as s:
        append_event(s, actor="test", action="registry.demo_seed", subject="seed:57", details={})
        sync_registry_agencies(s)  # as `wastescreen demo` does
        ensure_agencies(s, (AGENCY_A, AGENCY_B), "demo")
        s.commit()
    version = train_and_register(settings, db)
    assert version is not None

    recent = [p for p in pf.proposals if p.cycle >= max(q.cycle for q in pf.proposals) - 1]
    chosen = recent[:SUBMISSIONS]
    busiest = [a for a, _ in Counter(p.agency for p in chosen).most_common(2)]
    named = {busiest[0]: AGENCY_A, busiest[1]: AGENCY_B}
    ids, titles = [], []
    with db.sessions() as s:
        screener = Screener(load_engine(settings, s))
        for p in chosen:
            proposal = for_cycle(p, agency=named.get(p.agency, p.agency))
            ids.append(screener.submit(s, proposal, FIXTURE).row.id)
            titles.append(proposal.title)
        keys = {}
        for role in (Role.REVIEWER, Role.AUDITOR, Role.ADMIN):
            keys[role.value], _ = create_key(s, role, label=role.value)
        keys["agency_a"], _ = create_key(s, Role.AGENCY, agency=AGENCY_A, label="agency_a")
        keys["agency_b"], _ = create_key(s, Role.AGENCY, agency=AGENCY_B, label="agency_b")
    return DemoService(settings=settings, db=db, portfolio=pf, model_version=version,
                       cycle=CYCLE, keys=keys, screening_ids=ids, titles=titles,
                       spare=recent[SUBMISSIONS:SUBMISSIONS + 40])
