"""The HTML report: one self-contained file that opens from disk, written for the people who act on
it: a plain-language summary first, then success with and without the jailbreak by harm tier and by
category (inline SVG with intervals), the judge and its calibration beside the rating, counts in
words, and the evidence grouped by behaviour and collapsed.

No network: CSS is inline, there are no fonts, scripts or images to fetch, the charts are inline
SVG drawn from numbers computed here, and a Content-Security-Policy meta tag forbids anything else.
Every value is autoescaped by Jinja2, so a response containing markup is shown as text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from ..formats.assessment import Assessment
from ..formats.evidence import Transcript
from ..measure.outcomes import BehaviourEvidence
from ..measure.witnesses import Status
from ..textsafe import HTML_CSP, terminal
from . import _view as v
from .charts import success_chart
from .people import GLOSSARY, MAX_PER_GROUP, EvidenceSample, people_view, value_name
from .words import evidence_counts, metric_counts, rate_rows, sample_size


def _finalize(value: Any) -> Any:
    """Every ``{{ value }}``: control characters in text shown as escapes (line feeds kept), before
    Jinja2's HTML escaping (:func:`jailscale.textsafe.terminal`). Markup built by the report (SVG)
    stays markup: the escapes are plain letters and cannot open a tag."""
    if isinstance(value, Markup):
        return Markup(terminal(str(value), keep_lines=True))
    return terminal(value, keep_lines=True) if isinstance(value, str) else value


_ENV = Environment(
    finalize=_finalize,
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


def context(assessment: Assessment, transcripts: Sequence[Transcript] | EvidenceSample | None, show_responses: bool,
            behaviours: Mapping[str, BehaviourEvidence] | None = None,
            statuses: Mapping[str, Status] | None = None) -> dict[str, Any]:
    a = assessment
    rows = v.metric_rows(a)
    charts = chart_rows(rows)
    steps, changes = v.what_would_change(a)
    view = people_view(a, transcripts, behaviours, show_responses, statuses)
    return {
        "a": a,
        "glossary": GLOSSARY,
        "csp": HTML_CSP,
        "view": view,
        "tier_chart": success_chart(view.tiers),
        "category_chart": success_chart(view.categories),
        "score_line": v.score_line(a),
        "response_line": v.response_line(a),
        "cjs_line": v.cjs_line(a),
        "cjs_axes": v.cjs_axes(a.cjs),
        "rows": rows,
        "value_names": {m.abbr: value_name(m.abbr, m.value) for m in a.metrics},
        "metric_counts": {m.abbr: metric_counts(m) for m in a.metrics},
        "sample_sizes": {m.abbr: sample_size(m) for m in a.metrics},
        "metric_rates": {m.abbr: rate_rows(m) for m in a.metrics},
        "evidence_counts": evidence_counts(a),
        "chart": charts,
        "chart_width": CHART_LABEL + CHART_SCALE + 30,
        "chart_height": 20 + len(charts) * CHART_ROW,
        "pass_at_k": pass_at_k(a),
        "steps": steps,
        "changes": changes,
        "provenance": v.provenance_items(a),
        "show_responses": show_responses,
        "max_per_group": MAX_PER_GROUP,
    }


def render_html(assessment: Assessment, transcripts: Sequence[Transcript] | EvidenceSample | None = None,
                show_responses: bool = False, behaviours: Mapping[str, BehaviourEvidence] | None = None,
                statuses: Mapping[str, Status] | None = None) -> str:
    """The assessment as one self-contained HTML page under a strict Content-Security-Policy (nothing
    loads or runs); response text only with ``show_responses``; the evidence grouped by behaviour
    and bounded (see :mod:`jailscale.report.people`)."""
    return _ENV.get_template("report.html.j2").render(context(assessment, transcripts, show_responses, behaviours,
                                                              statuses))
