"""The shared browser fixture (tests/browser.py) renders a page from disk under a strict CSP with
JavaScript off, reports CSP violations in the console, and keeps its screenshot."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def test_page_renders_and_screenshot_is_kept(page: Any, shot: Callable[..., Path], tmp_path: Path) -> None:
    html = tmp_path / "p.html"
    html.write_text(f"""<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="{CSP}">
<style>h1{{color:#a00}}</style></head><body><h1>PLACEHOLDER</h1>
<svg width="100" height="20"><rect width="80" height="20" fill="#36c"/></svg>
<img src="https://example.invalid/x.png" alt=""></body></html>""", encoding="utf-8")
    page.goto(html.as_uri())
    assert page.locator("h1").inner_text() == "PLACEHOLDER"
    box = page.locator("svg rect").bounding_box()
    assert box is not None and box["width"] == 80
    p = shot(page, "browser-fixture")
    assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 1000
    # the blocked external image is a CSP violation the fixture sees
    assert any("Content Security Policy" in m for m in page.console_messages), page.console_messages
