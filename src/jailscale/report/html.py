"""The HTML report: the Markdown report's content in one self-contained file that opens from disk.

No network: CSS is inline, there are no fonts, scripts or images to fetch, and the chart is inline
SVG. Every value is autoescaped by Jinja2, so a response containing markup is shown as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from ..formats.assessment import Assessment
from ..formats.evidence import Transcript
from . import _view as v

_ENV = Environment(
    loader=PackageLoader("jailscale.report", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)

CHART_LABEL = 44
CHART_SCALE = 300
CHART_ROW = 26


@dataclass(frozen=True)
class ChartRow:
    """One metric's line in the range chart: its values as ticks, its consistent range as a bar."""

    abbr: str
    y: int
    ticks: tuple[tuple[float, str], ...]
    x_low: float
    x_high: float
    x_value: float | None


def _x(rank: int, n: int) -> float:
    return CHART_LABEL + 10 + (CHART_SCALE * rank / (n - 1) if n > 1 else 0.0)


def chart_rows(rows: list[v.MetricRow]) -> list[ChartRow]:
    out = []
    for i, r in enumerate(x for x in rows if x.codes):
        n = len(r.codes)
        out.append(ChartRow(
            abbr=r.abbr, y=20 + i * CHART_ROW,
            ticks=tuple((_x(k, n), c) for k, c in enumerate(r.codes)),
            x_low=_x(r.low_rank, n), x_high=_x(r.high_rank, n),
            x_value=None if r.value_rank is None else _x(r.value_rank, n)))
    return out


def pass_at_k(assessment: Assessment) -> list[tuple[str, float, float]]:
    """(label, value in [0, 1], bar width) for RL's pass@k figures, when the breakdown has them."""
    for m in assessment.metrics:
        if m.abbr == "RL":
            items = [(k, val) for k, val in m.breakdown.items() if k.startswith("pass@")]
            return [(k, val, round(200 * max(0.0, min(1.0, val)), 1)) for k, val in items]
    return []


def context(assessment: Assessment, transcripts: list[Transcript] | None,
            show_responses: bool) -> dict[str, Any]:
    a = assessment
    rows = v.metric_rows(a)
    charts = chart_rows(rows)
    steps, changes = v.what_would_change(a)
    return {
        "a": a,
        "score_line": v.score_line(a),
        "response_line": v.response_line(a),
        "cjs_line": v.cjs_line(a),
        "cjs_axes": v.cjs_axes(a.cjs),
        "rows": rows,
        "chart": charts,
        "chart_width": CHART_LABEL + CHART_SCALE + 30,
        "chart_height": 20 + len(charts) * CHART_ROW,
        "pass_at_k": pass_at_k(a),
        "steps": steps,
        "changes": changes,
        "provenance": v.provenance_items(a),
        "evidence": None if transcripts is None else v.evidence_rows(a, transcripts, show_responses),
        "show_responses": show_responses,
    }


def render_html(assessment: Assessment, transcripts: list[Transcript] | None = None,
                show_responses: bool = False) -> str:
    """The assessment as one self-contained HTML page (response text only with ``show_responses``)."""
    return _ENV.get_template("report.html.j2").render(context(assessment, transcripts, show_responses))
