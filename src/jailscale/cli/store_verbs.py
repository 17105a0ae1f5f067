"""``jailscale list``, ``show`` and ``compare``: read stored assessments."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import UserError
from ._common import app, print_json, user_errors
from ._store import open_store

if TYPE_CHECKING:  # the heavy modules are imported by the verbs that use them, not at start-up
    from ..formats import Assessment

DbOption = Annotated[str | None, typer.Option(help="Database URL (default: $JAILSCALE_DATABASE_URL, "
                                              "else SQLite in $JAILSCALE_HOME).")]


@app.command("list")
@user_errors
def list_(
    db: DbOption = None,
    limit: Annotated[int, typer.Option(min=1, help="How many, newest first.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List stored assessments, newest first.

    Example: jailscale list --limit 10
    """
    with open_store(db) as store:
        assert store is not None
        rows = store.list_assessments(limit=limit)
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    if not rows:
        print("no assessments stored yet: run `jailscale demo` or `jailscale assess FILE`")
        return
    for r in rows:
        score = "withheld" if r.score is None else f"{r.score:.1f}"
        print(f"{r.id[7:19]}  {r.created_at:%Y-%m-%d %H:%M}  {score:>8} {r.rating or '':<8}  "
              f"{r.title}  {r.vector}")


def _load(ref: str, db: str | None) -> Assessment:
    """An assessment from a file path (assessment.json) or a stored id prefix, refused (exit 2) when
    it fails its integrity check: its id, score, rating, label or range do not follow from its
    content, or a stored row's columns disagree with its body."""
    from ..formats import Assessment
    from ..formats.io import read_model
    from ..integrity import require_intact

    p = Path(ref)
    if p.suffix == ".json" or p.exists():
        if p.is_dir():
            p = p / "assessment.json"
        return require_intact(read_model(Assessment, p), str(p))
    with open_store(db) as store:
        assert store is not None
        a = store.get_assessment(ref.removeprefix("sha256:"))
        return require_intact(a, f"stored assessment {a.id[:19]}")


@app.command()
@user_errors
def show(
    ref: Annotated[str, typer.Argument(help="Stored assessment id (a prefix of 6+ characters) or an "
                                       "assessment.json file.")],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the assessment as JSON.")] = False,
) -> None:
    """Show one assessment.

    Example: jailscale show 3f2a9c
    """
    a = _load(ref, db)
    if as_json:
        print_json(a.model_dump(mode="json"))
    else:
        from rich.console import Console

        from ..report.summary import summary_lines

        console = Console(highlight=False, soft_wrap=True)
        for line in summary_lines(a):
            console.print(line)


@app.command()
@user_errors
def compare(
    a: Annotated[str, typer.Argument(help="First assessment: id prefix or assessment.json.")],
    b: Annotated[str, typer.Argument(help="Second assessment: id prefix or assessment.json.")],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print Markdown.")] = False,
) -> None:
    """Compare two assessments of the same jailbreak metric by metric: which differences are real,
    which move the rating, and what would settle them.

    Example: jailscale compare lab/assessment.json evaluator/assessment.json
    """
    if as_json and markdown:
        raise UserError("choose one of --json and --markdown")
    from ..compare import compare as compare_assessments
    from ..report.compare import comparison_markdown, comparison_text

    c = compare_assessments(_load(a, db), _load(b, db))
    if as_json:
        print_json(c.to_dict())
    elif markdown:
        print(comparison_markdown(c), end="")
    else:
        print(comparison_text(c), end="")
