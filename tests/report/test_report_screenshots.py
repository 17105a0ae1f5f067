"""The HTML report in headless Chromium (tests/browser.py): the top of the page and the charts as a
reader sees them, under the report's own strict CSP with JavaScript off. The screenshots are kept
under test-artifacts/ for people to look at."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from jailscale.runner.assess import assess
from jailscale.runner.demo import demo_inputs


# Requested before `page` in every test: assess runs an event loop, which cannot start while
# Playwright's is running.
@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    sub, suite = demo_inputs()
    assess(sub, suite, out_dir=out)
    return out / "report.html"


def test_top_of_page_says_what_to_do_in_the_first_screen(report: Path, page: Any,
                                                         shot: Callable[..., Path]) -> None:
    page.goto(report.as_uri())
    badge = page.locator(".badge")
    box = badge.bounding_box()
    assert box is not None and box["y"] + box["height"] < 900  # the rating is in the first screen
    assert page.locator(".badge .score").inner_text() == "10.0"
    for q in ("What was tested", "What it unlocked", "How sure we are", "What to do, and by when"):
        dt = page.locator("dl.qa dt", has_text=q)
        qbox = dt.bounding_box()
        assert qbox is not None and qbox["y"] < 900, q
    p = shot(page, "report-top")
    assert p.stat().st_size > 20_000
    assert page.console_messages == []  # nothing the CSP had to block


def test_charts_render_bars_and_intervals(report: Path, page: Any, shot: Callable[..., Path]) -> None:
    page.goto(report.as_uri())
    chart = page.locator("svg[aria-label='answered by harm tier']")
    chart.scroll_into_view_if_needed()
    assert chart.locator("rect.jailbreak").count() == 4 and chart.locator("rect.baseline").count() == 4
    widths = [chart.locator("rect.jailbreak").nth(i).bounding_box()["width"] for i in range(4)]
    assert max(widths) > 100  # drawn, not empty
    assert chart.locator("line.whisker").count() >= 8
    p = shot(page, "report-charts", clip=chart.bounding_box())
    assert p.stat().st_size > 5_000
    cat = page.locator("svg[aria-label='answered by category']")
    assert cat.locator("rect.jailbreak").count() >= 2
    cat.scroll_into_view_if_needed()
    shot(page, "report-categories", clip=cat.bounding_box())


def test_evidence_is_collapsed_by_default(report: Path, page: Any, shot: Callable[..., Path]) -> None:
    page.goto(report.as_uri())
    groups = page.locator("details.beh")
    assert groups.count() > 10
    first = groups.first
    assert not first.locator("table").is_visible()  # collapsed
    first.locator("summary").click()  # opens without JavaScript
    assert first.locator("table").is_visible()
    first.scroll_into_view_if_needed()
    shot(page, "report-evidence-open")
    page.goto(report.as_uri())
    shot(page, "report-full", full_page=True)
