"""Fixtures for the suite tests: the public datasets in ../shared/data (read in place, never copied)
and writers for small neutral CSV files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"public datasets not found at {SHARED_DATA}: these tests read ../shared/data beside "
                    "the checkout, which a fresh clone does not have")
    return SHARED_DATA.resolve()


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write ``text`` (str, or bytes written as-is) to ``tmp_path/name``."""

    def write(name: str, text: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return write
