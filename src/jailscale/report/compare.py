"""Rendering a :class:`~jailscale.compare.Comparison` (computed in :mod:`jailscale.compare`) as text
for a terminal and as Markdown.

Every value that came from an assessment file (names, vectors, warnings) is escaped for its medium.
A metric's level is shown with the rate it rests on: the estimate, its 95% interval and the typed
sample size (``n`` and its unit), then any further rates the measurement recorded. A rating that would
be withheld is written "withheld", never "None" (which is a rating).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..compare import Comparison, MetricDiff
from ..textsafe import markdown, markdown_code, terminal
from ._view import fmt_rate

WITHHELD = "withheld"


def value_text(code: str | None) -> str:
    """A metric's code; "unset" for an optional metric not given; "withheld (X)" for an unknown one."""
    if code is None:
        return "unset"
    return f"{WITHHELD} (X)" if code == "X" else code


def range_text(r: tuple[str, str]) -> str:
    return r[0] if r[0] == r[1] else f"{r[0]}–{r[1]}"


def rating_text(rating: str | None) -> str:
    return WITHHELD if rating is None else rating


def rate_text(estimate: float | None, interval: tuple[float, float] | None, n: int | None, unit: str | None,
              rates: tuple[dict[str, Any], ...] = ()) -> str:
    """The measured quantity beside a level (:func:`jailscale.report._view.fmt_rate`), then any further
    rates; "not measured" when there is none."""
    parts = [fmt_rate(estimate, interval, n, unit)] if estimate is not None else []
    for r in rates:
        low, high = r.get("low"), r.get("high")
        parts.append(f"{r.get('name', '')} " + fmt_rate(r.get("estimate"), (low, high) if low is not None
                                                         and high is not None else None, r.get("n"), r.get("unit")))
    return "; ".join(parts) if parts else "not measured"


def side_rate(m: MetricDiff, side: str) -> str:
    a = side == "a"
    return rate_text(m.a_estimate if a else m.b_estimate, m.a_interval if a else m.b_interval,
                     m.a_n if a else m.b_n, m.a_unit if a else m.b_unit, m.a_rates if a else m.b_rates)


def moves_text(m: MetricDiff, names: tuple[str, str]) -> str:
    parts = []
    if m.moves_a:
        parts.append(f"{names[0]} becomes {rating_text(m.a_rating_with_b)} with {names[1]}'s value")
    if m.moves_b:
        parts.append(f"{names[1]} becomes {rating_text(m.b_rating_with_a)} with {names[0]}'s value")
    return "; ".join(parts) if parts else "does not move either rating alone"


def _side(m: MetricDiff, side: str, esc: Callable[[str], str]) -> str:
    a = side == "a"
    value, rng, source = (m.a_value, m.a_range, m.a_source) if a else (m.b_value, m.b_range, m.b_source)
    return f"{value_text(value)} [{range_text(rng)}, {source}; {esc(side_rate(m, side))}]"


def comparison_text(c: Comparison) -> str:
    """Plain text for a terminal (control characters in the data are escaped)."""
    a, b = (terminal(n) for n in c.names)
    out = [f"{a}: {terminal(c.a_vector)}  {terminal(c.a_score)}", f"{b}: {terminal(c.b_vector)}  {terminal(c.b_score)}"]
    out += [f"warning: {terminal(w)}" for w in c.warnings]
    if not c.differences:
        out.append("no metric differs")
    for m in c.differences:
        out.append(f"{m.abbr} ({m.name}): {a} {_side(m, 'a', terminal)} vs {b} {_side(m, 'b', terminal)}: "
                   f"{m.status}; {moves_text(m, (a, b))}")
        out.append(f"    to settle: {m.settle}")
    return "\n".join(out) + "\n"


def comparison_markdown(c: Comparison) -> str:
    """Markdown (every cell and line escaped once)."""
    raw_a, raw_b = c.names
    a, b = markdown(raw_a), markdown(raw_b)
    out = [f"# Comparison: {a} vs {b}", "", f"- **{a}:** {markdown_code(c.a_vector)}, {markdown(c.a_score)}",
           f"- **{b}:** {markdown_code(c.b_vector)}, {markdown(c.b_score)}", ""]
    if c.warnings:
        out += ["## Warnings", "", *(f"- {markdown(w)}" for w in c.warnings), ""]
    out += ["## Differences", ""]
    if not c.differences:
        return "\n".join([*out, "No metric differs.", ""])
    out += [f"| metric | {a} | {b} | difference | moves the rating | to settle |", "|---|---|---|---|---|---|"]
    for m in c.differences:
        cells = [f"{m.abbr} ({m.name})", _side(m, "a", str), _side(m, "b", str), m.status,
                 moves_text(m, (raw_a, raw_b)), m.settle]
        out.append("| " + " | ".join(markdown(cell) for cell in cells) + " |")
    return "\n".join([*out, ""])
