"""``jailscale assess``'s parts that need no Typer: the options read into a run's inputs, what it prints
for one submission, and the ``--fail-on`` gate (the Typer command is :func:`jailscale.cli.assess_verbs.assess`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UserError
from ..textsafe import terminal

if TYPE_CHECKING:
    from ..formats import Assessment
    from ..runner.outcome import Outcome
    from ..runner.rerun import RunInputs


def key_values(items: list[str]) -> dict[str, str]:
    """``-J KEY=VALUE`` options as a dict (UserError for one that is not KEY=VALUE)."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UserError(f"judge option '{item}' is not KEY=VALUE (e.g. -J source=jailbreakbench/litellm)")
        out[key] = value
    return out


def check_fail_on(fail_on: str | None) -> None:
    from ..spec import RATINGS

    if fail_on is not None and fail_on not in RATINGS:
        raise UserError(f"--fail-on {fail_on!r} is not a rating; choose one of {', '.join(RATINGS)}")


def run_inputs(judge: str, judge_arg: list[str] | None, policy: str | None, baselines: str | None,
               calibration: Path | None, created_at: str | None, show_responses: bool) -> RunInputs:
    """What a run reads besides the submission and its suite, from the options (UserError for a bad one)."""
    from .. import baselines as registry
    from ..formats import Calibration
    from ..formats.io import read_model
    from ..policy_io import resolve_policy
    from ..runner.build import creation_time
    from ..runner.rerun import RunInputs


    pol = resolve_policy(policy, checked=True)
    options = key_values(judge_arg or [])
    bset = registry.load_arg(baselines)
    cal = read_model(Calibration, calibration) if calibration is not None else None
    if cal is not None and cal.count_problems():  # figures tighter than its counts would lower tops (spec 5.1)
        raise UserError(f"calibration file '{terminal(str(calibration)[:200])}': {cal.count_problems()[0]}; "
                        "give the file 'jailscale judge evaluate' wrote, unedited")
    return RunInputs(judge, options, pol, bset, cal, creation_time(created_at), show_responses)


def print_outcome(outcome: Outcome, as_json: bool) -> None:
    """What ``assess`` prints for one submission: the summary and the files written, or the JSON."""
    from ._calc import print_json

    a = outcome.assessment
    if as_json:
        print_json(a.model_dump(mode="json"))
        return
    from rich.console import Console

    from ..report.summary import summary_lines

    console = Console(highlight=False, soft_wrap=True)
    for line in summary_lines(a):
        console.print(line)
    print(f"judged {outcome.judged} transcript(s), reused {outcome.reused} stored verdict(s)")
    for p in outcome.written:
        print(f"wrote {terminal(str(p))}")
    if outcome.stored:
        print(f"stored as {a.id[7:19]}, created {a.created_at.isoformat()} (jailscale show {a.id[7:19]})")


def rating_at_least(rating: str | None, floor: str) -> bool:
    from ..spec import RATINGS

    return rating is not None and RATINGS.index(rating) >= RATINGS.index(floor)


def gate_rating(a: Assessment) -> str | None:
    """The rating ``--fail-on`` compares: the rating, or for a withheld score the top of its range (a
    measurement that withholds must not pass a gate that a full one would fail)."""
    s = a.score
    return s.rating_high if s.withheld or s.value is None else s.rating


def gate(a: Assessment, fail_on: str | None) -> None:
    if fail_on is not None and rating_at_least(gate_rating(a), fail_on):
        raise UserError(f"rated {gate_rating(a)}, at or above --fail-on {fail_on}", exit_code=1)
