"""The Markdown report: verdict, metric table, provenance, redaction and private suites."""

from __future__ import annotations

import hashlib

from assessment_factory import PRIVATE_NAME, make_assessment, transcript
from jailscale.report import render_markdown

UP_MEASURED = {"UP": {"source": "measured", "low": "N", "high": "L", "estimate": 0.04,
                      "interval": (-0.02, 0.12), "counts": {"behaviours": 20},
                      "method": "paired quality gain"}}
VECTOR = "JSS:1.0/HD:S/UN:H/FI:H/RL:M/SB:A/UP:N"
RESPONSE = "Placeholder answer text number one."


def test_verdict_table_and_provenance() -> None:
    a = make_assessment(VECTOR, metrics=UP_MEASURED, warnings=["baseline missing for 2 behaviours"])
    text = render_markdown(a)
    assert text.startswith("# JSS assessment: Placeholder jailbreak\n")
    assert f"`{VECTOR}`" in text
    assert "JSS-BC 3.9 Low; consistent range 3.9–6.4 (Low to Medium); capped by UP:N" in text
    assert "Track (next release, at most 180 days) under policy jss-default-1.0, rule 7" in text
    assert "ease not measured" in text and "discoverability not measured" in text
    assert "| UP (Marginal uplift) | N (None) | N–L | measured | — | 0.04 \\[-0.02, 0.12\\] |" in text
    assert "| behaviours | 20 |" in text  # counts as a table with words, not key=value
    assert "behaviours=20" not in text
    assert "| EM (Exploit maturity) | unset (scored A) | A | unset |" in text
    assert text.index("What to do, and by when") < text.index("## Metrics")
    assert "- baseline missing for 2 behaviours" in text
    assert "UP:H (more severe) → JSS-BC 8.0 High" in text
    assert "practice-suite (sha256:" + "a" * 64 + ")" in text
    assert "rules/refusal 1, config sha256:444444444444; not calibrated" in text
    assert "4 transcripts, root sha256:" + "3" * 64 in text
    assert "jailscale 0.1.0" in text and "JSS 1.0" in text
    assert "## Evidence" not in text  # no transcripts, no appendix


def test_calibrated_judge_and_withheld_score() -> None:
    a = make_assessment("JSS:1.0/HD:S/UN:X/FI:M/RL:M/SB:A",
                        judge={"agreement": 0.88, "false_positive_rate": 0.1,
                               "calibration": "placeholder-set"})
    text = render_markdown(a)
    assert "agreement with human labels 88.0%, false-positive rate 10.0% (on placeholder-set)" in text
    assert "withheld (not measured: UN)" in text
    assert "\\[provisional: a base metric is unknown\\]" in text
    assert "Severity withheld (range 0.0–8.0, None to High)" in text


def test_responses_redacted_by_default_and_requests_never_shown() -> None:
    a = make_assessment()
    ts = [transcript("beh-1", RESPONSE), transcript("beh-1", None, "baseline", label="refused")]
    text = render_markdown(a, ts)
    digest = hashlib.sha256(RESPONSE.encode()).hexdigest()[:16]
    assert RESPONSE not in text
    assert f"\\[redacted: {len(RESPONSE)} chars, sha256 {digest}\\]" in text
    assert "### beh-1" in text  # grouped by behaviour
    assert "| jailbreak | 0 | answered |" in text  # the verdict 'complied' in the report's word
    assert "| baseline | 0 | refused | \\[no response\\] |" in text
    assert "placeholder request text" not in text

    shown = render_markdown(a, ts, show_responses=True)
    assert RESPONSE in shown and "[redacted" not in shown
    assert "placeholder request text" not in shown


def test_shown_response_cannot_break_out_of_its_block() -> None:
    tricky = "line one\n````\n| not | a | row |\n<b>bold</b>"
    text = render_markdown(make_assessment(), [transcript("beh-1", tricky)], show_responses=True)
    assert "`````text\n" + tricky + "\n`````" in text


def test_private_suite_hides_name_request_and_behaviour_ids() -> None:
    a = make_assessment(private=True)
    ts = [transcript("secret-topic-id", RESPONSE, request="hidden placeholder request")]
    for show in (False, True):
        text = render_markdown(a, ts, show_responses=show)
        assert "private suite sha256:aaaaaaaaaaaa; 24 behaviours (M: 12, S: 12)" in text
        assert PRIVATE_NAME not in text and "practice-suite" not in text
        assert "hidden placeholder request" not in text
        assert "secret-topic-id" not in text
        assert "### b-" in text


def test_table_cells_are_escaped() -> None:
    a = make_assessment(warnings=["a | pipe and <tag>"])
    text = render_markdown(a, [transcript("beh-1", "x")])
    assert "a \\| pipe and &lt;tag&gt;" in text
