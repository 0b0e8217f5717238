"""Exceptions as the log may hold them: what failed and where, never the data it failed on.

The message of a database error carries the statement, its parameters and, on PostgreSQL, a
``CONTEXT`` line quoting the value it refused: a proposal's text, a key, a person's name. So the
log keeps the exception types (the chain, and the driver's error class and SQLSTATE code) and
the frames of the traceback (file, line, function), and no message.
"""

from __future__ import annotations

import traceback

MAX_FRAMES = 12


def _one(exc: BaseException) -> str:
    kind = f"{type(exc).__module__}.{type(exc).__qualname__}"
    orig = getattr(exc, "orig", None)  # SQLAlchemy's wrapper of a driver error
    if isinstance(orig, BaseException):
        code = getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None)
        kind += f" ({type(orig).__module__}.{type(orig).__qualname__}"
        kind += f", {code})" if code else ")"
    return kind


def exception_summary(exc: BaseException) -> str:
    """``exc`` and the exceptions it was raised from or during, by type (outermost last), then
    the innermost frames of its traceback: one line per frame, no message, no values."""
    chain: list[BaseException] = []
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        chain.append(cur)
        cur = cur.__cause__ or cur.__context__
    kinds = " <- ".join(_one(e) for e in chain)
    frames = traceback.extract_tb(exc.__traceback__)[-MAX_FRAMES:]
    where = "".join(f"\n  at {f.filename}:{f.lineno} in {f.name}" for f in frames)
    return kinds + where
