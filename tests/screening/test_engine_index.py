"""The registry's overlap index is built once, saved, reused at start-up, rebuilt when stale."""

from __future__ import annotations

import json

from tests.demo_service import DemoService
from wastescreen.screening.engine import load_engine
from wastescreen.storage.database import open_database
from wastescreen.storage.registry_store import record_revision


def test_index_is_saved_reused_and_rebuilt_on_a_new_revision(service: DemoService) -> None:
    settings = service.settings
    db = open_database(settings, migrate=False)
    with db.sessions() as s:
        first = load_engine(settings, s)
    meta = settings.index_dir / "snapshot.json"
    saved = {p.name: p.stat().st_mtime_ns for p in (settings.index_dir / "registry").iterdir()}
    assert json.loads(meta.read_text("utf-8"))["registry_revision"] == first.context.snapshot
    with db.sessions() as s:
        again = load_engine(settings, s)
    assert len(again.context.index) == len(first.context.index)
    assert saved == {p.name: p.stat().st_mtime_ns
                     for p in (settings.index_dir / "registry").iterdir()}  # loaded, not rebuilt
    with db.sessions() as s:
        record_revision(s, "test: a registry change made elsewhere")
        s.commit()
    with db.sessions() as s:
        rebuilt = load_engine(settings, s)
    assert rebuilt.context.snapshot == first.context.snapshot + 1
    assert json.loads(meta.read_text("utf-8"))["registry_revision"] == rebuilt.context.snapshot
    db.dispose()
