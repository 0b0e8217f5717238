"""Pre-checks through the app in this process (straight ASGI calls: no sockets, no HTTP client
library), for the benchmarks that time or profile them: a var folder, an API key that does not
outlive the run, and proposals that all differ (so that nothing keyed by the input could answer
one from another).

Not a benchmark itself (the Makefile's ``bench`` target leaves ``*_driver.py`` out).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import ROOT

PRECHECKS = "/v1/prechecks"


@contextlib.contextmanager
def var_folder(var: Path | None) -> Iterator[Path]:
    """``var`` when given, else a small demo set-up built in a temporary folder."""
    if var is not None:
        yield var
        return
    with tempfile.TemporaryDirectory() as tmp:
        from tests.demo_service import build_demo_service

        built = Path(tmp) / "var"
        build_demo_service(built)
        yield built


def use_var(var: Path) -> None:
    """Point this process's settings at ``var`` (no rate limit: the benchmark is one client)."""
    os.environ["WASTESCREEN_VAR_DIR"] = str(var)
    os.environ["WASTESCREEN_RATE_LIMIT_PER_MINUTE"] = "1000000000"
    from wastescreen.core.settings import get_settings

    get_settings.cache_clear()


@contextlib.contextmanager
def reviewer_key(label: str) -> Iterator[str]:
    """A reviewer key for the run, revoked afterwards (the database may be one a service
    uses)."""
    from wastescreen.core.settings import Settings
    from wastescreen.storage.api_keys import Role, create_key, revoke_key
    from wastescreen.storage.database import open_database

    db = open_database(Settings())
    try:
        with db.sessions() as session:
            key, row = create_key(session, Role.REVIEWER, label=label, actor="bench")
            key_id = row.id
        yield key
    finally:
        with db.sessions() as session:
            revoke_key(session, key_id, actor="bench")
        db.dispose()


def example_body() -> str:
    return (ROOT / "examples" / "proposal.json").read_text("utf-8")


def proposal_bodies(n: int, cycle: int | None = None) -> list[str]:
    """``n`` different proposals as JSON bodies: the example, then historical proposals of the
    database moved to budget ``cycle`` (default the example's)."""
    from sqlalchemy import select

    from wastescreen.core.settings import Settings
    from wastescreen.storage.database import open_database
    from wastescreen.storage.tables import ProposalRow

    first = json.loads(example_body())
    cycle = cycle or int(first["cycle"])
    db = open_database(Settings())
    with db.sessions() as session:
        payloads = list(session.execute(
            select(ProposalRow.payload).where(ProposalRow.kind == "historical")
            .order_by(ProposalRow.id).limit(max(n - 1, 0))).scalars())
    db.dispose()
    bodies = [json.dumps(first, ensure_ascii=False)]
    for payload in payloads:
        bodies.append(json.dumps(moved(payload, cycle), ensure_ascii=False))
    if len(bodies) < n:
        raise SystemExit(f"only {len(bodies)} proposals in the database, {n} asked for")
    if len(set(bodies)) != len(bodies):
        raise SystemExit("two of the benchmark's proposals are the same")
    return bodies


def moved(payload: dict[str, Any], cycle: int) -> dict[str, Any]:
    """A proposal's JSON moved to budget ``cycle``: every date shifted by the same number of
    years."""
    years = cycle - int(payload["cycle"])

    def shift(day: str | None) -> str | None:
        if not day:
            return day
        d = dt.date.fromisoformat(day)
        return d.replace(year=d.year + years, day=min(d.day, 28)).isoformat()

    data = dict(payload, cycle=cycle)
    for name in ("submitted_on", "start_date", "end_date"):
        data[name] = shift(data.get(name))
    data["kpis"] = [dict(k, deadline=shift(k.get("deadline"))) for k in data.get("kpis", [])]
    return data


@dataclass
class Answer:
    status_code: int
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body)


class AsgiClient:
    """Requests straight into an ASGI app (no sockets, no HTTP client library): what is timed
    is the app's own work, and the same for every route measured."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> Answer:
        raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": "POST", "scheme": "http", "path": path,
                 "raw_path": path.encode("ascii"), "query_string": b"", "root_path": "",
                 "headers": [(b"host", b"bench"), (b"content-length", str(len(body)).encode()),
                             *raw],
                 "client": ("127.0.0.1", 50000), "server": ("bench", 80)}
        sent = False
        status = 0
        parts: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.Event().wait()  # the client never disconnects
            raise AssertionError("unreachable")

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return Answer(status, b"".join(parts))


@contextlib.asynccontextmanager
async def client(app: Any) -> AsyncIterator[AsgiClient]:
    """A client of ``app`` in process, with the app's lifespan started."""
    async with app.router.lifespan_context(app):
        yield AsgiClient(app)


def headers(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}


async def post(c: AsgiClient, path: str, body: str, key: str) -> Answer:
    answer = await c.post(path, body.encode("utf-8"), headers(key))
    if answer.status_code != 201:
        raise RuntimeError(f"{path} answered {answer.status_code}: {answer.text[:500]}")
    return answer
