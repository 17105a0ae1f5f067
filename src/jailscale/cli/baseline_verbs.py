"""``jailscale rescore`` and ``jailscale baselines``: the baseline registry (JSS 2.0, UP)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import app, print_json, user_errors
from ._store import open_store

baselines_app = typer.Typer(help="The baseline registry: models that count as freely available for UP.",
                            no_args_is_help=True)
app.add_typer(baselines_app, name="baselines")

BaselinesOption = Annotated[str | None, typer.Option(
    "--baselines", help="Baseline set file (jailscale.baselines/1 YAML or JSON); default: the bundled set.")]


@baselines_app.command("show")
@user_errors
def baselines_show(
    file: Annotated[Path | None, typer.Argument(help="A baseline set file (default: the bundled set).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Validate and list a baseline set: each model, its kind, the date it became available, its source.

    Example: jailscale baselines show my-baselines.yaml
    """
    from .. import baselines
    from ..textsafe import terminal

    s = baselines.load_arg(str(file) if file else None)
    if as_json:
        print_json({**s.model_dump(mode="json"), "hash": s.content_hash})
        return
    print(f"baseline set {terminal(s.name)} as of {s.as_of} ({len(s.baselines)} models, {s.content_hash[:19]})")
    for b in s.baselines:
        until = f" until {b.available_until}" if b.available_until else ""
        print(f"  {terminal(b.id):<40} {b.kind:<12} from {b.available_from}{until}  {terminal(b.source)}")


@app.command()
@user_errors
def rescore(
    ref: Annotated[str, typer.Argument(help="Stored assessment id (a prefix of 6+ characters) or an "
                                       "assessment.json file whose evidence is in the store.")],
    baselines_file: Annotated[Path, typer.Option("--baselines", help="The new baseline set file.")],
    policy: Annotated[str | None, typer.Option(help="Response policy YAML (default: jss-default-1.0).")] = None,
    db: Annotated[str | None, typer.Option(help="Database URL (default: $JAILSCALE_DATABASE_URL, else "
                                           "SQLite in $JAILSCALE_HOME).")] = None,
    no_store: Annotated[bool, typer.Option("--no-store", help="Do not store the re-scored assessment.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Re-score an assessment's stored evidence against another baseline set: nothing is re-judged; UP
    is measured again with the picks the new set lists, and picks it no longer lists are reported.

    Example: jailscale rescore 3f2a9c --baselines baselines-2026-12.yaml
    """
    from .. import baselines
    from ..policy_io import resolve_policy
    from ..runner.rescore import rescore as run_rescore
    from ..textsafe import terminal
    from .store_verbs import _load

    bset = baselines.load(baselines_file)
    before = _load(ref, db)
    pol = resolve_policy(policy) if policy else None
    with open_store(db) as store:
        assert store is not None
        out = run_rescore(store, before, bset, policy=pol, save=not no_store)
    a = out.after
    if as_json:
        print_json({"before": {"id": before.id, "vector": before.vector, "score": before.score.model_dump()},
                    "after": a.model_dump(mode="json"), "no_longer_in_set": out.no_longer_in_set,
                    "dropped": out.dropped, "stored": out.stored})
        return

    def score(x: object) -> str:
        from ..formats import Assessment

        assert isinstance(x, Assessment)
        s = x.score
        return (f"withheld (range {s.low:.1f}-{s.high:.1f})" if s.withheld else f"{s.value:.1f} {s.rating}")

    print(f"re-scored {before.id[7:19]} against baseline set {terminal(bset.name)} as of {bset.as_of} "
          f"({bset.content_hash[:19]})")
    print(f"  before: {before.vector}  {score(before)}")
    print(f"  after:  {a.vector}  {score(a)}")
    used = ", ".join(terminal(p.id) for p in a.baselines.picked) if a.baselines else ""
    print(f"  picks used: {used or 'none'}")
    if out.no_longer_in_set:
        gone = ", ".join(map(terminal, out.no_longer_in_set))
        print(f"  no longer in the set (reference evidence not counted): {gone}")
    if a.baselines and a.baselines.not_available:
        print(f"  not public on {a.assessed_on}: {', '.join(map(terminal, a.baselines.not_available))}")
    if out.stored:
        print(f"stored as {a.id[7:19]} (jailscale show {a.id[7:19]})")
