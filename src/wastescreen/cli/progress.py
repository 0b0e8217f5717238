"""Progress of a long command: a live status on a terminal, one timestamped line per stage in a
log (when the output is not a terminal), and the time it all took."""

from __future__ import annotations

import time
from collections.abc import Mapping
from types import TracebackType

from rich.console import Console
from rich.status import Status

from wastescreen.cli.lang import current, say
from wastescreen.core.labels import report as L
from wastescreen.core.locale_format import number


class Stages:
    """``with Stages(console) as s: work(stage=s.stage)``; ``s.elapsed()`` after."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.started = time.monotonic()
        self._status: Status | None = None

    def __enter__(self) -> Stages:
        if self.console.is_terminal:
            self._status = self.console.status("…")
            self._status.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._status is not None:
            self._status.stop()

    def stage(self, key: str, values: Mapping[str, object]) -> None:
        """A stage starts: ``stage_<key>`` of ``core.labels.cli`` with ``values``."""
        if "target" in values:  # a kind of waste, in words
            values = {**values, "target": L.lookup(L.TARGETS, str(values["target"]),
                                                   current())}
        text = say(f"stage_{key}", **values)
        if self._status is not None:
            self.console.print(f"[dim]{self.elapsed():>8}[/dim] {text}", highlight=False)
            self._status.update(text)
        else:
            stamp = time.strftime("%H:%M:%S")
            # soft_wrap: one line per stage, however narrow rich thinks the log is
            self.console.print(f"{stamp} {text}", markup=False, highlight=False, soft_wrap=True)

    def elapsed(self) -> str:
        """Seconds since the start, in the messages' language ("83 s" / "83 giây")."""
        return say("elapsed", s=number(time.monotonic() - self.started, current()))
