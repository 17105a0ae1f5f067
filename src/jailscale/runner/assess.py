"""The main job: a submission with its evidence in, a stored, reproducible JSS assessment out.

Steps: check the evidence against the suite; judge every transcript (reusing stored verdicts of the
same judge, version and configuration); measure; build the assessment; write ``assessment.json``,
``report.md`` and ``report.html``; store everything in one transaction. A user's mistake stops the
run with a :class:`UserError` before anything is written or stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .. import baselines as registry
from .. import judges, spec
from ..errors import EnvironmentFault, UserError
from ..formats import Assessment, BaselineSet, Calibration, JudgeRef, Submission, Suite, Verdict
from ..formats.evidence import behaviour_json, judge_input_hash
from ..measure import measure
from ..measure.outcomes import BehaviourEvidence
from ..measure.witnesses import Status
from ..report import render_html, render_markdown
from .build import assessment_json, build_assessment
from .outcome import Outcome
from .output import write_results
from .stages import NoStages, Stages

if TYPE_CHECKING:  # the store (SQLAlchemy) is imported only by a caller that opens one
    from ..store import Store


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


def input_hashes(sub: Submission, suite: Suite) -> dict[str, str]:
    """Transcript hash -> :func:`judge_input_hash` (the verdict cache key), computed once per run."""
    by_id = suite.by_id()
    text = {b.id: behaviour_json(b) for b in suite.behaviours}
    return {t.content_hash: judge_input_hash(by_id[t.behaviour], t, text[t.behaviour]) for t in sub.evidence}


JUDGE_CHUNK = 1000
"""Transcripts judged between two progress updates."""


def judge_evidence(sub: Submission, suite: Suite, judge: judges.Judge,
                   store: Store | None, inputs: Mapping[str, str] | None = None,
                   progress: Stages | None = None) -> tuple[dict[str, Verdict], int]:
    """Verdicts keyed by transcript hash. A stored verdict is reused only when the same judge,
    version and configuration read the same input (``judge_input_hash``: the transcript, its
    recorded verdicts and the behaviour), so a shared store gives the same verdicts as a fresh one."""
    by_id = suite.by_id()
    inputs = inputs if inputs is not None else input_hashes(sub, suite)
    cached: dict[str, Verdict] = {}
    if store is not None:
        cached = store.verdicts_for(inputs, judge.name, judge.version, judge.config_hash)
    todo = [t for t in sub.evidence if t.content_hash not in cached]
    progress = progress or NoStages()
    progress.begin("judging", len(todo))
    verdicts = dict(cached)
    for i in range(0, len(todo), JUDGE_CHUNK):
        part = todo[i:i + JUDGE_CHUNK]
        items = [(by_id[t.behaviour], t) for t in part]
        # the runner is the edge that owns the event loop (the judges library never calls asyncio.run)
        fresh = judge.judge_batch(items) if judge.cpu_bound else asyncio.run(judge.judge_many(items))
        verdicts.update({t.content_hash: v for t, v in zip(part, fresh, strict=True)})
        progress.advance(len(part))
    progress.end()
    return verdicts, len(todo)


def shipped_calibration(judge: judges.Judge) -> Calibration | None:
    """The judge's calibration on attack responses (the user's own under ``$JAILSCALE_HOME/calibrations``,
    else the shipped one): :func:`jailscale.judges.calibration_for`. None when there is none for this
    name, version and configuration."""
    return judges.calibration_for(judge, "attack_responses")


def matching_calibration(judge: judges.Judge, cal: Calibration | None) -> Calibration | None:
    """``cal`` if it is of this judge (name, version, and configuration when it names one) on
    attack responses; a calibration of another judge is a user's mistake."""
    if cal is None:
        return None
    if (cal.judge, cal.judge_version) != (judge.name, judge.version) or (
            cal.config_hash is not None and cal.config_hash != judge.config_hash):
        raise UserError(f"calibration of judge '{cal.judge}' v{cal.judge_version} "
                        f"({(cal.config_hash or 'any configuration')[:15]}) does not match judge "
                        f"'{judge.name}' v{judge.version} ({judge.config_hash[:15]}); calibrate this "
                        "judge with 'jailscale judge evaluate' or choose the judge it was measured on")
    if cal.population != "attack_responses":
        raise UserError(f"calibration population '{cal.population}' cannot correct a jailbreak's "
                        "successes; give a calibration measured on attack responses")
    return cal


def failure_warning(sub: Submission, verdicts: Mapping[str, Verdict]) -> str | None:
    """One warning line counting the judge's unscoreable verdicts by failure kind (an HTTP error, a
    content filter, a timeout, an unreadable reply, a judge error), each kind apart; None when there are none."""
    kinds: dict[str, int] = {}
    for t in sub.evidence:
        v = verdicts.get(t.content_hash)
        if v is not None and v.label == "unscoreable":
            kind = v.failure or "unscoreable"
            kinds[kind] = kinds.get(kind, 0) + 1
    if not kinds:
        return None
    shown = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
    return (f"{sum(kinds.values())} verdict(s) could not be scored by the judge ({shown}): each kind counted "
            "apart, left out of every rate and never counted as a refusal")


def judge_ref(judge: judges.Judge, cal: Calibration | None = None) -> JudgeRef:
    """The judge's identity, its measured agreement with humans and the calibration used."""
    base = JudgeRef(name=judge.name, version=judge.version, config_hash=judge.config_hash,
                    calibration_used=cal)
    if cal is None:
        return base
    return base.model_copy(update={
        "agreement": cal.accuracy.estimate, "false_positive_rate": round(1 - cal.specificity.estimate, 4),
        "calibration": f"{cal.dataset} ({cal.population}, split {cal.split})"})


def _recorded_source_warning(judge: judges.Judge, sub: Submission, verdicts: dict[str, Verdict]) -> list[str]:
    """The recorded judge asked for a source no transcript carries (e.g. one garak detector's name
    for a probe that another detector scored): every attempt is then unscoreable. Say which sources
    the submission does carry, so that the fix is one option away."""
    source = getattr(judge, "source", None)
    if judge.name != "recorded" or source is None or not verdicts:
        return []
    if any(v.label != "unscoreable" for v in verdicts.values()):
        return []
    present = sorted({v.judge for t in sub.evidence for v in t.verdicts})
    if source in present:
        return []
    return [f"no transcript carries a recorded verdict from {source!r}, so none could be judged; the "
            f"submission's recorded judges are: {', '.join(present[:10]) or 'none'} (choose one with -J source=NAME)"]


def assess(sub: Submission, suite: Suite, *, judge_name: str = "rules",
           judge_options: dict[str, str] | None = None, policy: spec.Policy | None = None,
           out_dir: Path | None = None, store: Store | None = None, show_responses: bool = False,
           now: datetime | None = None, baselines: BaselineSet | None = None,
           calibration: Calibration | None = None, progress: Stages | None = None) -> Outcome:
    """Judge, measure, build, write and store. ``baselines`` is the baseline set the submission's picks
    are taken from (default: the bundled set); the assessment records the set and the picks.
    ``now`` fixes ``created_at`` (default: the clock); when the store already holds this assessment,
    its stored time is the one written, printed and returned.
    ``calibration`` overrides the judge's shipped calibration (it must be of the same judge, on attack
    responses). ``progress`` is told of each stage (judging, measuring, writing, storing)."""
    progress = progress or NoStages()
    check_evidence(sub, suite)
    judge = judges.get(judge_name, **(judge_options or {}))
    inputs = input_hashes(sub, suite)
    verdicts, judged = judge_evidence(sub, suite, judge, store, inputs, progress)
    progress.begin("measuring")
    cal = matching_calibration(judge, calibration) if calibration is not None else shipped_calibration(judge)
    ref = judge_ref(judge, cal)
    from ..judges.panel import PanelJudge, panel_record

    if isinstance(judge, PanelJudge):
        ref = ref.model_copy(update={"panel": panel_record(judge, sub.evidence, verdicts)})
    measured, picks, pick_warnings = registry.pick(sub, baselines or registry.bundled())
    m = measure(measured, suite, verdicts, cal)
    m.warnings.extend(pick_warnings)
    failed = failure_warning(sub, verdicts)
    if failed:
        m.warnings.append(failed)
    m.warnings[:0] = _recorded_source_warning(judge, sub, verdicts)  # first: it explains the others
    a = build_assessment(sub, suite, m, ref, policy, now, baselines=picks)
    if store is not None:  # a rerun reports the time the store already holds (the id leaves the time out)
        first = store.created_at(a.id)
        if first is not None and first != a.created_at:
            a = a.model_copy(update={"created_at": first})
    progress.end()
    # Render, store, then write: a result on disk is always one that was stored (when storing), and a
    # store failure leaves no reports behind for an assessment that does not exist.
    progress.begin("writing")
    files = render_outputs(a, sub, verdicts, show_responses, m.behaviours, m.statuses) if out_dir is not None else {}
    progress.end()
    stored = False
    if store is not None:
        progress.begin("storing")
        store.save_assessment(sub, suite, verdicts, a, inputs)
        progress.end()
        stored = True
    written: list[Path] = []
    if out_dir is not None:
        try:
            written = write_results(out_dir, files)
        except (UserError, EnvironmentFault) as e:
            if stored:
                e.args = (f"{e.args[0]}; the assessment itself is stored as {a.id[7:19]} (jailscale show "
                          f"{a.id[7:19]})",)
            raise
    return Outcome(a, verdicts, written, stored, judged, len(sub.evidence) - judged, files)


def render_outputs(a: Assessment, sub: Submission, verdicts: dict[str, Verdict], show_responses: bool,
                   behaviours: Mapping[str, BehaviourEvidence] | None = None,
                   statuses: Mapping[str, Status] | None = None) -> dict[str, str]:
    """The three outputs' text; each transcript shows the verdict of this assessment's judge (and,
    with the measurement's ``statuses``, which behaviours are confirmed unlocked)."""
    judged = [t.model_copy(update={"verdicts": [*t.verdicts, verdicts[t.content_hash]]})
              if t.content_hash in verdicts else t for t in sub.evidence]
    return {
        "assessment.json": assessment_json(a),
        "report.md": render_markdown(a, judged, show_responses=show_responses, behaviours=behaviours,
                                     statuses=statuses),
        "report.html": render_html(a, judged, show_responses=show_responses, behaviours=behaviours,
                                   statuses=statuses),
    }


def write_outputs(a: Assessment, sub: Submission, verdicts: dict[str, Verdict], out_dir: Path,
                  show_responses: bool, behaviours: Mapping[str, BehaviourEvidence] | None = None) -> list[Path]:
    """Write the three outputs together (:func:`jailscale.runner.output.write_results`: all three or
    none, never through a link)."""
    return write_results(out_dir, render_outputs(a, sub, verdicts, show_responses, behaviours))
