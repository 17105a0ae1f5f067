"""Fixtures for the hostile-input tests: a PostgreSQL schema of their own per test (skipped with the
reason when PostgreSQL is absent, failed under CI=true), and a tmpfs-backed small disk."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from pg_kit import pg_schema, require_pg


@pytest.fixture(scope="session")
def pg_base() -> str:
    return require_pg()


@pytest.fixture
def pg_url(pg_base: str) -> Iterator[str]:
    """A URL whose search path is a fresh, empty schema (dropped afterwards)."""
    with pg_schema(pg_base, "jailscale_hostile") as url:
        yield url


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 150 kB tmpfs (the demo's three results take about 95 kB): a real ENOSPC. Needs root."""
    mnt = tmp_path / "small-disk"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=150k", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {r.stderr.decode(errors='replace').strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)
