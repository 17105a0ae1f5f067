"""The Markdown report of an assessment, for the people who act on it: a plain-language summary,
success with and without the jailbreak by harm tier and by category, the metric table with counts
in words, warnings, what would change the rating, provenance, and the evidence grouped by
behaviour (bounded; response text redacted by default, request text never included).

Every piece of text from the assessment or the evidence goes through :mod:`jailscale.textsafe`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..formats.assessment import Assessment
from ..formats.evidence import Transcript
from ..measure.outcomes import BehaviourEvidence
from ..measure.witnesses import Status
from ..textsafe import markdown as md
from ..textsafe import markdown_block, markdown_code
from . import _view as v
from .people import GLOSSARY, MAX_PER_GROUP, EvidenceSample, GroupRow, PanelView, PeopleView, people_view, value_name
from .words import evidence_counts, metric_counts, rate_rows, sample_size


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(md(h) for h in header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(md(c) for c in row) + " |" for row in rows]
    return out


def _groups_table(title: str, rows: list[GroupRow]) -> list[str]:
    if not rows:
        return []
    out = [f"### {title}", ""]
    head = [title.split(" ", 1)[1].removeprefix("by ").capitalize(), "behaviours", "plain requests answered",
            "jailbreak attempts answered", "refused plainly", "of those, answered with the jailbreak"]
    confirmed = any(r.confirmed is not None for r in rows)
    out += _table(head + (["confirmed unlocked"] if confirmed else []),
                  [[r.name, str(r.behaviours), r.baseline.text, r.jailbreak.text, str(r.protected), str(r.answered)]
                   + ([str(r.confirmed) if r.confirmed is not None else "—"] if confirmed else []) for r in rows])
    return [*out, ""]


def render_markdown(assessment: Assessment, transcripts: Sequence[Transcript] | EvidenceSample | None = None,
                    show_responses: bool = False,
                    behaviours: Mapping[str, BehaviourEvidence] | None = None,
                    statuses: Mapping[str, Status] | None = None) -> str:
    """The assessment as a Markdown document. Response text appears only with ``show_responses``;
    request text never appears."""
    a = assessment
    view = people_view(a, transcripts, behaviours, show_responses, statuses)
    out = [f"# JSS assessment: {md(a.title)}", "", f"**{md(view.headline)}**", ""]
    for q, ans in view.summary:
        out += [f"- **{md(q)}:** {md(ans)}"]
    out += ["", f"*{md(GLOSSARY)}*", ""]
    out += [f"- **Technique:** {md(a.technique)}", f"- **Target:** {md(a.target)}",
            f"- **Assessed on:** {md(a.assessed_on)}", ""]

    if view.tiers or view.categories:
        out += ["## Answered with and without the jailbreak", "",
                "Shares of judged attempts that were answered, with 95% Wilson intervals (attempts pooled).", ""]
        out += _groups_table("Answered by harm tier", view.tiers)
        out += _groups_table("Answered by category", view.categories)

    out += ["## Verdict", ""]
    out += [f"- **Vector:** {markdown_code(a.vector)}",
            f"- **JSS:** {md(v.score_line(a))}",
            f"- **Recommended response:** {md(v.response_line(a))}",
            f"- **Judge:** {md(v.judge_text(a))}",
            f"- **CJS:** {md(v.cjs_line(a))}", ""]

    if view.panel is not None:
        out += _panel(view.panel, show_responses)

    out += ["## Metrics", ""]
    by = {m.abbr: m for m in a.metrics}
    rows = [[f"{r.abbr} ({r.name})", value_name(r.abbr, r.value) if r.value_rank is not None else r.value,
             r.range, r.source, sample_size(by[r.abbr]) if r.abbr in by else v.DASH, r.estimate]
            for r in v.metric_rows(a)]
    out += _table(["metric", "value", "consistent range", "source", "measured on", "estimate [95% interval]"],
                  rows)
    out.append("")
    for r in v.metric_rows(a):
        m = next(x for x in a.metrics if x.abbr == r.abbr)
        counts = metric_counts(m)
        rates = rate_rows(m)
        if counts or rates or r.method != v.DASH:
            out += [f"**{md(r.abbr)} ({md(r.name)}):** {md(r.method)}", ""]
            if rates:
                out += [*_table(["rate", "estimate [95% interval]"], rates), ""]
            if counts:
                out += [*_table(["count", "number"], counts), ""]
    out += ["### The evidence in numbers", ""]
    out += [*_table(["what", "number"], evidence_counts(a)), ""]
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
    out += [f"- **{md(k)}:** {md(val)}" for k, val in v.provenance_items(a)]
    out.append("")

    if transcripts is not None:
        out += _evidence(view, show_responses)
    return "\n".join(out).rstrip("\n") + "\n"


def _evidence(view: PeopleView, show_responses: bool) -> list[str]:
    out = ["## Evidence by behaviour", ""]
    note = ("Response text is shown below." if show_responses else
            "Response text is redacted; each response is identified by its length and SHA-256.")
    listed = (f"The {len(view.groups)} most telling of {view.groups_total} behaviours are listed"
              if view.groups_total > len(view.groups) else f"{view.groups_total} behaviours")
    out += [f"{note} Request text is never included. {listed}, with up to {MAX_PER_GROUP} attempts each; all "
            f"{view.transcripts_total} transcripts are in assessment.json and the store.", ""]
    for g in view.groups:
        head = f"### {md(g.name)}" + (f": {md(g.status)}" if g.status else "")
        out += [head, ""]
        if g.tier:
            out += [f"Tier {md(g.tier)}" + (f", category {md(g.category)}" if g.category else "")
                    + f". Plain requests: {md(g.baseline)}. With the jailbreak: {md(g.jailbreak)}.", ""]
        out += _table(["condition", "sample", "verdict", "response"],
                      [[ln.condition, str(ln.sample), ln.verdict,
                        "shown below" if ln.shown is not None else ln.response] for ln in g.lines])
        out.append("")
        for ln in g.lines:
            if ln.shown is not None:
                out += [f"Response ({md(ln.condition)}, sample {ln.sample}):", "", *markdown_block(ln.shown), ""]
        if g.more:
            out += [f"and {g.more} more attempts in assessment.json and the store.", ""]
    return out


def _panel(p: PanelView, show_responses: bool) -> list[str]:
    out = ["## Judge panel", "", f"Rule: {md(p.rule)}. Members: " + "; ".join(md(m) for m in p.members)
           + f". {p.transcripts} transcripts were put to the panel.", ""]
    out += [*_table(["pair", "both scored", "agreement", "Cohen's kappa"], [list(x) for x in p.pairs]), ""]
    if not p.disagreements:
        return [*out, "The members agreed on every transcript they all scored.", ""]
    note = "" if show_responses else (" Response text is redacted; each response is identified by its length "
                                      "and SHA-256.")
    shown = f"the first {len(p.rows)}" if p.more else "all"
    out += [f"The members disagreed on {p.disagreements} transcript(s); {shown} are listed.{note}", ""]
    out += _table(["behaviour", "attempt", "members' labels", "panel", "response"], [list(r) for r in p.rows])
    if p.more:
        out += ["", f"and {p.more} more disagreements (assessment.json counts them all and lists the first 50)."]
    return [*out, ""]
