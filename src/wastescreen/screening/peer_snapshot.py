"""The same-cycle peers saved beside the registry snapshot, keyed by the submissions filed.

A submission is never changed or deleted once filed, so their number and the newest filing time
say which peers a snapshot holds. A submission superseded later (by a revised version) is taken
out on the engine's first catch-up with the database (``screening.catch_up`` compares every
submission then), as for an engine loaded from the database a moment earlier.

Saved under ``var/index/peers/``: one overlap index per cycle (the index's own format, no
pickle), and ``peers.json`` with the key, each peer's agency and evidence row, and the
superseded submissions.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wastescreen.features.overlap_index import OverlapIndex
from wastescreen.features.peers import PeerSet
from wastescreen.storage.tables import ProposalRow, as_utc

FORMAT = "wastescreen-peer-snapshot/1"
DIR = "peers"


def state_key(session: Session, kinds: tuple[str, ...]) -> dict[str, Any]:
    """How many proposals of ``kinds`` (the peer kinds) are filed and when the newest was."""
    count, newest = session.execute(select(func.count(), func.max(ProposalRow.created_at))
                                    .where(ProposalRow.kind.in_(kinds))).one()
    return {"format": FORMAT, "filed": int(count),
            "newest": as_utc(newest).isoformat() if newest else ""}


def save(index_dir: Path, key: dict[str, Any], peers: PeerSet,
         details: dict[str, dict[str, Any]], retired: set[str]) -> None:
    """Write the snapshot into a fresh folder, then put it in place of the old one (a reader
    meanwhile finds none and loads from the database)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=index_dir, prefix=".peers-"))
    try:
        for cycle, index in peers.indexes.items():
            if len(index):
                index.save(tmp / f"cycle-{cycle}")
        body = {"key": key, "agency_of": peers.agency_of, "details": details,
                "retired": sorted(retired),
                "cycles": [c for c, index in peers.indexes.items() if len(index)]}
        (tmp / "peers.json").write_text(json.dumps(body, ensure_ascii=False), "utf-8")
        tmp.chmod(0o755)
        target, old = index_dir / DIR, index_dir / f".peers-old-{tmp.name}"
        try:
            if target.exists():
                target.rename(old)
            tmp.rename(target)
        except OSError:
            pass  # another worker put its snapshot in place meanwhile: it is as good
    finally:
        for leftover in (tmp, index_dir / f".peers-old-{tmp.name}"):
            shutil.rmtree(leftover, ignore_errors=True)


def load(index_dir: Path, key: dict[str, Any]
         ) -> tuple[PeerSet, dict[str, dict[str, Any]], set[str]] | None:
    """(peers, their evidence rows, superseded ids) when a snapshot of ``key`` is saved."""
    folder = index_dir / DIR
    try:
        body = json.loads((folder / "peers.json").read_text("utf-8"))
        if body.get("key") != key:
            return None
        indexes = {int(c): OverlapIndex.load(folder / f"cycle-{c}") for c in body["cycles"]}
        peers = PeerSet(indexes=indexes, agency_of=dict(body["agency_of"]))
        return peers, dict(body["details"]), set(body["retired"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return None  # written by something else, cut short or hand-edited: not trusted
