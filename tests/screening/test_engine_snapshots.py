"""An engine loaded from the saved snapshots screens exactly as one loaded from the database,
and a snapshot is used only while the database is in the state it was saved from."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.demo_service import AGENCY_A, DemoService, for_cycle
from wastescreen.core.canonical import canonical_json
from wastescreen.domain.proposal import Proposal
from wastescreen.screening import context_snapshot, peer_snapshot
from wastescreen.screening import engine as engine_module
from wastescreen.screening.engine import PEER_KINDS, ScreeningEngine, load_engine
from wastescreen.screening.service import screen_and_record
from wastescreen.screening.usecases import Actor, Screener
from wastescreen.storage.registry_store import record_revision

AS_OF = dt.date(2025, 12, 1)


def _drop(index_dir: Path) -> None:
    (index_dir / context_snapshot.FILE).unlink(missing_ok=True)
    shutil.rmtree(index_dir / peer_snapshot.DIR, ignore_errors=True)


def _load(service: DemoService) -> ScreeningEngine:
    with service.db.sessions() as session:
        return load_engine(service.settings, session)


def _results(engine: ScreeningEngine, proposals: list[Proposal]) -> list[str]:
    return [canonical_json(screen_and_record(engine, p, f"p{i}", as_of=AS_OF)[0]
                           .model_dump(mode="json")) for i, p in enumerate(proposals)]


def test_an_engine_from_snapshots_screens_bit_for_bit_as_one_from_the_database(
        service: DemoService, monkeypatch: pytest.MonkeyPatch) -> None:
    index_dir = service.settings.index_dir
    _drop(index_dir)
    from_db = _load(service)
    assert (index_dir / context_snapshot.FILE).exists()
    assert (index_dir / peer_snapshot.DIR / "peers.json").exists()

    def no_database(*_: object, **__: object) -> None:
        raise AssertionError("loaded from the database although the snapshots are current")

    with monkeypatch.context() as m:
        m.setattr(engine_module, "load_registry", no_database)
        m.setattr(engine_module, "load_peers", no_database)
        from_snapshots = _load(service)
    pool = service.portfolio.proposals
    proposals = [for_cycle(p, agency=AGENCY_A) if i % 3 == 0 else for_cycle(p) if i % 3 == 1
                 else p for i, p in enumerate(pool[:: max(len(pool) // 60, 1)][:60])]
    assert _results(from_snapshots, proposals) == _results(from_db, proposals)
    assert from_snapshots.peers.agency_of == from_db.peers.agency_of
    assert from_snapshots.peer_details == from_db.peer_details
    assert from_snapshots.retired == from_db.retired
    for name in ("labs", "programs", "history"):
        pd.testing.assert_frame_equal(getattr(from_snapshots.context, name),
                                      getattr(from_db.context, name), check_exact=True)
    assert from_snapshots.context.snapshot == from_db.context.snapshot
    assert from_snapshots.context.history_recorded_by == from_db.context.history_recorded_by


def test_a_registry_change_makes_the_context_snapshot_stale(service: DemoService) -> None:
    index_dir = service.settings.index_dir
    first = _load(service)
    with service.db.sessions() as s:
        record_revision(s, "test: a registry change made elsewhere")
        s.commit()
    with service.db.sessions() as s:
        key = context_snapshot.state_key(s)
    assert key["registry_revision"] == first.context.snapshot + 1
    assert context_snapshot.load(index_dir, key) is None  # stale: not used
    again = _load(service)
    assert again.context.snapshot == key["registry_revision"]
    saved = json.loads((index_dir / context_snapshot.FILE).read_text("utf-8"))
    assert saved["key"] == key  # saved again for the new state


def test_a_new_submission_makes_the_peer_snapshot_stale(service: DemoService) -> None:
    index_dir = service.settings.index_dir
    _load(service)
    with service.db.sessions() as s:
        before = peer_snapshot.state_key(s, PEER_KINDS)
    assert peer_snapshot.load(index_dir, before) is not None
    proposal = for_cycle(service.portfolio.proposals[3], agency=AGENCY_A,
                         title="A submission filed after the snapshot was saved")
    with service.db.sessions() as s:
        Screener(_load(service)).submit(s, proposal, Actor("snapshot-test"))
    with service.db.sessions() as s:
        after = peer_snapshot.state_key(s, PEER_KINDS)
    assert after["filed"] == before["filed"] + 1
    assert peer_snapshot.load(index_dir, after) is None
    engine = _load(service)
    assert len(engine.peers.agency_of) == len(_load(service).peers.agency_of)
    assert peer_snapshot.load(index_dir, after) is not None


def test_an_unreadable_snapshot_is_rebuilt_not_trusted(service: DemoService) -> None:
    index_dir = service.settings.index_dir
    _load(service)
    (index_dir / context_snapshot.FILE).write_text("{not json", "utf-8")
    (index_dir / peer_snapshot.DIR / "peers.json").write_text("[]", "utf-8")
    engine = _load(service)
    with service.db.sessions() as s:
        assert context_snapshot.load(index_dir, context_snapshot.state_key(s)) is not None
        assert peer_snapshot.load(index_dir, peer_snapshot.state_key(s, PEER_KINDS)) is not None
    assert len(engine.context.programs) > 0


def test_workers_saving_the_peer_snapshot_at_once_leave_one_readable_snapshot(
        service: DemoService, tmp_path: Path) -> None:
    import threading

    engine = _load(service)
    with service.db.sessions() as s:
        key = peer_snapshot.state_key(s, PEER_KINDS)
    errors: list[BaseException] = []

    def save() -> None:
        try:
            for _ in range(5):
                peer_snapshot.save(tmp_path, key, engine.peers, engine.peer_details,
                                   engine.retired)
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=save) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    loaded = peer_snapshot.load(tmp_path, key)
    assert loaded is not None and loaded[0].agency_of == engine.peers.agency_of
    assert [p.name for p in tmp_path.iterdir()] == [peer_snapshot.DIR]  # nothing left over
