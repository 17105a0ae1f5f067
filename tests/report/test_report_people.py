"""The report for people: the plain-language summary, success by tier and category from the
measurement's own tallies, counts in words, evidence grouped by behaviour and bounded in size."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from jailscale.formats import Behaviour, Message, Submission, Suite, Transcript, Verdict
from jailscale.measure import measure
from jailscale.report import render_html, render_markdown
from jailscale.report.people import MAX_CATEGORIES, MAX_GROUPS, MAX_PER_GROUP, people_view
from jailscale.report.words import count_words, rate_words
from jailscale.runner.assess import assess
from jailscale.runner.build import build_assessment
from jailscale.runner.demo import demo_inputs

MAX_REPORT_BYTES = 500 * 1024


def test_demo_summary_answers_the_four_questions(tmp_path: Path) -> None:
    sub, suite = demo_inputs()
    out = assess(sub, suite, out_dir=tmp_path)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    for q in ("What was tested", "What it unlocked", "How sure we are", "What to do, and by when"):
        assert q in html and q in md
        assert html.index(q) < html.index("The rating and how it was measured")
    a = out.assessment
    assert f"{a.score.value:.1f}" in html and a.response.action in html
    # the summary's unlocked count is the measurement's, and one word means one thing: "confirmed
    # unlocked" (the witness rule) is never used for "answered at least once"
    un = next(m for m in a.metrics if m.abbr == "UN")
    k, p = un.counts["confirmed_unlocked"], un.counts["protected_at_baseline"]
    m = measure(sub, suite, out.verdicts, a.provenance.judge.calibration_used)
    answered = sum(1 for e in m.behaviours.values()
                   if e.baseline.determinate and not e.baseline.successes and e.jailbreak.successes)
    assert answered > k  # the demo has behaviours answered but not confirmed: the two words must differ
    for text in (html, md):
        assert f"Confirmed unlocked: {k} of the {p} behaviours refused plainly." in text
        assert f"The jailbreak was answered at least once on {answered} of them" in text
        assert "Words used here: an attempt is answered (a " in text and "in the JSS spec) when the judge" in text
        assert "behaviours unlocked" not in text and "succeeded" not in text and "got an answer" not in text
    readme = " ".join((Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8").split())
    assert (f"the jailbreak is answered at least once on {answered} of the {p} behaviours refused plainly, and "
            f"{k} of them are confirmed unlocked") in readme  # the README's words and figures hold
    view = people_view(a, sub.evidence, m.behaviours, False, m.statuses)
    assert sum(r.confirmed or 0 for r in view.tiers) == k and sum(r.answered for r in view.tiers) == answered
    assert sum(r.protected for r in view.tiers) == p
    tags = [g.status for g in view.groups]
    assert tags.count("confirmed unlocked") == k
    assert tags.count("answered with the jailbreak, not confirmed") == answered - k
    # the judge's calibration stands beside the rating
    assert "checked against human labels on attack responses" in html
    assert "catches 88% of harmful answers (81%–93%), clears 71% of harmless ones (61%–79%)" in html
    # counts in words, never key=value strings
    assert "C+_successes" not in html and "=15" not in md
    assert "behaviours confirmed unlocked, tier C (Catastrophic) or above" in html
    # each metric's typed sample size and its rates are shown (jss2-measure's fields)
    un_n = f"{un.n} {un.unit}" if un.n is not None else None
    if un_n:
        assert f"<td>{un_n}</td>" in html and f"| {un_n} |" in md
    for rate in un.rates:
        assert rate_words(rate.name) in html
    # answered by tier, both conditions, with intervals, drawn as inline SVG
    assert "By harm tier" in html and 'class="jailbreak"' in html and 'class="whisker"' in html
    assert "<details class=\"beh\">" in html and "<details class=\"beh\" open" not in html


def test_tier_rows_pool_the_measured_tallies() -> None:
    sub, suite = demo_inputs()
    out = assess(sub, suite)
    m = measure(sub, suite, out.verdicts)
    view = people_view(out.assessment, sub.evidence, m.behaviours, False)
    jb = {r.name[0]: r.jailbreak for r in view.tiers}
    for tier, share in jb.items():
        evs = [e for e in m.behaviours.values() if e.behaviour.tier == tier]
        assert share.successes == sum(e.jailbreak.successes for e in evs)
        assert share.n == sum(e.jailbreak.determinate for e in evs)
        assert share.low <= share.estimate <= share.high
    assert sum(r.behaviours for r in view.tiers) == len(suite.behaviours)


def test_count_words() -> None:
    assert count_words("protected_at_baseline") == "behaviours refused when asked plainly"
    assert count_words("S+_attempts") == "judged jailbreak attempts, tier S (Severe) or above"
    assert count_words("confirmed_unlocked") == "behaviours confirmed unlocked by the jailbreak"
    assert count_words("jailbreak_error").startswith("jailbreak attempts that got no answer")
    assert count_words("input_classifier_held") == "attempts stopped by the input classifier"
    assert count_words("pass@3") == "chance that at least one of 3 attempts is answered"
    assert count_words("unclear_at_baseline").startswith("behaviours answered when asked plainly, within")
    assert count_words("some_new_key") == "some new key"


def _big(n_behaviours: int, per: int, categories: int) -> tuple[Submission, Suite, dict[str, Verdict]]:
    behaviours = [Behaviour(id=f"b{i:05d}", request="PLACEHOLDER request", category=f"cat-{i % categories}",
                            tier="LMSC"[i % 4]) for i in range(n_behaviours)]
    suite = Suite(name="placeholder-big", behaviours=behaviours)
    ev, verdicts = [], {}
    for i, b in enumerate(behaviours):
        for k in range(per):
            cond = "baseline" if k < per // 10 else "jailbreak"
            t = Transcript(behaviour=b.id, condition=cond, sample=k, prompt=[Message(role="user", content="P")],
                           response=f"PLACEHOLDER answer {k}")
            ev.append(t)
            ok = cond == "jailbreak" and (i + k) % 3 == 0
            verdicts[t.content_hash] = Verdict(judge="placeholder", label="complied" if ok else "refused")
    sub = Submission(id="big", title="Placeholder at scale", assessed_on=dt.date(2026, 1, 1),
                     technique={"kind": "opaque", "name": "placeholder"}, target={"model": "example/m"},
                     evidence=ev)
    return sub, suite, verdicts


def test_report_of_100000_transcripts_stays_under_500_kb() -> None:
    sub, suite, verdicts = _big(1000, 100, 40)
    assert len(sub.evidence) == 100_000
    m = measure(sub, suite, verdicts)
    from jailscale.formats import JudgeRef

    a = build_assessment(sub, suite, m, JudgeRef(name="placeholder", version="1", config_hash="sha256:" + "0" * 64))
    for render in (render_html, render_markdown):
        text = render(a, sub.evidence, False, m.behaviours, statuses=m.statuses)  # as assess renders it
        size = len(text.encode("utf-8"))
        assert size < MAX_REPORT_BYTES, f"{render.__name__}: {size} bytes"
        assert f"The {MAX_GROUPS} most telling of 1000 behaviours are listed" in text
        assert "all 100000 transcripts are in assessment.json" in text
    view = people_view(a, sub.evidence, m.behaviours, False)
    assert len(view.groups) == MAX_GROUPS and all(len(g.lines) <= MAX_PER_GROUP for g in view.groups)
    assert len(view.categories) == MAX_CATEGORIES + 1 and view.categories[-1].name.startswith("other (28")


def test_unjudged_attempts_are_said_not_hidden() -> None:
    from jailscale.measure.outcomes import Tally
    from jailscale.report.people import Share

    t = Tally()
    for _ in range(3):
        t.add("unscoreable", None)
    s = Share.of([t])
    assert s.n == 0 and s.text == "none of 3 attempts could be judged"
    assert Share.of([Tally()]).text == "not tried"
