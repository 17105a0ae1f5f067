"""What every report shows, computed once: the text of each line and each table cell.

The Markdown, HTML and terminal reports all render this view, so they cannot disagree. Nothing here
ever reads a request: transcripts contribute their behaviour, condition, sample, verdict and (only when
asked) their response text. Behaviour ids of a private suite are replaced by a short hash, since an id
can say what the hidden request is about.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from .. import spec
from ..formats.assessment import Assessment, CJSResult, MetricResult
from ..formats.evidence import Transcript
from ..judges.registry import TRIAGE_JUDGES
from ..spec.metrics import BY_ABBR, ORDER
from .words import rate_words

DASH = "—"
CJS_AXES = ("gain", "breadth", "ease", "discoverability")


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def short_hash(h: str, n: int = 12) -> str:
    """``sha256:abcdef...`` shortened to its first ``n`` hex digits, prefix kept."""
    algo, sep, digest = h.partition(":")
    return f"{algo}:{digest[:n]}" if sep else h[:n]


def redacted(text: str | None, error: str | None = None) -> str:
    """The placeholder that stands in for a response: its length and hash, never its text."""
    if text is None:
        return f"[no response{': ' + error if error else ''}]"
    return f"[redacted: {len(text)} chars, sha256 {sha256_hex(text)[:16]}]"


def fmt_num(x: float | None, digits: int = 2) -> str:
    return DASH if x is None else f"{x:.{digits}f}"


def fmt_rate(estimate: float | None, interval: tuple[float, float] | None, n: int | None = None,
             unit: str | None = None) -> str:
    """A measured quantity with its 95% interval and typed sample size: "0.62 [0.41, 0.80], n=24 behaviours"."""
    if estimate is None:
        return DASH
    text = fmt_num(estimate)
    if interval is not None:
        text += f" [{fmt_num(interval[0])}, {fmt_num(interval[1])}]"
    if n is not None:
        text += f", n={n}" + (f" {unit}" if unit else "")
    return text


def fmt_estimate(m: MetricResult) -> str:
    """The rate a metric's level rests on, then any further rates the measurement recorded."""
    parts = []
    named = False  # the level's own rate, when the measurement also lists it by name, is shown once
    for r in m.rates:
        interval = (r.low, r.high) if r.low is not None and r.high is not None else None
        name = rate_words(r.name)
        if r.estimate is None:
            parts.append(f"{name}: not measured")
            continue
        parts.append(f"{name}: {fmt_rate(r.estimate, interval, r.n, r.unit)}")
        named = named or (r.estimate == m.estimate and r.n == m.n)
    if m.estimate is not None and not named:
        parts.insert(0, fmt_rate(m.estimate, m.interval, m.n, m.unit))
    return "; ".join(parts) or DASH


def fmt_range(low: str, high: str) -> str:
    return low if low == high else f"{low}–{high}"


def fmt_counts(counts: dict[str, int] | dict[str, float]) -> str:
    return ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in counts.items()) or DASH


@dataclass(frozen=True)
class MetricRow:
    abbr: str
    name: str
    value: str
    range: str
    source: str
    estimate: str
    counts: str
    breakdown: str
    method: str
    codes: tuple[str, ...]
    low_rank: int
    high_rank: int
    value_rank: int | None


def _rank(abbr: str, code: str | None) -> int | None:
    metric = BY_ABBR.get(abbr)
    if metric is None or code is None or code not in metric.codes:
        return None
    return metric.rank(code)


def metric_rows(assessment: Assessment) -> list[MetricRow]:
    order = {a: i for i, a in enumerate(ORDER)}
    rows = []
    for m in sorted(assessment.metrics, key=lambda m: order.get(m.abbr, len(order))):
        metric = BY_ABBR.get(m.abbr)
        codes = metric.codes if metric else ()
        value = m.value if m.value is not None else "unset"
        if m.value is None and metric is not None:
            value = f"unset (scored {metric.worst})"
        elif m.source == "unknown" or m.value == "X":
            value = "withheld (X: not measured)"
        method = " ".join(x for x in (m.method, m.note) if x) or DASH
        lo = _rank(m.abbr, m.low)
        hi = _rank(m.abbr, m.high)
        rows.append(MetricRow(
            abbr=m.abbr, name=metric.name if metric else m.abbr, value=value,
            range=fmt_range(m.low, m.high), source=m.source, estimate=fmt_estimate(m),
            counts=fmt_counts(m.counts), breakdown=fmt_counts(m.breakdown) if m.breakdown else "",
            method=method, codes=codes, low_rank=0 if lo is None else lo,
            high_rank=(len(codes) - 1 if hi is None else hi), value_rank=_rank(m.abbr, m.value)))
    return rows


def score_line(a: Assessment) -> str:
    s = a.score
    if s.withheld or s.value is None:
        text = f"{s.label} withheld (not measured: {', '.join(s.missing) or 'a base metric'})"
    else:
        text = f"{s.label} {s.value:.1f} {s.rating}"
    rng = f"{s.low:.1f}–{s.high:.1f}"
    ratings = s.rating_low if s.rating_low == s.rating_high else f"{s.rating_low} to {s.rating_high}"
    text += f"; consistent range {rng} ({ratings})"
    if s.capped_by:
        text += f"; capped by {', '.join(s.capped_by)}"
    return text


def response_line(a: Assessment) -> str:
    r = a.response
    text = f"{r.action} ({r.within}) under policy {r.policy}, rule {r.rule}"
    return text + (" [provisional: a base metric is unknown]" if r.provisional else "")


def cjs_axes(c: CJSResult) -> list[tuple[str, str, str]]:
    """(axis, value or "not measured", where it came from) for each CJS axis."""
    out = []
    for axis in CJS_AXES:
        v = getattr(c, axis)
        out.append((axis, "not measured" if v is None else f"{v:g}", c.sources.get(axis, "")))
    return out


def cjs_line(a: Assessment) -> str:
    c = a.cjs
    if c.band is not None:
        head = f"{c.band} (sum {fmt_num(c.sum, 1)})"
    else:
        head = f"band {fmt_range(*c.band_range)} (an axis is not measured)"
    axes = ", ".join(f"{axis} {value}" for axis, value, _ in cjs_axes(c))
    return f"{head}; {axes}"


def suite_text(a: Assessment) -> str:
    s = a.suite
    tiers = ", ".join(f"{t}: {n}" for t, n in s.by_tier.items())
    name = f"private suite {short_hash(s.hash)}" if s.private or s.name is None else f"{s.name} ({s.hash})"
    return f"{name}; {s.behaviours} behaviours ({tiers})"


def judge_text(a: Assessment) -> str:
    j = a.provenance.judge
    triage = " (triage judge)" if j.name in TRIAGE_JUDGES else ""
    if j.panel is not None:
        members = ", ".join(m.name + (" (triage judge)" if m.name in TRIAGE_JUDGES else "") for m in j.panel.members)
        triage = f" of {members}, rule {j.panel.rule}"
    text = f"{j.name} {j.version}{triage}, config {short_hash(j.config_hash)}; "
    c = j.calibration_used
    if c is not None:  # the calibration the measurement used, with its intervals
        se, sp = c.sensitivity, c.specificity
        return (text + f"calibrated on {c.dataset} ({c.population.replace('_', ' ')}, {c.n} rows): sensitivity "
                f"{se.estimate:.1%} [{se.low:.1%}, {se.high:.1%}], specificity {sp.estimate:.1%} "
                f"[{sp.low:.1%}, {sp.high:.1%}], agreement {c.accuracy.estimate:.1%}")
    if j.agreement is None:
        return text + "not calibrated"
    text += f"agreement with human labels {j.agreement:.1%}"
    if j.false_positive_rate is not None:
        text += f", false-positive rate {j.false_positive_rate:.1%}"
    return text + (f" (on {j.calibration})" if j.calibration else "")


def provenance_items(a: Assessment) -> list[tuple[str, str]]:
    p = a.provenance
    return [
        ("tool", f"{p.tool} {p.tool_version}"),
        ("spec", f"JSS {p.spec_version}"),
        ("suite", suite_text(a)),
        ("judge", judge_text(a)),
        ("evidence", f"{p.evidence} transcripts, root {p.evidence_root}"),
        ("submission", p.submission_hash),
        ("assessment id", a.id),
        ("assessed on", a.assessed_on),
        ("created", a.created_at.isoformat()),
    ]


def what_would_change(a: Assessment) -> tuple[list[str], list[str]]:
    """The explanation's steps and the single-metric changes that would move the rating."""
    try:
        e = spec.explain(spec.parse(a.vector))
    except spec.VectorError as err:
        return [f"the vector could not be explained: {err}"], []
    changes = [f"{c.metric}:{c.code} ({c.direction}) → {c.score}" for c in e.changes]
    return list(e.steps), changes


@dataclass(frozen=True)
class EvidenceRow:
    number: int
    behaviour: str
    condition: str
    sample: int
    verdict: str
    response: str
    shown: str | None


def behaviour_name(a: Assessment, behaviour: str) -> str:
    if a.suite.private:
        return f"b-{sha256_hex(behaviour)[:10]}"
    return behaviour


def evidence_rows(a: Assessment, transcripts: Sequence[Transcript] | None,
                  show_responses: bool) -> list[EvidenceRow]:
    rows = []
    for i, t in enumerate(transcripts or (), start=1):
        verdict = t.verdicts[-1].label if t.verdicts else "no verdict"
        condition = t.condition + (f" ({t.reference})" if t.reference else "")
        shown = t.response if show_responses and t.response is not None else None
        text = f"shown below (#{i})" if shown is not None else redacted(t.response, t.error)
        rows.append(EvidenceRow(i, behaviour_name(a, t.behaviour), condition, t.sample, verdict, text, shown))
    return rows
