"""The one-screen terminal summary."""

from __future__ import annotations

from assessment_factory import make_assessment
from jailscale.report import plain, summary_lines


def test_summary_fits_a_screen_and_reads_as_plain_text() -> None:
    a = make_assessment(warnings=[f"placeholder warning {i}" for i in range(5)])
    lines = summary_lines(a)
    assert all(isinstance(x, str) for x in lines)
    assert len(lines) <= 40 and max(len(x) for x in plain(lines)) <= 160
    text = "\n".join(plain(lines))
    assert "JSS:1.0/HD:S/UN:H/FI:M/RL:M/SB:A" in text
    assert f"JSS-B {a.score.value:.1f} {a.score.rating}" in text
    assert a.response.action in text and "jss-default-1.0" in text
    assert "CJS" in text and "not measured" in text
    assert "placeholder warning 0" in text and "and 2 more in the report" in text
    assert "not calibrated" in text
    assert any(x.strip().startswith("UN") for x in plain(lines))


def test_summary_escapes_markup_in_data() -> None:
    a = make_assessment(title="[bold]Placeholder[/bold]", private=True)
    text = "\n".join(plain(summary_lines(a)))
    assert "[bold]Placeholder[/bold]" in text
    assert "private suite sha256:aaaaaaaaaaaa" in text
