"""``jailscale import FORMAT PATH``: outside evidence formats to submissions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import app, print_json, user_errors


@app.command("import")
@user_errors
def import_(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help="Evidence format, e.g. jailbreakbench.")],
    path: Annotated[Path, typer.Argument(help="A file or folder in that format.")],
    out: Annotated[Path, typer.Option(help="Folder for the submission files.")] = Path("jailscale-out/imported"),
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Import outside evidence as jailscale submission files (one per attack x model).

    Example: jailscale import jailbreakbench ../shared/data/jailbreakbench-artifacts/attack-artifacts/PAIR
    """
    from .. import importers

    result = importers.get(fmt)(path)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for sub in result.submissions:
        p = out / f"{sub.id}.json"
        p.write_text(sub.model_dump_json(indent=2, exclude_none=True) + "\n", encoding="utf-8")
        written.append(str(p))
    if as_json:
        print_json({"written": written, "warnings": list(result.warnings)})
        return
    for w in result.warnings:
        print(f"warning: {w}")
    print(f"wrote {len(written)} submission(s) to {out}; assess one with: "
          f"jailscale assess {written[0] if written else 'FILE'} --suite jbb:PATH/harmful-behaviors.csv")
