"""The main job: a submission with its evidence in, a stored, reproducible JSS assessment out.

Steps: check the evidence against the suite; judge every transcript (reusing stored verdicts of the
same judge, version and configuration); measure; build the assessment; write ``assessment.json``,
``report.md`` and ``report.html``; store everything in one transaction. A user's mistake stops the
run with a :class:`UserError` before anything is written or stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .. import baselines as registry
from .. import judges, spec
from ..errors import UserError
from ..formats import Assessment, BaselineSet, JudgeRef, Submission, Suite, Verdict
from ..measure import measure
from ..report import render_html, render_markdown
from ..store import Store
from .build import assessment_json, build_assessment


@dataclass
class Outcome:
    assessment: Assessment
    verdicts: dict[str, Verdict]
    written: list[Path]
    stored: bool
    judged: int
    reused: int


def check_evidence(sub: Submission, suite: Suite) -> None:
    """Every transcript must name a behaviour of the suite."""
    ids = suite.by_id()
    unknown = sorted({t.behaviour for t in sub.evidence if t.behaviour not in ids})
    if unknown:
        shown = ", ".join(f"'{u}'" for u in unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        raise UserError(f"submission '{sub.id}': evidence names behaviour(s) {shown} not in suite "
                        f"'{suite.name}' ({len(ids)} behaviours); pass the suite the evidence was "
                        "collected on with --suite")
    if not any(t.condition == "jailbreak" for t in sub.evidence):
        raise UserError(f"submission '{sub.id}' has no 'jailbreak' transcripts: there is nothing to assess")


def judge_evidence(sub: Submission, suite: Suite, judge: judges.Judge,
                   store: Store | None) -> tuple[dict[str, Verdict], int]:
    """Verdicts keyed by transcript hash; stored verdicts of the same judge configuration are reused."""
    hashes = [t.content_hash for t in sub.evidence]
    cached: dict[str, Verdict] = {}
    if store is not None:
        cached = store.verdicts_for(hashes, judge.name, judge.version, judge.config_hash)
    by_id = suite.by_id()
    todo = [t for t in sub.evidence if t.content_hash not in cached]
    fresh = judge.judge_all([(by_id[t.behaviour], t) for t in todo])
    verdicts = dict(cached)
    verdicts.update({t.content_hash: v for t, v in zip(todo, fresh, strict=True)})
    return verdicts, len(todo)


def judge_ref(judge: judges.Judge) -> JudgeRef:
    """The judge's identity and its measured agreement with humans. The false-positive rate used as
    HD's chance rate is the one on responses to harmful requests (``chance_fpr``)."""
    cal = judges.calibration_of(judge)
    if not cal:
        return JudgeRef(name=judge.name, version=judge.version, config_hash=judge.config_hash)
    return JudgeRef(name=judge.name, version=judge.version, config_hash=judge.config_hash,
                    agreement=cal.get("agreement"), false_positive_rate=cal.get("chance_fpr", cal.get("fpr")),
                    calibration=f"{cal.get('dataset')} (agreement); {cal.get('chance_dataset', cal.get('dataset'))} "
                                "(false-positive rate)")


def assess(sub: Submission, suite: Suite, *, judge_name: str = "rules",
           judge_options: dict[str, str] | None = None, policy: spec.Policy | None = None,
           out_dir: Path | None = None, store: Store | None = None, show_responses: bool = False,
           now: datetime | None = None, baselines: BaselineSet | None = None) -> Outcome:
    """Judge, measure, build, write and store. ``baselines`` is the baseline set the submission's picks
    are taken from (default: the bundled set); the assessment records the set and the picks."""
    check_evidence(sub, suite)
    judge = judges.get(judge_name, **(judge_options or {}))
    verdicts, judged = judge_evidence(sub, suite, judge, store)
    ref = judge_ref(judge)
    measured, picks, pick_warnings = registry.pick(sub, baselines or registry.bundled())
    m = measure(measured, suite, verdicts, chance=ref.false_positive_rate)
    m.warnings.extend(pick_warnings)
    a = build_assessment(sub, suite, m, ref, policy, now, baselines=picks)
    written: list[Path] = []
    if out_dir is not None:
        written = write_outputs(a, sub, verdicts, out_dir, show_responses)
    stored = False
    if store is not None:
        store.save_assessment(sub, suite, verdicts, a)
        stored = True
    return Outcome(a, verdicts, written, stored, judged, len(sub.evidence) - judged)


def write_outputs(a: Assessment, sub: Submission, verdicts: dict[str, Verdict], out_dir: Path,
                  show_responses: bool) -> list[Path]:
    """Write the three outputs; each transcript shows the verdict of this assessment's judge."""
    judged = [t.model_copy(update={"verdicts": [*t.verdicts, verdicts[t.content_hash]]})
              if t.content_hash in verdicts else t for t in sub.evidence]
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"cannot create output folder '{out_dir}': {e.strerror}") from None
    files = {
        "assessment.json": assessment_json(a),
        "report.md": render_markdown(a, judged, show_responses=show_responses),
        "report.html": render_html(a, judged, show_responses=show_responses),
    }
    paths = []
    for name, text in files.items():
        p = out_dir / name
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths
