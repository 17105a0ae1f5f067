"""The development lock is installed first by CI on a clean machine: it must pin every package by
version and never point at a place on the machine that produced it (a `file://` path of a work
folder that a fresh checkout does not have)."""

from __future__ import annotations

import re
from pathlib import Path

LOCK = Path(__file__).resolve().parents[1] / "requirements-dev.lock"


def _requirement_lines() -> list[str]:
    return [
        line.strip()
        for line in LOCK.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def test_lock_names_no_local_path_and_not_the_project_itself() -> None:
    lines = _requirement_lines()
    assert lines, "requirements-dev.lock has no requirement lines"
    local = [line for line in lines if "file:" in line or " @ " in line]
    assert local == [], f"the lock points at local paths: {local}"
    assert not any(re.match(r"jailscale\b", line) for line in lines)


def test_every_locked_requirement_is_pinned_exactly() -> None:
    unpinned = [line for line in _requirement_lines() if not re.fullmatch(r"[A-Za-z0-9_.\-\[\],]+==[^\s=]+", line)]
    assert unpinned == [], f"lines without an exact pin: {unpinned}"
