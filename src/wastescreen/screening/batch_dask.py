"""Screening a batch on a Dask cluster: every worker screens its chunks in bulk, as the local path.

Only plain data crosses the wire (the settings as JSON, the day as ISO text, proposals as
JSON-mode dicts); each worker process loads its engine once from the shared database and
``var`` folder, so every worker must see the same database URL and files as the client. The
client fixes the day (``as_of``) for every worker, so a batch screened across midnight is
still screened on one day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from wastescreen.core.labels.messages import Msg, msg
from wastescreen.core.memory import keep_freed_memory
from wastescreen.core.settings import Settings
from wastescreen.domain.proposal import Proposal
from wastescreen.screening.batch import BatchRow, error_row
from wastescreen.screening.bulk import CHUNK as BULK_CHUNK
from wastescreen.screening.bulk import screen_bulk
from wastescreen.screening.engine import load_engine
from wastescreen.screening.usecases import Screener
from wastescreen.storage.database import open_database

_SCREENERS: dict[str, Screener] = {}
CHUNK = BULK_CHUNK  # rows per task: each is screened in bulk


class ClusterUnavailable(RuntimeError):
    """Dask's ``distributed`` package is not installed; ``message`` says how to install it."""

    def __init__(self, message: Msg) -> None:
        super().__init__(str(message))
        self.message = message


def _screener(settings_json: str) -> Screener:
    screener = _SCREENERS.get(settings_json)
    if screener is None:
        # Dask's nanny starts workers with a 64 KiB trim threshold, which makes every large
        # array of a chunk fresh pages (a quarter of the bulk path's time, measured).
        keep_freed_memory()
        settings = Settings.model_validate_json(settings_json)
        db = open_database(settings, migrate=False)
        with db.sessions() as session:
            screener = Screener(load_engine(settings, session, compiled=True))
        _SCREENERS[settings_json] = screener
    return screener


def screen_chunk(settings_json: str, as_of: str, chunk: list[tuple[int, dict[str, Any]]]
                 ) -> list[dict[str, Any]]:
    """Runs on a worker: screen ``(row number, proposal JSON)`` pairs in bulk on day
    ``as_of`` (ISO)."""
    engine = _screener(settings_json).ready_engine()
    return screen_bulk(engine, [Proposal.model_validate(payload) for _, payload in chunk],
                       [row for row, _ in chunk], as_of=dt.date.fromisoformat(as_of))


def screen_rows_on_cluster(address: str, settings: Settings, rows: Sequence[BatchRow], *,
                           as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """Screen the valid rows on the scheduler at ``address``; output in input order.
    ``as_of``: the day of every row's screening (default today, UTC)."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise ClusterUnavailable(msg("cluster_extra_missing")) from exc

    settings_json = settings.model_dump_json()
    day = (as_of or dt.datetime.now(dt.UTC).date()).isoformat()
    valid = [(r.row, r.proposal.model_dump(mode="json")) for r in rows if r.proposal is not None]
    with Client(address, timeout="30s") as client:  # type: ignore[no-untyped-call]
        workers = max(1, len(client.scheduler_info()["workers"]))
        # At least two chunks per worker so every worker gets a share, at most CHUNK rows each.
        size = max(1, min(CHUNK, -(-len(valid) // (2 * workers))))
        chunks = [valid[i:i + size] for i in range(0, len(valid), size)]
        # The chunks go to the workers as data (scatter), not inside the task graph.
        data = client.scatter(chunks, hash=False)  # no token of every proposal: random keys
        futures = client.map(screen_chunk, [settings_json] * len(chunks), [day] * len(chunks),
                             data, pure=False)
        done = {item["row"]: item for part in client.gather(futures) for item in part}
    return [done[r.row] if r.proposal is not None else error_row(r) for r in rows]
