"""``jailscale run``: collect evidence live (a technique against a target, with baselines) into a
submission; ``assess --target`` uses the same path. The event loop is owned here (asyncio.run)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import UserError
from ._common import app, user_errors

if TYPE_CHECKING:
    from ..formats import Assessment, Submission, Suite
    from ..runner.live import RunOptions, RunResult
    from ..runner.plan import RunPlan

CONDITIONS = ("baseline", "jailbreak", "reference")


def pick_references(sub: Submission, items: list[str],
                    baselines: str | None = None) -> tuple[Submission, dict[str, str]]:
    """``--reference ID[=PROVIDER/MODEL]``: reference alternatives to run plain requests on.

    An id of the baseline registry (``jailscale.baselines``; ``--baselines FILE`` for another set) is
    added to the submission's ``baselines`` picks when it is not there yet; without ``=ADDRESS`` it
    is reached as ``openai/<the entry's version>`` (an OpenAI-compatible server serving those
    weights: give its base_url with --reference-opt). A name declared in the submission's own
    ``references`` needs an address."""
    from .. import baselines as registry

    known = registry.load_arg(baselines).by_id()
    declared = {r.name for r in sub.references}
    picks = list(sub.baselines)
    out: dict[str, str] = {}
    for item in items:
        name, sep, address = (part.strip() for part in item.partition("="))
        entry = known.get(name)
        if not name or (sep and not address):
            raise UserError(f"--reference {item[:80]!r} is not ID or ID=PROVIDER/MODEL (e.g. --reference "
                            "meta/llama-3-70b-instruct=openai/meta-llama/Meta-Llama-3-70B-Instruct)")
        if entry is None and name not in declared:
            raise UserError(f"--reference {name[:80]!r} is neither in the baseline registry nor declared in the "
                            f"submission's references; registry ids include: {', '.join(sorted(known)[:6])}")
        if entry is not None and name not in declared and name not in picks:
            picks.append(name)
        if not address:
            if entry is None:
                raise UserError(f"--reference {name[:80]!r} is the submission's own alternative: give its "
                                "address as NAME=PROVIDER/MODEL")
            address = f"openai/{entry.version}"
        out[name] = address
    return sub.model_copy(update={"baselines": picks}), out


def build_plan(source: Path, *, target: str | None, target_opt: list[str], suite: str | None, samples: int,
               temperature: float, max_tokens: int, seed: int | None, conditions: str,
               reference: list[str], reference_opt: list[str], translator: str | None = None,
               translate_to: str = "French", baselines: str | None = None, attack: str | None = None,
               attacker: str | None = None, attacker_opt: list[str] | None = None,
               attack_opt: list[str] | None = None) -> tuple[RunPlan, Suite]:
    """A plan from a submission-like file (or a saved plan.json) and the command's options."""
    from pydantic import ValidationError

    from .. import suites
    from ..formats import Submission
    from ..formats.io import read_model
    from ..runner.plan import AttackSpec, RunPlan, TargetSpec
    from ..targets import Sampling, parse_options

    if source.suffix == ".json" and source.is_file():
        try:
            head = json.loads(source.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            head = None
        if isinstance(head, dict) and head.get("format") == "jailscale.plan/1":
            plan = read_model(RunPlan, source)
            return plan, suites.load_suite_arg(plan.suite)
    sub = read_model(Submission, source)
    suite_arg = suite or sub.suite
    if not suite_arg:
        raise UserError(f"submission '{sub.id}' names no suite; pass --suite (e.g. --suite practice)")
    st = suites.load_suite_arg(suite_arg)
    conds = [c.strip() for c in conditions.split(",") if c.strip()]
    bad = [c for c in conds if c not in CONDITIONS]
    if bad or not conds:
        raise UserError(f"--conditions {conditions[:80]!r}: use a comma list of {', '.join(CONDITIONS)}")
    sub, refs = pick_references(sub, reference, baselines)
    if refs and "reference" not in conds:
        conds.append("reference")
    ropts = parse_options(reference_opt)
    if (attack is None) != (attacker is None):
        raise UserError("a search attack needs both --attack NAME and --attacker PROVIDER/MODEL")
    try:
        search = AttackSpec(name=attack, attacker=TargetSpec(address=attacker, options=parse_options(
            attacker_opt or [])), options=parse_options(attack_opt or [])) if attack and attacker else None
        plan = RunPlan(
            submission=sub.model_copy(update={"evidence": []}), suite=suite_arg, suite_hash=st.content_hash,
            target=TargetSpec(address=target or sub.target.model, options=parse_options(target_opt)),
            references={n: TargetSpec(address=a, options=ropts) for n, a in refs.items()}, samples=samples,
            sampling=Sampling(temperature=temperature, max_tokens=max_tokens, seed=seed),
            conditions=conds,
            translator=TargetSpec(address=translator) if translator else None, translate_to=translate_to,
            attack=search)
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise UserError(f"cannot plan a run of '{str(source)[:120]}': {where + ': ' if where else ''}"
                        f"{err['msg'][:300]}") from None
    return plan, st


def execute(plan: RunPlan, st: Suite, out: Path, *, concurrency: int, resume: bool, max_requests: int | None,
            max_cost: float | None, cache: bool, cache_path: Path | None, quiet: bool) -> tuple[RunResult, Path]:
    """Run the plan (the one asyncio.run of the live path), then write the submission."""
    import asyncio

    from ..runner.collected import SUBMISSION, write_submission
    from ..runner.live import collect
    from ..runner.progress import progress_for

    out.mkdir(parents=True, exist_ok=True)
    (out / "plan.json").write_text(plan.model_dump_json(indent=2) + "\n", encoding="utf-8")
    opts = _run_options(concurrency, resume, max_requests, max_cost, cache, cache_path)
    result = asyncio.run(collect(plan, st, out, opts, progress_for(quiet=quiet)))
    sub_path = write_submission(plan, result.journal, out / SUBMISSION)
    summary: dict[str, Any] = {k: v for k, v in vars(result).items() if k != "journal"}
    summary.update(journal=str(result.journal), submission=str(sub_path), complete=result.complete)
    (out / "run.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return result, sub_path


def _run_options(concurrency: int, resume: bool, max_requests: int | None, max_cost: float | None, cache: bool,
                 cache_path: Path | None) -> RunOptions:
    from ..runner.live import RunOptions

    path = None
    if cache:
        home = Path(os.environ.get("JAILSCALE_HOME") or "~/.jailscale").expanduser()
        path = cache_path or home / "cache" / "responses.jsonl"
    return RunOptions(concurrency=concurrency, max_requests=max_requests, max_cost=max_cost, cache=path,
                      resume=resume)


def execute_adaptive(plan: RunPlan, st: Suite, out: Path, judge: str, *, concurrency: int, resume: bool,
                     max_requests: int | None, max_cost: float | None, cache: bool, cache_path: Path | None,
                     quiet: bool, as_json: bool = False) -> tuple[RunResult, Path, dict[str, Any]]:
    """``run --adaptive``: looks at 1, 2, 4, ... samples; stops once the rating is settled. Returns
    the run, its submission and the looks as a JSON-ready summary (printed as lines unless
    ``as_json``)."""
    import asyncio

    from ..runner.adaptive import collect_adaptive, max_looks
    from ..runner.assess import assess
    from ..runner.progress import progress_for

    def rate(sub: Submission, suite: Suite) -> Assessment:
        return assess(sub, suite, judge_name=judge).assessment

    out.mkdir(parents=True, exist_ok=True)
    (out / "plan.json").write_text(plan.model_dump_json(indent=2) + "\n", encoding="utf-8")
    opts = _run_options(concurrency, resume, max_requests, max_cost, cache, cache_path)
    r = asyncio.run(collect_adaptive(plan, st, out, rate, opts, progress_for(quiet=quiet)))
    summary: dict[str, Any] = {
        "looks": [{"samples": lk.samples, "items": lk.requests, "low": lk.low, "high": lk.high,
                   "rating_low": lk.rating_low, "rating_high": lk.rating_high} for lk in r.looks],
        "stopped_early": r.stopped_early, "planned_items": r.planned_items, "used_items": r.used_items,
        "saved_items": r.saved, "looks_bound": max_looks(plan.samples)}
    if not as_json:
        for lk in r.looks:
            print(f"look at {lk.samples} sample(s): {lk.requests} item(s), consistent range {lk.low:.1f}-"
                  f"{lk.high:.1f} ({lk.rating_low}-{lk.rating_high})")
        if r.stopped_early:
            print(f"adaptive: settled after {r.used_items} of {r.planned_items} planned item(s) ({r.saved} saved, "
                  f"{r.planned_items / max(1, r.used_items):.1f}x fewer); error bound K x e with K = "
                  f"{max_looks(plan.samples)} looks")
        else:
            print(f"adaptive: not settled early; ran {r.used_items} of {r.planned_items} planned item(s)")
    assert r.run is not None
    sub_path = r.submission or out / "submission.json"
    return r.run, sub_path, summary


def result_json(r: RunResult, sub_path: Path) -> dict[str, Any]:
    """What ``run --json`` prints: the counts of ``print_result``, machine-readable (as in run.json)."""
    return {"planned": r.planned, "recorded": r.already_done + r.recorded, "recorded_now": r.recorded,
            "recorded_before": r.already_done, "answered": r.answered, "blocked": r.blocked, "errors": r.errors,
            "requests": r.attempts, "retries": r.retries, "cache_hits": r.cache_hits,
            "input_tokens": r.input_tokens, "output_tokens": r.output_tokens, "cost": round(r.cost, 6),
            "stopped": r.stopped, "complete": r.complete, "journal": str(r.journal), "submission": str(sub_path)}


def print_result(r: RunResult, sub_path: Path) -> None:
    done = r.already_done + r.recorded
    print(f"run: {done}/{r.planned} item(s) recorded ({r.recorded} now, {r.already_done} before); "
          f"{r.answered} answered, {r.blocked} blocked, {r.errors} error(s) (never counted as refusals)")
    print(f"requests: {r.attempts} sent, {r.retries} retries, {r.cache_hits} from the cache; tokens "
          f"{r.input_tokens} in / {r.output_tokens} out; cost ${r.cost:.4f}")
    if r.stopped:
        print(f"stopped early: {r.stopped}; continue with --resume")
    print(f"wrote {sub_path}")


def estimate_json(plan: RunPlan, st: Suite) -> dict[str, Any]:
    """What ``run --dry-run --json`` prints: the plan's size and its worst-case cost."""
    from ..runner.collected import estimate

    e = estimate(plan, st)
    return {"dry_run": True, "target": plan.target.address, "samples": plan.samples, "items": e.items,
            "by_condition": dict(e.by_condition), "requests": e.requests, "input_tokens": e.input_tokens,
            "max_output_tokens": e.output_tokens, "max_cost": round(e.cost, 6), "priced": e.priced}


def print_estimate(plan: RunPlan, st: Suite) -> None:
    from ..runner.collected import estimate

    e = estimate(plan, st)
    conds = ", ".join(f"{n} {c}" for c, n in e.by_condition.items())
    print(f"plan: {e.items} item(s) ({conds}) on {plan.target.address}, {plan.samples} sample(s) each")
    print(f"requests: {e.requests} (before retries and cache hits); tokens about {e.input_tokens} in, "
          f"at most {e.output_tokens} out")
    print(f"cost: at most ${e.cost:.4f}" + ("" if e.priced else " (some targets have no price: pass "
                                             "--target-opt price_input=... price_output=...)"))
    print("dry run: nothing was sent")


def collect_for_assess(source: Path, target: str, target_opt: list[str], suite: str | None, samples: int,
                       max_cost: float | None, resume: bool, out: Path, quiet: bool) -> Path:
    """``assess --target``: run the submission's technique live with the run defaults, return the
    submission it wrote. An incomplete run (budget, rejected key) stops before assessing."""
    plan, st = build_plan(source, target=target, target_opt=target_opt, suite=suite, samples=samples,
                          temperature=0.0, max_tokens=512, seed=None, conditions="baseline,jailbreak",
                          reference=[], reference_opt=[])
    result, sub_path = execute(plan, st, out, concurrency=32, resume=resume, max_requests=None, max_cost=max_cost,
                               cache=True, cache_path=None, quiet=quiet)
    if not quiet:
        print_result(result, sub_path)
    if not result.complete:
        raise UserError(f"the live run in '{out}' stopped before it finished ({result.stopped or 'incomplete'}); "
                        "fix the cause and repeat the command with --resume", exit_code=1)
    return sub_path


TargetOpt = Annotated[list[str] | None, typer.Option("--target-opt", "-T", help="Target option KEY=VALUE, e.g. "
                                                     "-T base_url=http://127.0.0.1:8000/v1 -T timeout=30.")]


@app.command()
@user_errors
def run(
    source: Annotated[Path, typer.Argument(help="A submission-like file (technique, target, references; "
                                           "evidence ignored) or a saved plan.json.")],
    target: Annotated[str | None, typer.Option(help="PROVIDER/MODEL to run against (default: the "
                                               "submission's target.model).")] = None,
    target_opt: TargetOpt = None,
    suite: Annotated[str | None, typer.Option(help="Suite: practice, a suite file or FORMAT:PATH.")] = None,
    samples: Annotated[int, typer.Option(min=1, max=1000, help="Samples per behaviour and condition.")] = 1,
    temperature: Annotated[float, typer.Option(min=0.0, max=2.0, help="Sampling temperature.")] = 0.0,
    max_tokens: Annotated[int, typer.Option(min=1, help="Output tokens per answer.")] = 512,
    seed: Annotated[int | None, typer.Option(help="Sampling seed sent to targets that take one.")] = None,
    conditions: Annotated[str, typer.Option(help="Comma list of baseline, jailbreak, reference.")] =
        "baseline,jailbreak",
    reference: Annotated[list[str] | None, typer.Option(help="ID[=PROVIDER/MODEL]: a reference alternative "
                                                        "from the baseline registry (or the submission's own "
                                                        "references) to run plain requests on, for UP.")] = None,
    baselines: Annotated[str | None, typer.Option(help="Baseline set file for --reference ids (default: the "
                                                  "bundled registry).")] = None,
    reference_opt: Annotated[list[str] | None, typer.Option(help="KEY=VALUE for the reference targets.")] = None,
    translator: Annotated[str | None, typer.Option(help="PROVIDER/MODEL for the 'translate' transform.")] = None,
    translate_to: Annotated[str, typer.Option(help="Language for the 'translate' transform.")] = "French",
    out: Annotated[Path, typer.Option(help="Run folder: plan.json, journal.jsonl, submission.json, run.json.")]
        = Path("jailscale-run"),
    resume: Annotated[bool, typer.Option("--resume", help="Continue the run in --out from its journal.")] = False,
    concurrency: Annotated[int, typer.Option(min=1, max=1024, help="Requests in flight at most.")] = 32,
    max_requests: Annotated[int | None, typer.Option(min=0, help="Stop after this many attempts.")] = None,
    max_cost: Annotated[float | None, typer.Option(min=0.0, help="Stop before spending more USD.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan and its cost; send nothing.")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not reuse or store answers.")] = False,
    cache_file: Annotated[Path | None, typer.Option("--cache", help="Response cache file (default "
                                                    "$JAILSCALE_HOME/cache/responses.jsonl).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
    adaptive: Annotated[bool, typer.Option("--adaptive", help="Draw samples in doubling rounds and stop once "
                                           "the rating cannot change within the intervals "
                                           "(docs/guide/adaptive-sampling.md).")] = False,
    judge: Annotated[str, typer.Option(help="Judge for --adaptive's looks.")] = "rules",
    attack: Annotated[str | None, typer.Option(help="Search attack for an 'opaque' technique: pair.")] = None,
    attacker: Annotated[str | None, typer.Option(help="PROVIDER/MODEL of the attack's attacker model.")] = None,
    attacker_opt: Annotated[list[str] | None, typer.Option(help="KEY=VALUE for the attacker target.")] = None,
    attack_opt: Annotated[list[str] | None, typer.Option(help="KEY=VALUE for the attack: iterations, "
                                                         "streams (the query budget), judge.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result (or with --dry-run the plan and its "
                                          "cost) as JSON.")] = False,
) -> None:
    """Run a technique live against a target (jailbreak and baseline conditions, N samples) and
    write the evidence as a submission to assess.

    Example: jailscale run my-technique.yaml --target openai/gpt-4o-mini --suite practice --samples 3 --dry-run

    Example: jailscale run my-technique.yaml --target openai/my-model -T base_url=http://127.0.0.1:8000/v1 --out run1

    Example (after an interruption): jailscale run my-technique.yaml --out run1 --resume

    Then: jailscale assess run1/submission.json
    """
    plan, st = build_plan(source, target=target, target_opt=target_opt or [], suite=suite, samples=samples,
                          temperature=temperature, max_tokens=max_tokens, seed=seed, conditions=conditions,
                          reference=reference or [], reference_opt=reference_opt or [], translator=translator,
                          translate_to=translate_to, baselines=baselines, attack=attack, attacker=attacker,
                          attacker_opt=attacker_opt, attack_opt=attack_opt)
    from ._common import print_json

    if dry_run:
        if as_json:
            print_json(estimate_json(plan, st))
        else:
            print_estimate(plan, st)
        return
    if adaptive:
        result, sub_path, looks = execute_adaptive(plan, st, out, judge, concurrency=concurrency, resume=resume,
                                                   max_requests=max_requests, max_cost=max_cost,
                                                   cache=not no_cache, cache_path=cache_file, quiet=quiet,
                                                   as_json=as_json)
        if as_json:
            print_json({**result_json(result, sub_path), "adaptive": looks})
        else:
            print_result(result, sub_path)
        if result.stopped is None:
            return
        raise typer.Exit(1)
    result, sub_path = execute(plan, st, out, concurrency=concurrency, resume=resume, max_requests=max_requests,
                               max_cost=max_cost, cache=not no_cache, cache_path=cache_file, quiet=quiet)
    if as_json:
        print_json(result_json(result, sub_path))
    else:
        print_result(result, sub_path)
    if not result.complete:
        raise typer.Exit(1)


def collect_cell(plan_json: str, out: str, concurrency: int, resume: bool, cache: str | None) -> dict[str, Any]:
    """One sweep cell's collection, as a process entry point (a Ray task runs it in its worker, which
    owns its own event loop): the run's counts and the submission path."""
    import asyncio

    from .. import suites
    from ..runner.collected import SUBMISSION, write_submission
    from ..runner.live import RunOptions, collect
    from ..runner.plan import RunPlan

    plan = RunPlan.model_validate_json(plan_json)
    st = suites.load_suite_arg(plan.suite)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plan.json").write_text(plan.model_dump_json(indent=2) + "\n", encoding="utf-8")
    opts = RunOptions(concurrency=concurrency, resume=resume, cache=Path(cache) if cache else None)
    r = asyncio.run(collect(plan, st, folder, opts))
    sub = write_submission(plan, r.journal, folder / SUBMISSION)
    return {"recorded": r.already_done + r.recorded, "planned": r.planned, "errors": r.errors,
            "blocked": r.blocked, "cost": r.cost, "stopped": r.stopped, "submission": str(sub),
            "complete": r.complete}


def _ray_collect(jobs: list[tuple[str, str]], concurrency: int, resume: bool, cache: str | None,
                 address: str | None) -> list[dict[str, Any]]:
    try:
        import ray
    except ImportError:
        raise UserError("--executor ray requires optional dependencies. Install with: pip install "
                        "'jailscale[ray]'") from None
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    task = ray.remote(collect_cell)
    refs = [task.remote(plan_json, out, concurrency, resume, cache) for plan_json, out in jobs]
    return list(ray.get(refs))


@app.command()
@user_errors
def sweep(
    plan: Annotated[Path, typer.Argument(help="A sweep file (format: jailscale.sweep/1).")],
    out: Annotated[Path, typer.Option(help="Folder: one sub-folder per cell, summary.json, summary.md.")]
        = Path("jailscale-sweep"),
    resume: Annotated[bool, typer.Option("--resume", help="Continue every cell from its journal.")] = False,
    executor: Annotated[str, typer.Option(help="local (this machine) or ray (cells as Ray tasks).")] = "local",
    ray_address: Annotated[str | None, typer.Option(help="Ray cluster address (default: start a local "
                                                    "Ray, or use the one this process has).")] = None,
    concurrency: Annotated[int, typer.Option(min=1, max=1024, help="Requests in flight per cell.")] = 32,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not reuse or store answers.")] = False,
    db: Annotated[str | None, typer.Option(help="Database URL (default: $JAILSCALE_DATABASE_URL, else "
                                           "SQLite in $JAILSCALE_HOME).")] = None,
    no_store: Annotated[bool, typer.Option("--no-store", help="Do not store the assessments.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Run a matrix of techniques x targets x suites and assess every cell, with a summary table.

    Example: jailscale sweep sweep.yaml --out sweep1

    Example (cells as Ray tasks): jailscale sweep sweep.yaml --executor ray --ray-address auto
    """
    from ..formats import Submission
    from ..formats.io import read_model
    from ..runner.assess import assess as run_assess
    from ..runner.sweep import cells, load_sweep
    from ._common import print_json
    from ._store import open_store

    if executor not in ("local", "ray"):
        raise UserError(f"--executor {executor[:40]!r}: use local or ray")
    sw = load_sweep(plan)
    todo = cells(sw, plan.parent)
    cache = None
    if not no_cache:
        home = Path(os.environ.get("JAILSCALE_HOME") or "~/.jailscale").expanduser()
        cache = str(home / "cache" / "responses.jsonl")
    jobs = [(c.plan.model_dump_json(), str(out / "cells" / c.name)) for c in todo]
    if executor == "ray":
        runs = _ray_collect(jobs, concurrency, resume, cache, ray_address)
    else:
        runs = [collect_cell(p, o, concurrency, resume, cache) for p, o in jobs]
    rows: list[dict[str, Any]] = []
    with open_store(db, no_store) as store:
        for c, r in zip(todo, runs, strict=True):
            row: dict[str, Any] = {"cell": c.name, "technique": c.technique, "target": c.target,
                                   "suite": c.suite_arg, "items": f"{r['recorded']}/{r['planned']}",
                                   "errors": r["errors"], "blocked": r["blocked"], "cost": round(r["cost"], 6)}
            if r["complete"]:
                sub = read_model(Submission, Path(r["submission"]))
                outcome = run_assess(sub, c.suite, judge_name=sw.judge, out_dir=Path(r["submission"]).parent
                                     / "report", store=store)
                a = outcome.assessment
                row.update(vector=a.vector, score=a.score.value, rating=a.score.rating,
                           range=f"{a.score.low:.1f}-{a.score.high:.1f}", assessment=a.id)
            else:
                row.update(vector=None, score=None, rating=None, range=None, assessment=None,
                           stopped=r["stopped"])
            rows.append(row)
    summary = {"sweep": sw.name, "executor": executor, "cells": rows}
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    head = ["cell", "technique", "target", "suite", "items", "errors", "rating", "range", "vector"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    lines += ["| " + " | ".join(str(r.get(h) if r.get(h) is not None else "—").replace("|", "\\|")
                                for h in head) + " |" for r in rows]
    (out / "summary.md").write_text(f"# Sweep {sw.name}\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    if as_json:
        print_json(summary)
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"sweep {sw.name} ({len(rows)} cells, {executor})")
        for h in head:
            table.add_column(h)
        for r in rows:
            table.add_row(*(str(r.get(h)) if r.get(h) is not None else "—" for h in head))
        Console(soft_wrap=True).print(table)
        print(f"wrote {out / 'summary.json'} and {out / 'summary.md'}")
    if any(r["assessment"] is None for r in rows):
        raise typer.Exit(1)
