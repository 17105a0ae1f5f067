"""Progress of one assessment through its stages (reading, judging, measuring, writing, storing):
a rich bar on a terminal, plain lines otherwise (logs, CI), nothing for a short run.

Plain lines go to standard error at the start and end of each stage and, within a counted stage, at
most every ``interval`` seconds (default 5), so a run of a million transcripts leaves a few dozen
lines. A submission file under :data:`MIN_BYTES` (about a second of work) shows nothing.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Protocol, TextIO

MIN_BYTES = 1_000_000
"""A submission file smaller than this (about 2,500 transcripts of short placeholder text, a second of
work on a 2-core machine; benchmarks/assess_scale.py) is assessed without progress output."""


class Stages(Protocol):
    def begin(self, name: str, total: int | None = None) -> None: ...
    def advance(self, n: int = 1) -> None: ...
    def end(self) -> None: ...
    def close(self) -> None: ...


class NoStages:
    def begin(self, name: str, total: int | None = None) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def end(self) -> None:
        pass

    def close(self) -> None:
        pass


class LineStages:
    """One line per stage start and end, and one every ``interval`` seconds within a counted stage."""

    def __init__(self, stream: TextIO | None = None, interval: float = 5.0) -> None:
        self.stream = stream or sys.stderr
        self.interval = interval
        self.name = ""
        self.total: int | None = None
        self.done = 0
        self._started = self._last = 0.0

    def begin(self, name: str, total: int | None = None) -> None:
        self.name, self.total, self.done = name, total, 0
        self._started = self._last = time.monotonic()
        self._line("started" + (f", {total} to do" if total is not None else ""))

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            pct = f" ({100.0 * self.done / self.total:.0f}%)" if self.total else ""
            self._line(f"{self.done}/{self.total}{pct}" if self.total is not None else f"{self.done}")

    def end(self) -> None:
        self._line(f"done in {time.monotonic() - self._started:.1f} s")

    def close(self) -> None:
        pass

    def _line(self, text: str) -> None:
        print(f"{self.name}: {text}", file=self.stream, flush=True)


class BarStages:
    """A rich progress bar per stage (refreshed by rich's own thread, not per transcript)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._bar = Progress(TextColumn("{task.description:<9}"), BarColumn(), MofNCompleteColumn(),
                             TimeElapsedColumn(), console=Console(file=stream or sys.stderr),
                             refresh_per_second=4, transient=False)
        self._task: Any = None

    def begin(self, name: str, total: int | None = None) -> None:
        if self._task is None:
            self._bar.start()
        self._task = self._bar.add_task(name, total=total)

    def advance(self, n: int = 1) -> None:
        if self._task is not None:
            self._bar.advance(self._task, n)

    def end(self) -> None:
        if self._task is not None:
            total = self._bar.tasks[-1].total or 1
            self._bar.update(self._task, total=total, completed=total)

    def close(self) -> None:
        self._bar.stop()


def stages_for(size: int, quiet: bool = False, stream: TextIO | None = None) -> Stages:
    """For a submission file of ``size`` bytes: a bar on a terminal, lines otherwise; nothing when
    ``quiet`` or when the file is small."""
    if quiet or size < MIN_BYTES:
        return NoStages()
    out = stream or sys.stderr
    return BarStages(out) if out.isatty() else LineStages(out)

