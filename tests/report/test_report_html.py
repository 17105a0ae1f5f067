"""The HTML report: self-contained, autoescaped, redacted by default."""

from __future__ import annotations

import re

from assessment_factory import make_assessment, transcript
from jailscale.report import render_html

SCRIPT = "Placeholder <script>alert('x')</script> text"


def _report(**kw: object) -> str:
    a = make_assessment("JSS:1.0/HD:S/UN:H/FI:H/RL:M/SB:A/UP:N", metrics={
        "UP": {"source": "measured", "low": "N", "high": "L", "estimate": 0.04, "interval": (-0.02, 0.12)},
        "RL": {"breakdown": {"pass@1": 0.4, "pass@5": 0.85}}}, **kw)  # type: ignore[arg-type]
    return render_html(a, [transcript("beh-1", SCRIPT), transcript("beh-2", "plain placeholder")],
                       show_responses=False)


def test_self_contained_no_network() -> None:
    html = _report()
    assert html.startswith("<!DOCTYPE html>")
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    for tag in ("<script", "<link", "<img", "<iframe", "@import", "url("):
        assert tag not in html.lower()
    assert "<style>" in html


def test_content_and_charts() -> None:
    html = _report(warnings=["placeholder warning"])
    assert "JSS:1.0/HD:S/UN:H/FI:H/RL:M/SB:A/UP:N" in html
    assert 'class="badge rating-Low"' in html
    assert "consistent range 3.9–6.4 (Low to Medium)" in html
    assert "not measured" in html
    assert "placeholder warning" in html
    assert "UP:H (more severe) → JSS-BC 8.0 High" in html
    assert html.count("<svg") == 1  # consistent ranges (no per-behaviour tallies given: no success chart)
    assert "chance that at least one of 5 attempts is answered" in html  # RL's pass@5, in words
    assert "not calibrated" in html


def test_redacted_by_default() -> None:
    html = _report()
    assert "alert(" not in html and "plain placeholder" not in html
    assert f"[redacted: {len('plain placeholder')} chars, sha256 " in html
    assert "placeholder request text" not in html


def test_shown_response_is_escaped() -> None:
    a = make_assessment()
    html = render_html(a, [transcript("beh-1", SCRIPT)], show_responses=True)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "<script" not in html
    assert "placeholder request text" not in html


def test_private_suite() -> None:
    a = make_assessment(private=True)
    html = render_html(a, [transcript("secret-topic-id", "x", request="hidden placeholder request")],
                       show_responses=True)
    assert "private suite sha256:aaaaaaaaaaaa" in html
    assert "practice-suite" not in html
    assert "secret-topic-id" not in html and "hidden placeholder request" not in html


def test_title_is_escaped() -> None:
    html = render_html(make_assessment(title="<b>Placeholder</b>"))
    assert "&lt;b&gt;Placeholder&lt;/b&gt;" in html and "<b>Placeholder" not in html
