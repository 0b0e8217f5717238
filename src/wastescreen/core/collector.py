"""Python's cycle collector in a long-running server: what was loaded at start-up is left out of
its full collections.

A server's engine (overlap indexes, model, registry context, peers) is a few hundred thousand
Python objects that live as long as the process. Each full (oldest-generation) collection walks
all of them: measured in one uvicorn worker under 8 clients (``bench.http``'s load), 6 full
collections in 10 s took 110-135 ms each, with the GIL held, so every request in flight waited
that long (most of the p99), and 0.5 ms of CPU a request on average. Objects moved to the
permanent generation (``gc.freeze``) are not walked: a full collection then walks what was made
since start-up only.

The price: a frozen object that ends in a reference cycle is not freed when it becomes garbage
(reference counting still frees the others). What start-up loads is replaced only when the
registry changes (a new context) or the engine is reloaded; those objects are not made in cycles
on purpose, and a server restarts with every model promotion anyway.
"""

from __future__ import annotations

import gc


def freeze_loaded_objects() -> int:
    """Collect once, then move every object alive now to the permanent generation (left out of
    later collections); returns how many objects were frozen. Call once, after start-up has
    loaded what the process keeps."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def thaw_loaded_objects() -> None:
    """Give the frozen objects back to the collector (an app that stops, in a process that goes
    on: a test run, a CLI command that served): what it loaded can be freed again."""
    gc.unfreeze()
