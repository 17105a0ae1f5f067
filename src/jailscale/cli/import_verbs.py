"""``jailscale import FORMAT PATH``: outside evidence formats to submissions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UserError
from ..textsafe import terminal
from ._common import app, print_json, user_errors


def _senses(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.rpartition("=")
        if not sep or not key or not value:
            raise UserError(f"--complied-when {item!r} is not SCORER=VALUE (e.g. --complied-when refusal_rule=C)")
        out[key] = value
    return out


def _write(path: Path, text: str) -> None:
    """Write beside and rename over, so a reader never sees half a file; never through a link
    (:func:`jailscale.runner.output.write_file_atomic`)."""
    from ..runner.output import write_file_atomic

    write_file_atomic(path, text)


@app.command("import")
@user_errors
def import_(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT",
                                       help="Evidence format: jailbreakbench, inspect, garak, promptfoo.")],
    path: Annotated[Path, typer.Argument(help="A file or folder in that format.")],
    out: Annotated[Path, typer.Option(help="Folder for the submission files.")] = Path("jailscale-out/imported"),
    complied_when: Annotated[list[str] | None, typer.Option(
        "--complied-when", help="SCORER=VALUE: the recorded value that means the model complied (Inspect "
                                "scorers, e.g. refusal_rule=C; promptfoo metrics: pass or fail, default fail). "
                                "Repeat per scorer.")] = None,
    tier: Annotated[str | None, typer.Option(help="JSS harm tier (L, M, S, C) of behaviours whose file "
                                             "does not state one.")] = None,
    category: Annotated[str | None, typer.Option(help="Category for the imported behaviours.")] = None,
    redteam_config: Annotated[Path | None, typer.Option(
        help="promptfoo only: the red-team YAML, to recover prompts results.json redacts.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Import outside evidence as jailscale submission files (and, where the file defines its own
    behaviours, a suite file beside each submission).

    Example: jailscale import jailbreakbench ../shared/data/jailbreakbench-artifacts/attack-artifacts/PAIR

    Example: jailscale import inspect logs/run.eval --complied-when refusal_rule=C

    Example: jailscale import garak garak.report.jsonl --tier M

    Example: jailscale import promptfoo rt-results.json --redteam-config redteam.yaml --tier M
    """
    from .. import importers
    from ..importers import ImportOptions
    from ..importers._common import file_name

    try:
        options = ImportOptions(complied_when=_senses(complied_when or []), tier=tier,
                                category=category, redteam_config=redteam_config)
    except ValueError as e:
        raise UserError(f"bad import option: {str(e).splitlines()[-1].strip()}") from None
    result = importers.run(fmt, path, options)
    from ..runner.output import os_error

    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise UserError(f"--out {terminal(str(out))!r} is {'a symbolic link' if out.is_symlink() else 'a file'}; "
                        "give a folder for the submission files")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise os_error(e, f"cannot create output folder {terminal(str(out))!r}") from None
    written = []
    for sub in result.submissions:
        name = file_name(sub.id)
        suite = result.suites.get(sub.id)
        if suite is not None:
            sp = out / f"{name}.suite.json"
            _write(sp, suite.model_dump_json(indent=2, exclude_none=True) + "\n")
            sub = sub.model_copy(update={"suite": sp.name})
        p = out / f"{name}.json"
        _write(p, sub.model_dump_json(indent=2, exclude_none=True) + "\n")
        written.append(str(p))
    if as_json:
        print_json({"written": written, "warnings": list(result.warnings)})
        return
    for w in result.warnings:
        print(f"warning: {terminal(w)}")
    hint = ("" if result.suites else " --suite jbb:PATH/harmful-behaviors.csv") + (
        " --judge recorded -J source=JUDGE" if fmt != "jailbreakbench" else "")
    print(f"wrote {len(written)} submission(s) to {terminal(str(out))}; assess one with: "
          f"jailscale assess {written[0] if written else 'FILE'}{hint}")
