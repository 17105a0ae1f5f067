"""Progress: a bar on a terminal, plain lines otherwise (logs, CI), never both.

Plain lines are printed at most every ``interval`` seconds (default 5) and at the end, so a long
run in CI leaves a readable log of a few hundred lines, not one per request.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Protocol, TextIO


class Progress(Protocol):
    def start(self, total: int, done: int) -> None: ...
    def advance(self, error: bool, retries: int, cost: float) -> None: ...
    def stop(self) -> None: ...


class NoProgress:
    def start(self, total: int, done: int) -> None:
        pass

    def advance(self, error: bool, retries: int, cost: float) -> None:
        pass

    def stop(self) -> None:
        pass


class LineProgress:
    def __init__(self, label: str = "run", stream: TextIO | None = None, interval: float = 5.0) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.interval = interval
        self.total = self.done = self.errors = self.retries = 0
        self.cost = 0.0
        self._last = 0.0

    def start(self, total: int, done: int) -> None:
        self.total, self.done = total, done
        self._last = time.monotonic()
        self._line("started" + (f", {done} already done (resumed)" if done else ""))

    def advance(self, error: bool, retries: int, cost: float) -> None:
        self.done += 1
        self.errors += error
        self.retries += retries
        self.cost = cost
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            self._line("")

    def _line(self, note: str) -> None:
        pct = 100.0 * self.done / self.total if self.total else 100.0
        text = (f"{self.label}: {self.done}/{self.total} ({pct:.0f}%), {self.errors} error(s), "
                f"{self.retries} retr{'y' if self.retries == 1 else 'ies'}, ${self.cost:.4f}")
        print(text + (f"; {note}" if note else ""), file=self.stream, flush=True)

    def stop(self) -> None:
        self._line("finished")


class BarProgress:
    """A rich progress bar (refreshed 4 times a second by rich's own thread, not per request)."""

    def __init__(self, label: str = "run") -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
        from rich.progress import Progress as RichProgress

        self._bar = RichProgress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[extra]}"), TimeRemainingColumn(),
                                 refresh_per_second=4, transient=False)
        self.label = label
        self._task: Any = None
        self.errors = self.retries = 0

    def start(self, total: int, done: int) -> None:
        self._bar.start()
        self._task = self._bar.add_task(self.label, total=total, completed=done, extra="")

    def advance(self, error: bool, retries: int, cost: float) -> None:
        self.errors += error
        self.retries += retries
        self._bar.update(self._task, advance=1,
                         extra=f"{self.errors} err, {self.retries} retries, ${cost:.4f}")

    def stop(self) -> None:
        self._bar.stop()


def progress_for(stream: TextIO | None = None, label: str = "run", quiet: bool = False) -> Progress:
    """A bar when ``stream`` (default stderr) is a terminal, plain lines otherwise."""
    if quiet:
        return NoProgress()
    s = stream or sys.stderr
    if s.isatty():
        return BarProgress(label)
    return LineProgress(label, s)
