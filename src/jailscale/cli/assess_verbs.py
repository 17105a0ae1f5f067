"""``jailscale assess`` and ``jailscale demo``: the main job."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import UserError
from ._common import app, print_json, user_errors

if TYPE_CHECKING:  # the heavy modules are imported by the verbs that use them, not at start-up
    from ..formats import Submission, Suite


def _key_values(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UserError(f"judge option '{item}' is not KEY=VALUE (e.g. -J source=jailbreakbench/litellm)")
        out[key] = value
    return out


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


def _print_outcome(outcome: object, as_json: bool) -> None:
    from rich.console import Console

    from ..report.summary import summary_lines
    from ..runner.assess import Outcome

    assert isinstance(outcome, Outcome)
    a = outcome.assessment
    if as_json:
        print_json(a.model_dump(mode="json"))
        return
    console = Console(highlight=False, soft_wrap=True)
    for line in summary_lines(a):
        console.print(line)
    print(f"judged {outcome.judged} transcript(s), reused {outcome.reused} stored verdict(s)")
    for p in outcome.written:
        print(f"wrote {p}")
    if outcome.stored:
        print(f"stored as {a.id[7:19]} (jailscale show {a.id[7:19]})")


@app.command()
@user_errors
def assess(
    submission: Annotated[Path, typer.Argument(help="A submission file (YAML or JSON).")],
    suite: Annotated[str | None, typer.Option(help="Suite: 'practice', a suite file, or FORMAT:PATH "
                                              "(jbb:, harmbench:, strongreject:, xstest:).")] = None,
    judge: Annotated[str, typer.Option(help="Judge name: rules (offline default), recorded, mock.")] = "rules",
    judge_arg: Annotated[list[str] | None, typer.Option("--judge-arg", "-J", help="Judge option KEY=VALUE, "
                                                        "e.g. -J source=jailbreakbench/litellm.")] = None,
    policy: Annotated[str | None, typer.Option(help="Response policy YAML (default: jss-default-1.0).")] = None,
    out: Annotated[Path, typer.Option(help="Folder for assessment.json, report.md, report.html.")] = Path(
        "jailscale-out"),
    db: Annotated[str | None, typer.Option(help="Database URL (default: $JAILSCALE_DATABASE_URL, else "
                                           "SQLite in $JAILSCALE_HOME).")] = None,
    no_store: Annotated[bool, typer.Option("--no-store", help="Do not store the result.")] = False,
    show_responses: Annotated[bool, typer.Option(
        "--show-responses", help="Include response text in the reports (redacted by default).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the assessment as JSON.")] = False,
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
) -> None:
    """Assess a jailbreak from its evidence: judge, measure, score, report and store.

    Without a calibration of the judge on attack responses, no success can be confirmed: the judged
    metrics are withheld and the score is reported as a range (JSS 2.0 section 5).

    Example: jailscale assess my-submission.yaml --suite practice --out reports/
    Example: jailscale assess my-submission.yaml --baselines agreed-baselines.yaml

    Example: jailscale assess pair.yaml --judge recorded -J source=llama3 --calibration cal.json --json

    Live: jailscale assess my-technique.yaml --target openai/gpt-4o-mini --suite practice --max-cost 2
    """
    from .. import baselines as registry
    from ..formats import Calibration, Submission
    from ..formats.io import read_model
    from ..policy_io import resolve_policy
    from ..runner.assess import assess as run_assess
    from ._store import open_store

    if target is not None:
        from .run_verbs import collect_for_assess

        submission = collect_for_assess(submission, target, target_opt or [], suite, samples, max_cost, resume,
                                        out / "run", quiet=as_json)
    sub = read_model(Submission, submission)
    st = _resolve_suite(sub, suite, submission)
    pol = resolve_policy(policy, checked=True)
    options = _key_values(judge_arg or [])
    bset = registry.load_arg(baselines)
    cal = read_model(Calibration, calibration) if calibration is not None else None
    with open_store(db, no_store) as store:
        outcome = run_assess(sub, st, judge_name=judge, judge_options=options, policy=pol, out_dir=out,
                             store=store, show_responses=show_responses, baselines=bset, calibration=cal)
    _print_outcome(outcome, as_json)


@app.command()
@user_errors
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the reports.")] = Path("jailscale-out/demo"),
    db: Annotated[str | None, typer.Option(help="Database URL (default: embedded SQLite).")] = None,
    no_store: Annotated[bool, typer.Option("--no-store", help="Do not store the result.")] = False,
) -> None:
    """Run the whole job on bundled example evidence (neutral text) and leave a report to open.

    Example: jailscale demo && open jailscale-out/demo/report.html
    """
    from ..runner.assess import assess as run_assess
    from ..runner.demo import demo_inputs
    from ._store import open_store

    sub, st = demo_inputs()
    with open_store(db, no_store) as store:
        outcome = run_assess(sub, st, judge_name="rules", out_dir=out, store=store)
    _print_outcome(outcome, False)
    print(f"open {out / 'report.html'} in a browser to read the report")
