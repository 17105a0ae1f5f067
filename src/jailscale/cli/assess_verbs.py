"""``jailscale assess`` and ``jailscale demo``: the main job."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import UserError
from ..runner.pool import MAX_JOBS
from ..textsafe import terminal
from ._assess import check_fail_on, gate, gate_rating, print_outcome, rating_at_least, run_inputs
from ._common import app, print_json, user_errors

if TYPE_CHECKING:  # the heavy modules are imported by the verbs that use them, not at start-up
    from ..formats import Submission, Suite


def _resolve_suite(sub: Submission, suite_arg: str | None, submission_path: Path) -> Suite:
    """``--suite`` as typed; else the submission's ``suite:`` field: a suite file named relative to
    the submission (as ``jailscale import`` writes them) is found beside it, and must stay in the
    submission's folder (a file may not make jailscale read elsewhere)."""
    from .. import suites

    if suite_arg:
        return suites.load_suite_arg(suite_arg)
    if sub.suite:
        return suites.load_suite_arg(sub.suite, named_in=submission_path)
    raise UserError(f"submission '{sub.id}' names no suite; pass --suite (e.g. --suite practice)")


def _submission_files(paths: list[Path]) -> list[Path]:
    """The submission files named, a folder standing for the submission files in it (``*.json``,
    ``*.yaml``, ``*.yml``, not suites: ``*.suite.*``), sorted; each file once."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in (".json", ".yaml", ".yml")
                           and ".suite." not in f.name and not f.name.startswith("."))
            if not found:
                raise UserError(f"folder '{p}' holds no submission files (*.json, *.yaml)")
            out += found
        else:
            out.append(p)
    seen: set[Path] = set()
    return [p for p in out if not (p.resolve() in seen or seen.add(p.resolve()))]  # type: ignore[func-returns-value]


@app.command()
@user_errors
def assess(
    submissions: Annotated[list[Path], typer.Argument(
        metavar="SUBMISSION...", help="Submission files (YAML, JSON, or JSON Lines: *.jsonl, read in "
        "bounded memory) or folders of them.")],
    suite: Annotated[str | None, typer.Option(help="Suite: 'practice', a suite file, or FORMAT:PATH "
                                              "(jbb:, harmbench:, strongreject:, xstest:).")] = None,
    judge: Annotated[str, typer.Option(help="Judge name: rules (offline default), recorded, mock, an endpoint "
                                       "judge (jailscale judge list), or panel.")] = "rules",
    judge_arg: Annotated[list[str] | None, typer.Option("--judge-arg", "-J", help="Judge option KEY=VALUE, "
                                                        "e.g. -J source=jailbreakbench/litellm.")] = None,
    policy: Annotated[str | None, typer.Option(help="Response policy YAML (default: jss-default-1.0).")] = None,
    out: Annotated[Path, typer.Option(help="Folder for assessment.json, report.md, report.html (with several "
                                           "submissions, one sub-folder each).")] = Path("jailscale-out"),
    db: Annotated[str | None, typer.Option(help="Database URL (default: $JAILSCALE_DATABASE_URL, else "
                                           "SQLite in $JAILSCALE_HOME).")] = None,
    no_store: Annotated[bool, typer.Option("--no-store", help="Do not store the result.")] = False,
    show_responses: Annotated[bool, typer.Option(
        "--show-responses", help="Include response text in the reports (redacted by default).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the assessment as JSON (several: a list of "
                                                         "summaries).")] = False,
    baselines: Annotated[str | None, typer.Option(help="Baseline set file the submission's 'baselines' picks "
                                                  "come from (default: the bundled set).")] = None,
    calibration: Annotated[Path | None, typer.Option(
        help="The judge's calibration on attack responses (a jailscale.calibration/1 JSON file, from "
             "'jailscale judge evaluate'); default: the judge's shipped calibration, if any.")] = None,
    target: Annotated[str | None, typer.Option(help="Collect the evidence live first: run the submission's "
                                               "technique against PROVIDER/MODEL (as 'jailscale run' does, "
                                               "into OUT/run), then assess it.")] = None,
    target_opt: Annotated[list[str] | None, typer.Option("--target-opt", "-T", help="Target option KEY=VALUE "
                                                         "(with --target).")] = None,
    samples: Annotated[int, typer.Option(min=1, max=1000, help="Samples per behaviour (with --target).")] = 1,
    max_cost: Annotated[float | None, typer.Option(min=0.0, help="USD budget for --target.")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted --target run.")] = False,
    created_at: Annotated[str | None, typer.Option(
        "--created-at", metavar="TIME", help="Fix the assessment's creation time (ISO 8601, or seconds since "
        "the epoch) so the outputs are byte-identical across reruns and machines; default: "
        "$SOURCE_DATE_EPOCH, else now. A rerun into a store that holds the assessment keeps the stored time.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output (a large submission shows "
                                        "a bar on a terminal, plain lines on standard error otherwise).")] = False,
    jobs: Annotated[int, typer.Option("--jobs", min=1, max=MAX_JOBS, help="Judge in this many worker "
                                      "processes (a CPU-bound judge: rules, recorded): the same assessment, "
                                      "less waiting on a machine with free cores.")] = 1,
    fail_on: Annotated[str | None, typer.Option(
        "--fail-on", metavar="RATING", help="Exit 1 if any assessment is rated RATING or worse (None, Low, "
        "Medium, High, Critical); a withheld score counts at the top of its range.")] = None,
) -> None:
    """Assess a jailbreak from its evidence: judge, measure, score, report and store. Several
    submissions, or folders of them, are assessed one by one and summarised in a table.

    Without a calibration of the judge on attack responses, no success can be confirmed: the judged
    metrics are withheld and the score is reported as a range (JSS 2.0 section 5).

    A rerun into a store that holds this exact run (the same file bytes, suite, judge and options,
    calibration, policy, baselines, jailscale code, --created-at rule and --show-responses) writes the
    stored outputs again without reading, judging or measuring; any change runs in full.

    Exit codes: 0 done; 1 an assessment is rated at or above --fail-on; 2 bad input (in a batch, after
    the other submissions were assessed).

    Example: jailscale assess my-submission.yaml --suite practice --out reports/

    Example: jailscale --max-input-mb 8000 assess sweep.jsonl --suite practice --quiet

    Example: jailscale assess sweep.jsonl --suite practice --jobs 4
    Example: jailscale assess my-submission.yaml --baselines agreed-baselines.yaml

    Example: jailscale assess pair.yaml --judge recorded -J source=llama3 --calibration cal.json --json

    Example: jailscale assess imported/ --judge recorded -J source=garak/dan.DAN --fail-on High

    Panel: jailscale assess sub.yaml --judge panel -J judges=rules,jbb-llama3 -J rule=majority -J jbb-llama3.base_url=http://127.0.0.1:8000/v1

    Reproducible: SOURCE_DATE_EPOCH=1764504000 jailscale assess my-submission.yaml --out reports/

    Live: jailscale assess my-technique.yaml --target openai/gpt-4o-mini --suite practice --max-cost 2
    """
    from ..formats import Submission
    from ..formats.io import read_model
    from ..formats.lines import LinesFile, is_lines
    from ..runner import rerun
    from ..runner.stages import stages_for
    from ._gc import long_run
    from ._store import open_store

    check_fail_on(fail_on)
    if target is not None:
        from .run_verbs import collect_for_assess

        if len(submissions) != 1 or submissions[0].is_dir():
            raise UserError("--target collects evidence for one submission file; give exactly one")
        submissions = [collect_for_assess(submissions[0], target, target_opt or [], suite, samples, max_cost,
                                          resume, out / "run", quiet=as_json)]
    files = _submission_files(submissions)
    inputs = run_inputs(judge, judge_arg, policy, baselines, calibration, created_at, show_responses)
    batch = len(files) > 1
    rows: list[dict[str, object]] = []
    failed = False
    with open_store(db, no_store) as store:
        for f in files:
            progress = stages_for(f.stat().st_size if f.is_file() else 0, quiet)
            try:
                out_dir = out / _folder(f) if batch else out
                digest = rerun.submission_digest(f) if store is not None else None
                # this exact run is stored: write its outputs again (runner/rerun.py)
                served = rerun.serve(store, digest, suite, f, inputs, out_dir) if store is not None and digest else None
                if served is not None:
                    outcome = served
                else:
                    from ..runner.assess import Evidence
                    from ..runner.assess import assess as run_assess  # judges, measurement, reports

                    evidence: Submission | Evidence
                    if is_lines(f):  # streamed: the header now, the transcripts a chunk at a time while judging
                        lines = LinesFile.open(f)
                        sub, evidence = lines.header, Evidence.lines(lines)
                    else:
                        progress.begin("reading")
                        sub = evidence = read_model(Submission, f)
                        progress.end()
                    st = _resolve_suite(sub, suite, f)
                    with long_run():
                        outcome = run_assess(evidence, st, judge_name=judge,
                                             judge_options=dict(inputs.judge_options), policy=inputs.policy,
                                             out_dir=out_dir, store=store, show_responses=show_responses,
                                             baselines=inputs.baselines, calibration=inputs.calibration,
                                             now=inputs.now, progress=progress, jobs=jobs)
                    # kept for the next rerun only if the file did not change while it ran
                    if store is not None and digest and outcome.stored and outcome.files \
                            and rerun.submission_digest(f) == digest:
                        rerun.record(store, digest, rerun.suite_ref(suite, sub.suite), st, inputs,
                                     outcome.assessment, outcome.judged + outcome.reused, outcome.files)
            except UserError as e:
                if not batch:
                    raise
                failed = True
                rows.append({"file": str(f), "error": str(e)})
                continue
            finally:
                progress.close()
            if not batch:
                print_outcome(outcome, as_json)
                gate(outcome.assessment, fail_on)
                return
            rows.append(_summary_row(f, outcome))
    _print_batch(rows, as_json)
    gated = [r for r in rows if fail_on is not None and rating_at_least(r.get("gate_rating"), fail_on)]  # type: ignore[arg-type]
    if failed:
        raise UserError(f"{sum('error' in r for r in rows)} of {len(rows)} submission(s) could not be assessed "
                        "(see the table)")
    if gated:
        raise UserError(f"{len(gated)} assessment(s) rated {fail_on} or worse (--fail-on {fail_on})", exit_code=1)


def _folder(f: Path) -> str:
    from ..importers._common import safe_id

    return safe_id(f.stem)


def _summary_row(f: Path, outcome: object) -> dict[str, object]:
    from ..runner.outcome import Outcome

    assert isinstance(outcome, Outcome)
    a = outcome.assessment
    s = a.score
    return {"file": str(f), "id": a.id, "title": a.title, "score": s.value, "rating": s.rating,
            "withheld": s.withheld, "low": s.low, "high": s.high, "rating_low": s.rating_low,
            "rating_high": s.rating_high, "response": f"{a.response.action} ({a.response.within})",
            "gate_rating": gate_rating(a), "stored": outcome.stored,
            "report": str(next((p for p in outcome.written if p.name == "report.html"), "")) or None}


def _print_batch(rows: list[dict[str, object]], as_json: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    from ..textsafe import one_line

    if as_json:
        print_json(rows)
        return
    t = Table(title=f"{len(rows)} submission(s)", show_lines=False)
    for col in ("submission", "JSS", "rating", "response", "id"):
        t.add_column(col, overflow="fold", no_wrap=col in ("JSS", "rating", "id"))
    for r in rows:
        name = one_line(Path(str(r["file"])).name)
        name = name[:-5] if name.endswith(".json") else name  # the submission's name, whole on one line
        if "error" in r:
            t.add_row(name, "error", "", one_line(str(r["error"]), 200), "")
            continue
        score = f"{r['score']:.1f}" if r["score"] is not None and not r["withheld"] else (
            f"withheld ({r['low']:.1f}-{r['high']:.1f})")
        rating = str(r["rating"]) if not r["withheld"] else f"{r['rating_low']} to {r['rating_high']}"
        t.add_row(name, score, rating, str(r["response"]), str(r["id"])[7:19])
    Console(highlight=False, soft_wrap=True, width=160).print(t)


@app.command()
@user_errors
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the reports.")] = Path("jailscale-out/demo"),
    db: Annotated[str | None, typer.Option(help="Database URL (default: embedded SQLite).")] = None,
    no_store: Annotated[bool, typer.Option("--no-store", help="Do not store the result.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the assessment as JSON.")] = False,
    created_at: Annotated[str | None, typer.Option(
        "--created-at", metavar="TIME", help="Fix the creation time (ISO 8601, or seconds since the epoch); "
        "default: $SOURCE_DATE_EPOCH, else now.")] = None,
) -> None:
    """Run the whole job on bundled example evidence (neutral text) and leave a report to open.

    Example: jailscale demo && open jailscale-out/demo/report.html
    """
    from ..runner.assess import assess as run_assess
    from ..runner.build import creation_time
    from ..runner.demo import demo_inputs
    from ._store import open_store

    sub, st = demo_inputs()
    now = creation_time(created_at)
    with open_store(db, no_store) as store:
        outcome = run_assess(sub, st, judge_name="rules", out_dir=out, store=store, now=now)
    print_outcome(outcome, as_json)
    if not as_json:
        print(f"open {terminal(str(out / 'report.html'))} in a browser to read the report")
