"""The SQL statements a piece of work sends to a database, as the tests that count them read
them (whitespace collapsed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event


def statements_sent(engine: Engine, run: Callable[[], object]) -> list[str]:
    """The statements ``run`` sends through ``engine``, in order."""
    sent: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return sent
