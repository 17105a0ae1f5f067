"""``jailscale list``, ``show`` and ``compare``: read stored assessments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import UserError
from ..textsafe import terminal
from ._common import app, print_json, user_errors
from ._store import open_store

if TYPE_CHECKING:  # the heavy modules are imported by the verbs that use them, not at start-up
    from ..formats import Assessment

DbOption = Annotated[str | None, typer.Option(help="Database URL (default: $JAILSCALE_DATABASE_URL, "
                                              "else SQLite in $JAILSCALE_HOME).")]


def _day(text: str | None, what: str) -> dt.datetime | None:
    if text is None:
        return None
    try:
        d = dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{what} {text!r} is not a date; write YYYY-MM-DD") from None
    return dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC)


@app.command("list")
@user_errors
def list_(
    db: DbOption = None,
    limit: Annotated[int, typer.Option(min=1, help="How many, newest first.")] = 50,
    target: Annotated[str | None, typer.Option(help="Only targets containing this text.")] = None,
    technique: Annotated[str | None, typer.Option(help="Only techniques containing this text.")] = None,
    rating: Annotated[str | None, typer.Option(help="Only this rating (None, Low, Medium, High, Critical) or "
                                               "'withheld'.")] = None,
    since: Annotated[str | None, typer.Option(
        help="Only assessments stored on or after this date (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Only assessments stored before this date (YYYY-MM-DD).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List stored assessments, newest first: score (or the range of a withheld one), rating,
    technique, target, and the judge with its calibration.

    Example: jailscale list --limit 10

    Example: jailscale list --target gpt --rating withheld --since 2026-11-01 --json
    """
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from ..spec import RATINGS
    from ..textsafe import one_line
    from ._store import open_store

    if rating is not None and rating not in (*RATINGS, "withheld"):
        raise UserError(f"--rating {rating!r}: choose one of {', '.join(RATINGS)} or withheld")
    with open_store(db) as store:
        assert store is not None
        rows = store.list_assessments(limit=limit, target=target, technique=technique, rating=rating,
                                      since=_day(since, "--since"), until=_day(until, "--until"))
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    if not rows:
        filtered = any(x is not None for x in (target, technique, rating, since, until))
        print("no stored assessment matches the filters" if filtered else
              "no assessments stored yet: run `jailscale demo` or `jailscale assess FILE`")
        return
    t = Table(title=f"{len(rows)} stored assessment(s), newest first", show_lines=False)
    for col in ("id", "stored", "JSS", "rating", "technique", "target", "judge (calibration)"):
        t.add_column(col, overflow="fold")
    for r in rows:
        if r.withheld or r.score is None:
            lo, hi = (r.low or 0.0), (r.high or 0.0)
            score = f"withheld {lo:.1f}-{hi:.1f}"
            rated = r.rating_low if r.rating_low == r.rating_high else f"{r.rating_low} to {r.rating_high}"
        else:
            score, rated = f"{r.score:.1f}", r.rating or ""
        # the calibration's data set by name (the full description is in --json and `show`)
        judge = r.judge + (f" (calibrated on {r.calibration.split(' (', 1)[0].split(';', 1)[0]})"
                           if r.calibration else " (not calibrated)")
        # cells are rich markup: stored text is escaped so "[link=...]" cannot become a terminal link
        t.add_row(*(escape(c) for c in (r.id[7:19], f"{r.created_at:%Y-%m-%d %H:%M}", score, one_line(str(rated)),
                                        one_line(r.technique), one_line(r.target), one_line(judge))))
    Console(highlight=False, soft_wrap=True, width=200).print(t)


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
        print(terminal(comparison_markdown(c), keep_lines=True), end="")
    else:
        print(terminal(comparison_text(c), keep_lines=True), end="")
