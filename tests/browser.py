"""Headless Chromium for tests (a pytest plugin, loaded by tests/conftest.py): Debian's ``chromium``
package driven by Playwright, with screenshots kept as test artifacts.

Fixtures:

- ``browser``: one headless Chromium per test module, launched from ``/usr/bin/chromium`` (or
  ``$JAILSCALE_CHROMIUM``) with Playwright's ``executable_path``: Playwright's own browser download
  (``playwright install``) is never used. Skips with the reason when Playwright or Chromium is
  absent, unless ``JAILSCALE_REQUIRE_BROWSER=1`` (set by .ci/run), where that is a failure.
  Playwright's sync API keeps an event loop running while the browser is open, so ``asyncio.run``
  fails meanwhile: keep browser tests in modules of their own (the browser closes with the module),
  and build what needs an event loop (an assessment) in a fixture requested before ``page``.
- ``page``: a fresh page (1280x900, JavaScript off by default: our pages must work without it),
  whose console messages (CSP violations included) are collected in ``page.console_messages``.
- ``shot(page, name)``: save a PNG under ``test-artifacts/`` (git-ignored; ``$JAILSCALE_TEST_ARTIFACTS``
  moves it) and return its path.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("JAILSCALE_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(os.environ.get("JAILSCALE_TEST_ARTIFACTS", Path(__file__).resolve().parents[1] / "test-artifacts"))


def _unavailable(reason: str) -> None:
    if os.environ.get("JAILSCALE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (JAILSCALE_REQUIRE_BROWSER=1: CI installs chromium and playwright)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[dev]')")
    if not CHROMIUM.is_file():
        _unavailable(f"no Chromium at {CHROMIUM}: apt-get install -y chromium (or set JAILSCALE_CHROMIUM)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    pg = ctx.new_page()
    messages: list[str] = []
    pg.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    pg.console_messages = messages
    try:
        yield pg
    finally:
        ctx.close()


@pytest.fixture
def shot() -> Callable[..., Path]:
    def take(pg: Any, name: str, full_page: bool = False, **kwargs: Any) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        pg.screenshot(path=str(path), full_page=full_page, **kwargs)
        return path

    return take
