"""``jailscale export`` and ``jailscale delete``: stored assessments out to other tools, or away."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import UserError
from ._common import app, print_json, user_errors

if TYPE_CHECKING:
    from ..exports import ExportInput
    from ..store import Store

DbOption = Annotated[str | None, typer.Option(help="Database URL (default: $JAILSCALE_DATABASE_URL, "
                                              "else SQLite in $JAILSCALE_HOME).")]
FORMATS = ("avid", "sarif", "inspect")


def export_input(store: Store, ref: str) -> ExportInput:
    """A stored assessment with its submission, suite and this judge's stored verdicts."""
    from ..exports import ExportInput
    from ..formats.evidence import judge_input_hash

    a = store.get_assessment(ref.removeprefix("sha256:") if len(ref) < 71 else ref)
    sub = store.get_submission(a.provenance.submission_hash)
    suite = store.get_suite(a.suite.hash)
    by_id = suite.by_id()
    inputs = {t.content_hash: judge_input_hash(by_id[t.behaviour], t) for t in sub.evidence if t.behaviour in by_id}
    j = a.provenance.judge
    verdicts = store.verdicts_for(inputs, j.name, j.version, j.config_hash)
    return ExportInput(assessment=a, submission=sub, suite=suite, verdicts=verdicts)


@app.command()
@user_errors
def export(
    ref: Annotated[str, typer.Argument(help="Stored assessment id (a prefix of 6+ characters).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="avid, sarif or inspect.")] = "sarif",
    out: Annotated[Path | None, typer.Option(help="File or existing folder to write to (a folder gets a "
                                             "default name; for inspect, the name 'inspect view' lists); "
                                             "default: print to standard output.")] = None,
    include_text: Annotated[bool, typer.Option(
        "--include-text", help="inspect: include request and response text (redacted by default).")] = False,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="With --out: print what was written as JSON "
                                                         "(without --out the export itself is printed).")] = False,
) -> None:
    """Export a stored assessment for other tools: an AVID report, SARIF 2.1.0 for CI code scanning
    (security-severity = the JSS score), or its evidence as an Inspect JSON log (inspect view).

    Example: jailscale export 3f2a9c --format sarif --out jss.sarif

    Example: mkdir -p logs && jailscale export 3f2a9c --format inspect --out logs/ && inspect view --log-dir logs
    """
    from .. import exports
    from ._store import open_store

    if fmt not in FORMATS:
        raise UserError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    with open_store(db) as store:
        assert store is not None
        x = export_input(store, ref)
    text = exports.dumps(exports.export(fmt, x, include_text))
    if out is None:
        print(text, end="")
        return
    if out.is_dir():
        out = out / exports.file_name(fmt, x)
    elif fmt == "inspect":
        from ..exports.inspect_log import LOG_FILE_NAME

        if not LOG_FILE_NAME.match(out.name):
            import sys

            print(f"note: inspect view lists only JSON logs named like {exports.file_name(fmt, x)!r} "
                  "(give --out an existing folder to get that name); read_eval_log reads this file as it is",
                  file=sys.stderr)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
    except OSError as e:
        raise UserError(f"cannot write '{out}': {e.strerror}") from None
    if as_json:
        print_json({"written": str(out), "format": fmt, "assessment": x.assessment.id})
    else:
        print(f"wrote {out}")


@app.command()
@user_errors
def delete(
    ref: Annotated[str, typer.Argument(help="Stored assessment id (a prefix of 6+ characters).")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Delete without asking.")] = False,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was deleted as JSON.")] = False,
) -> None:
    """Delete a stored assessment. Its evidence, suite and cached verdicts stay (they may be shared
    with other assessments).

    Example: jailscale delete 3f2a9c --yes
    """
    from ..textsafe import one_line
    from ._store import open_store

    with open_store(db) as store:
        assert store is not None
        a = store.get_assessment(ref)
        if not yes and not typer.confirm(f"delete assessment {a.id[7:19]} ({one_line(a.title, 60)})?", default=False):
            raise UserError("not deleted (answer y, or pass --yes)", exit_code=1)
        store.delete_assessment(a.id)
    if as_json:
        print_json({"deleted": a.id, "title": a.title})
    else:
        print(f"deleted {a.id[7:19]}: {one_line(a.title, 120)}")
