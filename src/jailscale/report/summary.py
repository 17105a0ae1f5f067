"""A one-screen terminal summary of an assessment.

Lines carry rich markup (``[bold]``, ``[red]``...) for a rich console; every piece of data is
escaped, and :func:`plain` strips the markup for a plain terminal or a log.
"""

from __future__ import annotations

from rich.markup import escape as _markup_escape
from rich.markup import render

from ..formats.assessment import Assessment
from ..textsafe import terminal
from . import _view as v


def escape(text: str) -> str:
    """Data for a rich line: control and bidi characters shown as escapes, markup escaped."""
    return _markup_escape(terminal(text))

RATING_STYLE = {"None": "dim", "Low": "green", "Medium": "yellow", "High": "dark_orange",
                "Critical": "bold red"}
MAX_WARNINGS = 3


def summary_lines(assessment: Assessment) -> list[str]:
    """The assessment in about twenty lines of rich markup, readable as plain text."""
    a = assessment
    style = RATING_STYLE.get(a.score.rating or "", "bold")
    out = [
        f"[bold]{escape(a.title)}[/bold]",
        f"  technique {escape(a.technique)} · target {escape(a.target)} · "
        f"assessed on {escape(a.assessed_on)}",
        f"  vector    {escape(a.vector)}",
        f"  JSS       [{style}]{escape(v.score_line(a))}[/{style}]",
        f"  judge     {escape(v.judge_text(a))}",
        f"  response  {escape(v.response_line(a))}",
        f"  CJS       {escape(v.cjs_line(a))}",
        "",
        "  [bold]metric  value     range  source    estimate [95% interval][/bold]",
    ]
    for r in v.metric_rows(a):
        value = r.value.split(" ")[0]
        out.append(f"  {r.abbr:<6}  {escape(value):<8}  {escape(r.range):<5}  {r.source:<8}  "
                   f"{escape(r.estimate)}")
    if a.warnings:
        out.append("")
        out.append(f"  [yellow]warnings ({len(a.warnings)}):[/yellow]")
        out += [f"  - {escape(w)}" for w in a.warnings[:MAX_WARNINGS]]
        if len(a.warnings) > MAX_WARNINGS:
            out.append(f"  ... and {len(a.warnings) - MAX_WARNINGS} more in the report")
    out.append("")
    out.append(f"  suite  {escape(v.suite_text(a))}")
    return out


def plain(lines: list[str]) -> list[str]:
    """The summary without markup."""
    return [render(line).plain for line in lines]
