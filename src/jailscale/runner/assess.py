"""The main job: a submission with its evidence in, a stored, reproducible JSS assessment out.

Steps: check the evidence against the suite; judge every transcript (reusing stored verdicts of the
same judge, version and configuration); measure; build the assessment; write ``assessment.json``,
``report.md`` and ``report.html``; store everything in one transaction. A user's mistake stops the
run with a :class:`UserError` before anything is written or stored.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .. import baselines as registry
from .. import judges, spec
from ..errors import EnvironmentFault, UserError
from ..formats import Assessment, BaselineSet, Calibration, JudgeRef, Submission, Suite, Transcript, Verdict
from ..formats.evidence import behaviour_json, judge_input_hash
from ..formats.lines import LinesFile
from ..measure import Collector, measure_collected, safeguard_layers
from ..measure.outcomes import BehaviourEvidence
from ..measure.witnesses import Status
from ..report import render_html, render_markdown
from ..report.people import EvidenceSample
from ..textsafe import quote
from .build import assessment_json, build_assessment
from .digests import EvidenceRoot, SubmissionKey
from .outcome import Outcome
from .output import write_results
from .pool import JudgingPool, pool_for
from .spool import Spool
from .stages import NoStages, Stages

if TYPE_CHECKING:  # the store (SQLAlchemy) is imported only by a caller that opens one
    from concurrent.futures import Future

    from ..store import SpooledRow, Store


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


CHUNK = 2000
"""Transcripts judged, tallied and spooled together (and between two progress updates)."""

MAX_RECORDED_NAMES = 1000
"""Most names of recorded judges a pass keeps (to name them in a warning: ten are shown)."""

Chunk = list[tuple[int, Transcript]]
"""Transcripts with their place in the input (a line number, or a position in ``evidence``)."""


class Prepared(NamedTuple):
    """A chunk ready to judge (:meth:`Pass.prepare`): its transcripts, their stored JSON (when storing)
    and judge-input hashes, the stored verdicts found for them, and the transcripts still to judge."""

    chunk: Chunk
    bodies: list[str]
    inputs: dict[str, str]
    cached: dict[str, Verdict]
    todo: list[Transcript]


@dataclass(frozen=True)
class Evidence:
    """A submission's evidence as the assessment reads it: ``header`` (the submission without its
    transcripts) and ``chunks()``, its transcripts in order, a chunk at a time (callable again).

    ``whole`` is the submission when it was read whole (JSON, YAML, or built in memory): it was
    validated as one, and the outcome keeps its verdicts. A streamed one (JSON Lines) is checked
    chunk by chunk, and nothing grows with its length."""

    header: Submission
    chunks: Callable[[], Iterator[Chunk]]
    where: Callable[[int], str]
    whole: Submission | None = None

    @classmethod
    def of(cls, sub: Submission, size: int | None = None) -> Evidence:
        def chunks() -> Iterator[Chunk]:
            ev, n = sub.evidence, size or CHUNK
            for i in range(0, len(ev), n):
                yield list(enumerate(ev[i:i + n], start=i))
        return cls(sub.model_copy(update={"evidence": []}), chunks, lambda i: f"evidence[{i}]", sub)

    @classmethod
    def lines(cls, lines: LinesFile, size: int | None = None) -> Evidence:
        return cls(lines.header, lambda: lines.chunks(size or CHUNK), lambda n: f"{lines.shown} line {n}")


def _unknown_behaviour(suite: Suite, where: str, behaviour: str) -> UserError:
    return UserError(f"{where} names behaviour {quote(behaviour, 60)}, not in suite '{suite.name}' "
                     f"({len(suite.behaviours)} behaviours); pass the suite the evidence was collected on "
                     "with --suite")


def shipped_calibration(judge: judges.Judge) -> Calibration | None:
    """The judge's calibration on attack responses (the user's own under ``$JAILSCALE_HOME/calibrations``,
    else the shipped one): :func:`jailscale.judges.calibration_for`. None when there is none for this
    name, version and configuration."""
    return judges.calibration_for(judge, "attack_responses")


def matching_calibration(judge: judges.Judge, cal: Calibration | None) -> Calibration | None:
    """``cal`` if it is of this judge (name, version, and configuration when it names one, which a
    judge calibrated per configuration needs: a panel, the recorded judge; the rule of
    :func:`~jailscale.judges.calibration.records.configuration_mismatch`) on attack responses; a
    calibration of another judge is a user's mistake."""
    from ..judges.calibration.records import configuration_mismatch, unnamed_configuration

    if cal is None:
        return None
    if (cal.judge, cal.judge_version) == (judge.name, judge.version):
        unnamed = unnamed_configuration(cal, judge)
        if unnamed is not None:  # the phrase says what to do
            raise UserError(f"calibration of judge '{cal.judge}' v{cal.judge_version} does not apply: {unnamed}")
    if (cal.judge, cal.judge_version) != (judge.name, judge.version) or configuration_mismatch(cal, judge):
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
        count_failure(kinds, verdicts.get(t.content_hash))
    return failures_warning(kinds)


def count_failure(kinds: dict[str, int], v: Verdict | None) -> None:
    """Count an unscoreable verdict under its failure kind (for :func:`failures_warning`)."""
    if v is not None and v.label == "unscoreable":
        kind = v.failure or "unscoreable"
        kinds[kind] = kinds.get(kind, 0) + 1


def failures_warning(kinds: Mapping[str, int]) -> str | None:
    """The warning of :func:`failure_warning` from counts by failure kind."""
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
    return recorded_source_warning(judge, len(verdicts), any(v.label != "unscoreable" for v in verdicts.values()),
                                   {v.judge for t in sub.evidence for v in t.verdicts})


def recorded_source_warning(judge: judges.Judge, n_verdicts: int, any_scored: bool, present: set[str]) -> list[str]:
    """:func:`_recorded_source_warning` from what a pass over the evidence counted: how many verdicts,
    whether any was scored, and the names of the judges whose verdicts the transcripts carry."""
    source = getattr(judge, "source", None)
    if judge.name != "recorded" or source is None or not n_verdicts or any_scored:
        return []
    if source in present:
        return []
    shown = sorted(present)
    return [f"no transcript carries a recorded verdict from {source!r}, so none could be judged; the "
            f"submission's recorded judges are: {', '.join(shown[:10]) or 'none'} (choose one with -J source=NAME)"]


def assess(sub: Submission | Evidence, suite: Suite, *, judge_name: str = "rules",
           judge_options: dict[str, str] | None = None, policy: spec.Policy | None = None,
           out_dir: Path | None = None, store: Store | None = None, show_responses: bool = False,
           now: datetime | None = None, baselines: BaselineSet | None = None,
           calibration: Calibration | None = None, progress: Stages | None = None, jobs: int = 1) -> Outcome:
    """Judge, measure, build, write and store. ``sub`` is a whole submission or its
    :class:`Evidence` read in chunks (a JSON Lines file): either way the transcripts are judged,
    tallied and spooled a chunk at a time, so what the run holds does not grow with the evidence, and
    the same evidence gives the same assessment.

    ``baselines`` is the baseline set the submission's picks are taken from (default: the bundled
    set); the assessment records the set and the picks. ``now`` fixes ``created_at`` (default: the
    clock); when the store already holds this assessment, its stored time is the one written, printed
    and returned. ``calibration`` overrides the judge's shipped calibration (it must be of the same
    judge, on attack responses). ``progress`` is told of each stage (judging, measuring, writing,
    storing). ``jobs`` > 1 judges in that many worker processes (:mod:`.pool`: a CPU-bound judge only),
    with the same result. A bad transcript stops the run before anything is stored or written."""
    progress = progress or NoStages()
    ev = sub if isinstance(sub, Evidence) else Evidence.of(sub)
    if ev.whole is not None:
        check_evidence(ev.whole, suite)
    judge = judges.get(judge_name, **(judge_options or {}))
    header = ev.header
    measured, picks, pick_warnings = registry.pick(header, baselines or registry.bundled())
    dropped = set(picks.not_in_set) | set(picks.not_available)
    cal = matching_calibration(judge, calibration) if calibration is not None else shipped_calibration(judge)
    pool = pool_for(judge, judge_name, judge_options, suite, jobs)
    with Pass(header, suite, judge, store, dropped, keep=ev.whole is not None) as run:
        progress.begin("judging", len(ev.whole.evidence) if ev.whole is not None else None)
        if pool is None:
            for chunk in ev.chunks():
                run.add(chunk, ev.where)
                progress.advance(len(chunk))
        else:
            with pool:
                _judge_pooled(run, ev, pool, progress)
        progress.end()
        if not run.jailbreaks:
            raise UserError(f"submission '{header.id}' has no 'jailbreak' transcripts: there is nothing to assess")
        progress.begin("measuring")
        m = measure_collected(measured, run.collector, cal)
        m.warnings.extend(pick_warnings)
        failed = failures_warning(run.failures)
        if failed:
            m.warnings.append(failed)
        m.warnings[:0] = recorded_source_warning(judge, run.count_verdicts, run.any_scored,
                                                 run.recorded_judges)  # first: it explains the others
        ref = judge_ref(judge, cal)
        if run.panel is not None:
            ref = ref.model_copy(update={"panel": run.panel.record()})
            run.sample.also.update(run.panel.listed_transcripts)
        a = build_assessment(header, suite, m, ref, policy, now, baselines=picks,
                             evidence=(run.root.hexdigest(), run.count))
        if store is not None:  # a rerun reports the time the store already holds (the id leaves the time out)
            first = store.created_at(a.id)
            if first is not None and first != a.created_at:
                a = a.model_copy(update={"created_at": first})
        progress.end()
        # Render, store, then write: a result on disk is always one that was stored (when storing), and a
        # store failure leaves no reports behind for an assessment that does not exist.
        progress.begin("writing")
        files = (render_outputs(a, run.sample, show_responses, m.behaviours, statuses=m.statuses)
                 if out_dir is not None else {})
        progress.end()
        stored = False
        if store is not None:
            progress.begin("storing")
            store.save_streamed(header, suite, a, run.key.hexdigest(), run.count, run.spooled, run.spooled_links)
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
    return Outcome(a, run.verdicts, written, stored, run.judged, run.count - run.judged, files)


def _judge_pooled(run: Pass, ev: Evidence, pool: JudgingPool, progress: Stages) -> None:
    """The evidence's chunks prepared here, judged in ``pool`` and finished here in the order they were
    read; at most ``2 * pool.jobs`` chunks in flight, so what is held does not grow with the evidence."""
    flight: deque[tuple[Prepared, Future[list[Verdict]]]] = deque()

    def land() -> None:
        ready, verdicts = flight.popleft()
        run.finish(ready, pool.result(verdicts))
        progress.advance(len(ready.chunk))

    for chunk in ev.chunks():
        ready = run.prepare(chunk, ev.where)
        flight.append((ready, pool.submit([(t.behaviour, t) for t in ready.todo])))
        if len(flight) >= 2 * pool.jobs:
            land()
    while flight:
        land()


class Pass:
    """One pass over the evidence: each chunk's transcripts hashed once, checked against the suite,
    given their stored verdicts or judged (a CPU-bound judge in a plain loop), tallied for
    measurement, counted into the evidence root and the submission key, sampled for the report and,
    when storing, spooled to a temporary file for :meth:`Store.save_streamed`. What it holds grows
    with the suite, not with the evidence (``keep``: also keep every verdict, for a whole submission)."""

    def __init__(self, header: Submission, suite: Suite, judge: judges.Judge, store: Store | None,
                 dropped: set[str], keep: bool = False) -> None:
        self.suite, self.judge, self.store, self.dropped = suite, judge, store, dropped
        self.by_id = suite.by_id()
        self.text = {b.id: behaviour_json(b) for b in suite.behaviours}
        self.collector = Collector(suite, safeguard_layers(header))
        self.sample = EvidenceSample()
        self.root = EvidenceRoot()
        self.key = SubmissionKey(header.content_hash)
        self.verdicts: dict[str, Verdict] = {}
        self.keep = keep
        self.count = self.judged = self.jailbreaks = 0
        self.failures: dict[str, int] = {}  # unscoreable verdicts by failure kind
        #: for :func:`recorded_source_warning`: verdicts given, whether any was scored, and the judges
        #: whose verdicts the transcripts carry (at most MAX_RECORDED_NAMES names)
        self.count_verdicts = 0
        self.any_scored = False
        self.recorded_judges: set[str] = set()
        from ..judges.panel import PanelJudge, PanelTally

        self.panel = PanelTally(judge) if isinstance(judge, PanelJudge) else None
        self._spool = Spool() if store is not None else None

    def __enter__(self) -> Pass:
        return self

    def __exit__(self, *exc: object) -> None:
        self.root.close()
        if self._spool is not None:
            self._spool.close()

    def add(self, chunk: Chunk, where: Callable[[int], str]) -> None:
        """One chunk, judged in this process."""
        ready = self.prepare(chunk, where)
        self.finish(ready, self.judge_here(ready))

    def prepare(self, chunk: Chunk, where: Callable[[int], str]) -> Prepared:
        """A chunk's transcripts checked against the suite and hashed, their stored verdicts looked up,
        and those still to judge listed (for :meth:`judge_here` or a :class:`~.pool.JudgingPool`)."""
        by_id, judge = self.by_id, self.judge
        storing = self._spool is not None
        bodies: list[str] = []
        inputs: dict[str, str] = {}
        for place, t in chunk:
            b = by_id.get(t.behaviour)
            if b is None:
                raise _unknown_behaviour(self.suite, where(place), t.behaviour)
            if storing:
                bodies.append(t.stored_json())  # hashed and serialised once, for the store too
            inputs[t.content_hash] = judge_input_hash(b, t, self.text[t.behaviour])
        cached = (self.store.verdicts_for(inputs, judge.name, judge.version, judge.config_hash)
                  if self.store is not None else {})
        todo = [t for _, t in chunk if t.content_hash not in cached]
        return Prepared(chunk, bodies, inputs, cached, todo)

    def judge_here(self, ready: Prepared) -> list[Verdict]:
        """The verdicts of ``ready.todo``, judged in this process (a CPU-bound judge in a plain loop)."""
        if not ready.todo:
            return []
        judge = self.judge
        items = [(self.by_id[t.behaviour], t) for t in ready.todo]
        # the runner is the edge that owns the event loop (the judges library never calls asyncio.run)
        if judge.cpu_bound:
            return judge.judge_batch(items)
        import asyncio  # only for a judge that awaits (a model behind an API): not at start-up

        return asyncio.run(judge.judge_many(items))

    def finish(self, ready: Prepared, fresh: list[Verdict]) -> None:
        """Take a prepared chunk's fresh verdicts (one per ``ready.todo``, in order): tally, count, sample
        and spool the chunk. Chunks must be finished in the order they were read."""
        chunk, bodies, inputs, cached = ready.chunk, ready.bodies, ready.inputs, ready.cached
        spool = self._spool  # set when storing
        new = {t.content_hash: v for t, v in zip(ready.todo, fresh, strict=True)}
        self.judged += len(ready.todo)
        rows: list[tuple[object, ...]] = []
        links: list[tuple[object, ...]] = []
        for i, (_, t) in enumerate(chunk):
            h = t.content_hash
            v = new.get(h) or cached.get(h)
            if not (t.condition == "reference" and t.reference in self.dropped):
                self.collector.add(t, v)
            if t.condition == "jailbreak":
                self.jailbreaks += 1
            self.root.add(h)
            self.key.add(h)
            self.sample.add(t, v)
            count_failure(self.failures, v)
            if v is not None:
                self.count_verdicts += 1
                self.any_scored = self.any_scored or v.label != "unscoreable"
            if len(self.recorded_judges) < MAX_RECORDED_NAMES:
                self.recorded_judges.update(x.judge for x in t.verdicts)
            if self.panel is not None:
                self.panel.add(t, v)
            if self.keep and v is not None:
                self.verdicts[h] = v
            if spool is not None:  # the row's fields, its JSON texts made once here (SpooledRow's order), and its link
                fv = new.get(h)
                rows.append((h, inputs[h], t.behaviour, t.condition, t.reference, t.sample, bodies[i],
                             fv.model_dump_json() if fv is not None else None,
                             fv.label if fv is not None else None, fv.quality if fv is not None else None))
                links.append((h, ("[" + ",".join(x.model_dump_json() for x in t.verdicts) + "]")
                              if t.verdicts else "[]"))
        self.count += len(chunk)
        if spool is not None:
            spool.add(rows, links)

    def spooled(self) -> Iterator[SpooledRow]:
        """The spooled transcripts with their verdicts, in transcript-hash order (:mod:`.spool`; each
        call reads the spool from its start). The spool's rows are in :class:`SpooledRow`'s order."""
        from ..store import SpooledRow

        if self._spool is None:
            return
        yield from map(SpooledRow._make, self._spool.rows())

    def spooled_links(self) -> Iterator[tuple[str, str]]:
        """Each transcript's hash and the verdicts recorded with it (JSON text), in input order."""
        if self._spool is None:
            return
        yield from self._spool.links()


def render_outputs(a: Assessment, evidence: Submission | EvidenceSample, show_responses: bool,
                   behaviours: Mapping[str, BehaviourEvidence] | None = None,
                   verdicts: Mapping[str, Verdict] | None = None,
                   statuses: Mapping[str, Status] | None = None) -> dict[str, str]:
    """The three outputs' text. ``evidence``: the report's sample of it, or a whole submission with
    ``verdicts`` (by transcript hash); each transcript listed shows this assessment's verdict (and,
    with the measurement's ``statuses``, which behaviours are confirmed unlocked)."""
    if isinstance(evidence, Submission):
        sample = EvidenceSample()
        for t in evidence.evidence:
            sample.add(t, (verdicts or {}).get(t.content_hash))
    else:
        sample = evidence
    return {
        "assessment.json": assessment_json(a),
        "report.md": render_markdown(a, sample, show_responses=show_responses, behaviours=behaviours,
                                     statuses=statuses),
        "report.html": render_html(a, sample, show_responses=show_responses, behaviours=behaviours,
                                   statuses=statuses),
    }


def write_outputs(a: Assessment, sub: Submission, verdicts: dict[str, Verdict], out_dir: Path,
                  show_responses: bool, behaviours: Mapping[str, BehaviourEvidence] | None = None) -> list[Path]:
    """Write the three outputs together (:func:`jailscale.runner.output.write_results`: all three or
    none, never through a link)."""
    return write_results(out_dir, render_outputs(a, sub, show_responses, behaviours, verdicts))
