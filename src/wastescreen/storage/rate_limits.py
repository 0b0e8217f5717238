"""Rate limits kept in the database, so that every worker counts against the same limit.

A counter per bucket (``key:3`` for an API key, ``auth-fail:ADDRESS`` for failed key checks
from one client address) and per fixed window of ``WINDOW_S`` seconds; one
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` counts a request atomically on SQLite and
PostgreSQL alike. A fixed window lets up to twice the limit through around a window's end:
a simpler rule than a token bucket, and enough to stop a flood.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from wastescreen.storage.dialect import upsert_insert
from wastescreen.storage.tables import RateCounterRow, table_of

WINDOW_S = 60
_TABLE = table_of(RateCounterRow)
_HIT: dict[str, Any] = {}  # the counting upsert by dialect name (_hit_statement)
# The table's columns, not the mapped class's: a statement of ORM attributes goes through the
# ORM's compile and loading steps (twice the CPU of this small query) for no gain.
_COUNT = select(_TABLE.c.count).where(_TABLE.c.bucket == bindparam("bucket"),
                                      _TABLE.c.window_no == bindparam("window_no"))


# The count of ``bucket`` in window ``window_no`` as a column another statement carries: the key
# check reads its caller's address's failures with the key, in one round trip.
COUNT_COLUMN = _COUNT.scalar_subquery().label("window_count")


def count_params(bucket: str, now: float) -> dict[str, Any]:
    """The parameters of ``COUNT_COLUMN`` for ``bucket`` in the window of ``now``."""
    return {"bucket": bucket[:200], "window_no": _window(now)}


def wait_over(count: int | None, limit: int, now: float) -> float:
    """0 while ``count`` (None: nothing counted) is under ``limit``, otherwise the seconds
    until the window of ``now`` ends."""
    return 0.0 if count is None or count < limit else _wait(now)


def _window(now: float) -> int:
    return int(now // WINDOW_S)


def _wait(now: float) -> float:
    """Seconds until the current window ends."""
    return (_window(now) + 1) * WINDOW_S - now


def _hit_statement(session: Session) -> Any:
    """The counting upsert of the session's dialect, built once per dialect (a statement built
    per request costs more than running it)."""
    name = session.get_bind().dialect.name
    stmt = _HIT.get(name)
    if stmt is None:
        stmt = upsert_insert(session, _TABLE).values(
            bucket=bindparam("bucket"), window_no=bindparam("window_no"), count=1)
        stmt = _HIT[name] = stmt.on_conflict_do_update(
            index_elements=["bucket", "window_no"], set_={"count": _TABLE.c.count + 1}
        ).returning(_TABLE.c.count)
    return stmt


def hit(session: Session, bucket: str, limit: int, *, now: float | None = None) -> float:
    """Count one request in ``bucket``: 0 when it is within ``limit`` for the current window,
    otherwise the seconds until the window ends. Commits."""
    now = time.time() if now is None else now
    params = count_params(bucket, now)
    window = params["window_no"]
    count = int(session.execute(_hit_statement(session), params).scalar_one())
    if count == 1:  # a new window for this bucket: drop every finished window's counters
        session.execute(delete(_TABLE).where(_TABLE.c.window_no < window - 1))
    session.commit()
    return 0.0 if count <= limit else _wait(now)


def exceeded(session: Session, bucket: str, limit: int, *, now: float | None = None) -> float:
    """Without counting: 0 while ``bucket`` is under ``limit`` in the current window, otherwise
    the seconds until the window ends."""
    now = time.time() if now is None else now
    return wait_over(session.execute(_COUNT, count_params(bucket, now)).scalar_one_or_none(),
                     limit, now)
