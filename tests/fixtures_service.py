"""A small but real service for tests: a migrated SQLite database with a demo registry and
history, a trained (synthetic) model, API keys of every role and a cycle of formal submissions.

Built once per test session (about half a minute) and shared by every module that asks for it::

    @pytest.fixture(scope="session")
    def service(tmp_path_factory: pytest.TempPathFactory) -> ServiceSetup:
        return service_setup(tmp_path_factory)

Tests that change state (decisions, new submissions) should work on screenings they create, or
only assert what stays true whatever else ran before them.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from wastescreen.core.settings import Settings
from wastescreen.demo_portfolio import DemoPortfolio, generate_portfolio, write_portfolio
from wastescreen.domain.proposal import Proposal
from wastescreen.models.spec import BandThresholds
from wastescreen.screening.engine import load_engine
from wastescreen.screening.service import screen_proposal
from wastescreen.screening.training import register_bundle, train_bundle, training_set
from wastescreen.storage.api_keys import Role, create_key
from wastescreen.storage.database import Database, open_database
from wastescreen.storage.history import load_history, load_registry
from wastescreen.storage.screenings import ScreeningKind, new_id, save_screening

CYCLE = 2026
SUBMISSIONS = 60


@dataclass
class ServiceSetup:
    """What the fixture built. ``keys``: role name (or ``agency_a`` / ``agency_b``) -> API key."""

    settings: Settings
    db: Database
    portfolio: DemoPortfolio
    cycle: int
    keys: dict[str, str]
    agency_a: str
    agency_b: str
    screening_ids: list[str]
    titles: list[str]
    spare: list[Proposal] = field(default_factory=list)

    def add_agency_key(self, agency: str) -> str:
        """A new agency key for ``agency`` (e.g. one whose name is hostile text)."""
        with self.db.sessions() as s:
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


_LOCK = threading.Lock()
_BUILT: dict[str, ServiceSetup] = {}


def service_setup(tmp_path_factory: pytest.TempPathFactory) -> ServiceSetup:
    """The session's service (built on first use)."""
    with _LOCK:
        if "setup" not in _BUILT:
            _BUILT["setup"] = _build(tmp_path_factory.mktemp("service"))
        return _BUILT["setup"]


def _build(var_dir: Path) -> ServiceSetup:
    settings = Settings(var_dir=var_dir)
    db = open_database(settings)
    pf = generate_portfolio(57, n_labs=40, n_programs=300, n_proposals=1500)
    write_portfolio(db.engine, pf)
    with db.sessions() as s:
        tset = training_set(load_history(s), load_registry(s))
    register_bundle(settings.models_dir, train_bundle(tset, BandThresholds()), synthetic=True)

    recent = [p for p in pf.proposals if p.cycle >= max(q.cycle for q in pf.proposals) - 1]
    chosen = recent[:SUBMISSIONS]
    busiest = [a for a, _ in Counter(p.agency for p in chosen).most_common(2)]
    spare = recent[SUBMISSIONS:SUBMISSIONS + 40]
    ids, titles = [], []
    with db.sessions() as s:
        engine = load_engine(settings, s)
        for p in chosen:
            proposal = for_cycle(p)
            pid = new_id()
            result = screen_proposal(engine, proposal, pid)
            row = save_screening(s, proposal, pid, result, ScreeningKind.SUBMISSION,
                                 actor="fixture")
            engine.add_peer(pid, proposal)
            ids.append(row.id)
            titles.append(proposal.title)
        keys = {}
        for role in (Role.REVIEWER, Role.AUDITOR, Role.ADMIN):
            keys[role.value], _ = create_key(s, role, label="test")
        keys["agency_a"], _ = create_key(s, Role.AGENCY, agency=busiest[0], label="test")
        keys["agency_b"], _ = create_key(s, Role.AGENCY, agency=busiest[1], label="test")
    return ServiceSetup(settings=settings, db=db, portfolio=pf, cycle=CYCLE, keys=keys,
                        agency_a=busiest[0], agency_b=busiest[1], screening_ids=ids,
                        titles=titles, spare=spare)
