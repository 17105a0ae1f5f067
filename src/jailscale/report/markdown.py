"""The Markdown report of an assessment: verdict, metric table, warnings, what would change the
rating, provenance, and an optional evidence appendix with response text redacted by default."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..formats.assessment import Assessment
from ..formats.evidence import Transcript
from . import _view as v


def md(text: str) -> str:
    """Text safe inside a Markdown table cell or line: no raw HTML, no cell breaks, one line."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(md(c) for c in row) + " |" for row in rows]
    return out


def _fence(text: str) -> list[str]:
    """A fenced block longer than any backtick run in ``text``, so the text cannot close it."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + "text", text, fence]


def render_markdown(assessment: Assessment, transcripts: list[Transcript] | None = None,
                    show_responses: bool = False) -> str:
    """The assessment as a Markdown document. Response text appears only with ``show_responses``;
    request text never appears."""
    a = assessment
    out = [f"# JSS assessment: {md(a.title)}", ""]
    out += [f"- **Technique:** {md(a.technique)}", f"- **Target:** {md(a.target)}",
            f"- **Assessed on:** {md(a.assessed_on)}", ""]
    out += ["## Verdict", ""]
    out += [f"- **Vector:** `{a.vector}`",
            f"- **JSS:** {md(v.score_line(a))}",
            f"- **Recommended response:** {md(v.response_line(a))}",
            f"- **CJS:** {md(v.cjs_line(a))}", ""]

    out += ["## Metrics", ""]
    rows = [[f"{r.abbr} ({r.name})", r.value, r.range, r.source, r.estimate, r.counts,
             r.method + (f" ({r.breakdown})" if r.breakdown else "")] for r in v.metric_rows(a)]
    out += _table(["metric", "value", "consistent range", "source", "estimate [95% interval]",
                   "counts", "method / note"], rows)
    out.append("")
    out += ["### CJS axes", ""]
    out += _table(["axis", "value", "from"], [list(x) for x in v.cjs_axes(a.cjs)])
    out.append("")

    out += ["## Warnings", ""]
    out += [f"- {md(w)}" for w in a.warnings] or ["None."]
    out.append("")

    steps, changes = v.what_would_change(a)
    out += ["## How the score was reached", ""]
    out += [f"- {md(s)}" for s in steps]
    out += ["", "## What would change the rating", ""]
    out += [f"- {md(c)}" for c in changes] or ["No single-metric change moves the rating."]
    out.append("")

    out += ["## Provenance", ""]
    out += [f"- **{k}:** {md(val)}" for k, val in v.provenance_items(a)]
    out.append("")

    if transcripts is not None:
        out += _appendix(a, transcripts, show_responses)
    return "\n".join(out).rstrip("\n") + "\n"


def _appendix(a: Assessment, transcripts: list[Transcript], show_responses: bool) -> list[str]:
    ev = v.evidence_rows(a, transcripts, show_responses)
    out = ["## Evidence", ""]
    note = ("Response text is shown below." if show_responses else
            "Response text is redacted; each response is identified by its length and SHA-256.")
    out += [note + " Request text is never included.", ""]
    out += _table(["#", "behaviour", "condition", "sample", "verdict", "response"],
                  [[str(r.number), r.behaviour, r.condition, str(r.sample), r.verdict, r.response]
                   for r in ev])
    out.append("")
    for r in ev:
        if r.shown is not None:
            out += [f"### Response #{r.number} ({md(r.behaviour)}, {md(r.condition)}, sample {r.sample})", ""]
            out += [*_fence(r.shown), ""]
    return out
