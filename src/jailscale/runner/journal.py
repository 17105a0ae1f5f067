"""The run journal: an append-only JSON-lines file written as results arrive, so a run killed at any
moment resumes without repeating a finished request or losing one.

Format: the first line is ``{"type": "plan", "plan_hash": ..., "plan": {...}}``; every other line
is ``{"type": "result", "item": LABEL, "transcript": {...}, "usage": {...}}``, one per planned
item, written once, when the item's final outcome (answer, block or error after retries) is known.

Durability policy:

- Each record is one ``os.write`` of a whole line to a file opened with ``O_APPEND``. Once the call
  returns, the line is in the kernel's page cache: killing the process (SIGKILL included) cannot
  lose it or tear it.
- ``fsync`` runs at most every ``fsync_interval`` seconds (default 1.0) when records were written,
  and at close. The periodic fsync runs in a helper thread, so a slow disk never stalls the event
  loop (and with it every request in flight); the one at close is waited for. A power failure or
  kernel crash can therefore lose at most the records of the last second (plus one fsync's
  duration); those items are simply run again on resume (lost, never duplicated).
- On open, a final line without its newline (a write torn by a crash of the machine) is cut off, and
  the items of complete lines are the ones done. An item is marked done only by its record, so an
  item in flight when the run died is sent again on resume: that is the one repeat the design
  allows, and only for requests whose answer was never recorded.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..errors import EnvironmentFault, UserError

#: Seconds between fsyncs while records arrive (see the module docstring).
FSYNC_INTERVAL = 1.0


class Journal:
    """An open journal. ``done`` holds the labels of items already recorded."""

    def __init__(self, path: Path, plan_hash: str, plan: dict[str, Any] | None = None, *, resume: bool = False,
                 fsync_interval: float = FSYNC_INTERVAL) -> None:
        self.path = path
        self.plan_hash = plan_hash
        self.fsync_interval = fsync_interval
        self.done: set[str] = set()
        self.written = 0
        self._last_sync = time.monotonic()
        self._dirty = False
        self._pending: Future[None] | None = None
        self._syncer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="journal-fsync")
        exists = path.exists() and path.stat().st_size > 0
        if exists and not resume:
            raise UserError(f"a journal already exists at '{str(path)[:200]}': pass --resume to continue that run, "
                            "or choose another --out folder")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if exists:
                self._recover()
            self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as e:
            raise EnvironmentFault(f"cannot open the journal '{str(path)[:200]}': {e.strerror}") from None
        if not exists:
            self._write({"type": "plan", "plan_hash": plan_hash, "plan": plan or {}})
            self.sync()

    def _recover(self) -> None:
        """Cut a torn final line, check the plan, collect the done items."""
        with self.path.open("rb+") as fh:
            data_end = 0
            first = True
            for raw in fh:
                if not raw.endswith(b"\n"):
                    break
                try:
                    rec = json.loads(raw)
                except ValueError:
                    break
                if first:
                    if rec.get("type") != "plan" or rec.get("plan_hash") != self.plan_hash:
                        raise UserError(f"the journal '{self.path.name}' belongs to another plan: --resume needs "
                                        "the same plan, suite, targets and settings (or a new --out folder)")
                    first = False
                elif rec.get("type") == "result":
                    self.done.add(rec["item"])
                data_end += len(raw)
            fh.truncate(data_end)

    def _write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str) + "\n"
        data = line.encode("utf-8")
        try:
            n = os.write(self._fd, data)
            while n < len(data):  # a short write (disk nearly full): finish it or fail loudly
                n += os.write(self._fd, data[n:])
        except OSError as e:
            raise EnvironmentFault(f"cannot write the journal '{str(self.path)[:200]}': {e.strerror}") from None
        self._dirty = True

    def record(self, item: str, transcript: dict[str, Any], usage: dict[str, Any]) -> None:
        """Record an item's final outcome (once: a second record of the same item is a bug)."""
        if item in self.done:
            raise AssertionError(f"item {item!r} recorded twice")
        self._write({"type": "result", "item": item, "transcript": transcript, "usage": usage})
        self.done.add(item)
        self.written += 1
        now = time.monotonic()
        if now - self._last_sync >= self.fsync_interval and (self._pending is None or self._pending.done()):
            self._dirty = False
            self._last_sync = now
            self._pending = self._syncer.submit(os.fsync, self._fd)

    def sync(self) -> None:
        """fsync now, in this thread (after any fsync the helper thread is running)."""
        if self._pending is not None:
            self._pending.result()
            self._pending = None
        if self._dirty:
            os.fsync(self._fd)
            self._dirty = False
        self._last_sync = time.monotonic()

    def close(self) -> None:
        if self._fd >= 0:
            self.sync()
            os.close(self._fd)
            self._fd = -1
            self._syncer.shutdown(wait=True)


def read_results(path: Path) -> Iterator[dict[str, Any]]:
    """The result records of a journal, in order (a torn final line is skipped)."""
    with path.open("rb") as fh:
        for raw in fh:
            if not raw.endswith(b"\n"):
                return
            rec = json.loads(raw)
            if rec.get("type") == "result":
                yield rec


def read_plan(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        first = fh.readline()
    try:
        rec = json.loads(first)
    except ValueError:
        raise UserError(f"'{str(path)[:200]}' is not a jailscale run journal (first line is not JSON)") from None
    if not isinstance(rec, dict) or rec.get("type") != "plan":
        raise UserError(f"'{str(path)[:200]}' is not a jailscale run journal (no plan line)")
    return rec
