"""``jailscale assess``'s parts that need no Typer, and its fast path for a rerun (issue 8: a rerun into a
store that holds the assessment at most 0.2x a fresh run).

Both ways into the command line use the same functions here: the Typer command
(:func:`jailscale.cli.assess_verbs.assess`) and :func:`attempt`, which :mod:`jailscale.cli._fast` calls
for ``jailscale assess FILE [options]`` before Typer is imported. The fast path serves only a rerun
that the shortcut of :mod:`jailscale.runner.rerun` would serve, and only in its plain form: one
submission file (not a folder), the options in :data:`VALUED` and :data:`FLAGS` (``--opt VALUE`` or
``--opt=VALUE``, each once but ``-J``), nothing configured outside the command line
(:func:`jailscale.cli._fast.configured`), and a store the standard-library reader opens
(:mod:`jailscale.store._fastread`: a SQLite file at the newest schema). It makes every check the full
path makes (:func:`jailscale.runner.rerun.lookup` is the same function), writes the same files and
prints the same lines. Anything else, a miss, or any error on the way gives None: the full path runs
from the start and does what it always does (reports the error, migrates the store, runs in full).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import EnvironmentFault, UserError
from ..runner.pool import MAX_JOBS
from ..textsafe import quote, terminal

if TYPE_CHECKING:
    from ..formats import Assessment
    from ..runner.outcome import Outcome
    from ..runner.rerun import RunInputs

#: The options the fast path reads, by their command-line names (the Typer command's, which a test
#: holds to be all of its options but those that send the command to the full path).
VALUED = {"--suite": "suite", "--judge": "judge", "--judge-arg": "judge_arg", "-J": "judge_arg", "--policy": "policy",
          "--out": "out", "--db": "db", "--baselines": "baselines", "--calibration": "calibration",
          "--created-at": "created_at", "--fail-on": "fail_on", "--jobs": "jobs"}
FLAGS = {"--show-responses": "show_responses", "--json": "as_json", "--quiet": "quiet", "-q": "quiet"}
#: Options that always take the full path: no store, a live run first, or help.
FULL_ONLY = ("--no-store", "--target", "--target-opt", "-T", "--samples", "--max-cost", "--resume", "--help")


def key_values(items: list[str]) -> dict[str, str]:
    """``-J KEY=VALUE`` options as a dict (UserError for one that is not KEY=VALUE)."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UserError(f"judge option {quote(item, 60)} is not KEY=VALUE (e.g. -J source=jailbreakbench/litellm "
                            "or -J base_url=http://127.0.0.1:8000/v1)")
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


# --- the fast path --------------------------------------------------------------------------------------
@dataclass
class Form:
    """A plain ``assess`` command line, as the Typer command would receive it."""

    submission: Path
    suite: str | None = None
    judge: str = "rules"
    judge_arg: list[str] = field(default_factory=list)
    policy: str | None = None
    out: Path = Path("jailscale-out")
    db: str | None = None
    baselines: str | None = None
    calibration: Path | None = None
    created_at: str | None = None
    fail_on: str | None = None
    show_responses: bool = False
    as_json: bool = False
    quiet: bool = False
    jobs: str = "1"  # how many processes would judge: nothing is judged when the run is served


def parse(args: list[str]) -> Form | None:
    """``args`` (after ``assess``) as a :class:`Form`, or None for anything but the plain form: one
    positional, known options each once (``-J`` any number of times), values that are not empty and do
    not start with ``-``; anything unknown, combined, abbreviated or repeated goes to the full path."""
    values: dict[str, object] = {}
    judge_arg: list[str] = []
    positional: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        i += 1
        if not a.startswith("-"):
            positional.append(a)
            continue
        name, eq, value = a.partition("=") if a.startswith("--") else (a, "", "")
        if name in FLAGS and not eq:
            if FLAGS[name] in values:
                return None
            values[FLAGS[name]] = True
            continue
        if name not in VALUED:
            return None
        if not eq:
            if i >= len(args):
                return None
            value = args[i]
            i += 1
        if not value or value.startswith("-"):
            return None
        dest = VALUED[name]
        if dest == "judge_arg":
            judge_arg.append(value)
        elif dest in values:
            return None
        else:
            values[dest] = value
    if len(positional) != 1:
        return None
    jobs = str(values.get("jobs", "1"))
    if not (jobs.isascii() and jobs.isdigit() and 1 <= int(jobs) <= MAX_JOBS):
        return None  # the full path refuses it
    form = Form(Path(positional[0]), judge_arg=judge_arg)
    for dest, given in values.items():
        setattr(form, dest, Path(str(given)) if dest in ("out", "calibration") else given)
    return form


def attempt(args: list[str]) -> int | None:
    """Serve ``jailscale assess ARGS`` from the store when it holds this exact run, and return the exit
    code; None when the full path must run it (not the plain form, a miss, or any error on the way)."""
    form = parse(args)
    if form is None:
        return None
    try:
        outcome = _served(form)
    except Exception:
        return None
    if outcome is None:
        return None
    from ._fast import fail

    try:
        print_outcome(outcome, form.as_json)
        gate(outcome.assessment, form.fail_on)
        sys.stdout.flush()
    except (UserError, EnvironmentFault) as e:
        return fail(str(e), e.exit_code)
    except BrokenPipeError:  # as the full path's user_errors: the reader went away
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except OSError as e:
        from ..runner.output import os_error

        err = os_error(e, f"cannot access {terminal(str(e.filename or 'a file'))[:200]}")
        return fail(str(err), getattr(err, "exit_code", 3))
    return 0


def _served(form: Form) -> Outcome | None:
    """The outcome of a rerun the shortcut serves, its outputs written; None on a miss or when the
    standard-library reader cannot open the store (the full path then runs)."""
    from ..runner import rerun
    from ..store._fastread import open_reader
    from ..store._paths import default_url, url_from_env

    f = form.submission
    if not f.is_file():  # a folder is a batch; anything else the full path refuses
        return None
    check_fail_on(form.fail_on)
    inputs = run_inputs(form.judge, form.judge_arg, form.policy, form.baselines, form.calibration, form.created_at,
                        form.show_responses)
    reader = open_reader(form.db or url_from_env() or default_url())
    if reader is None:
        return None
    try:
        digest = rerun.submission_digest(f)
        return rerun.serve(reader, digest, form.suite, f, inputs, form.out) if digest else None
    finally:
        reader.close()
