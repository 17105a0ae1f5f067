"""Shared pytest fixtures for the whole test suite (several people add to this file: keep it small,
and put fixtures used by one package's tests in that package's own modules)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

# No per-example deadline: property tests share the machine with other jobs, and a slow example is
# not a failure. (Examples counts stay at hypothesis' default unless a test says otherwise.)
settings.register_profile("jailscale", deadline=None)
settings.load_profile("jailscale")

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The checkout's root directory (where pyproject.toml lives)."""
    return REPO_ROOT

# Headless Chromium fixtures (browser, page, shot): tests/browser.py.
pytest_plugins = ("browser",)
