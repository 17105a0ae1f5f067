"""``jailscale conformance DIR``: check an implementation of JSS 2.0 against the conformance kit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import app, print_json, user_errors


@app.command()
@user_errors
def conformance(
    folder: Annotated[Path, typer.Argument(help="The conformance kit's folder (conformance/ in the repository).")],
    implementation: Annotated[str | None, typer.Option(
        help="Check another implementation: a command run as 'CMD CASE.json' for each case, printing an "
             "assessment (JSON with 'vector' and 'score' {value, low, high}) on standard output.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check evidence-to-vector conformance: each case's evidence must give the vector, score and score
    range the JSS 2.0 rules give (derived independently). Exit 0 when every case passes, 1 when any fails.

    Example: jailscale conformance conformance/
    Example: jailscale conformance conformance/ --implementation "python3 other_jss.py"
    """
    from ..runner.conformance import conformance as run
    from ..textsafe import terminal

    outcomes = run(folder, implementation)
    failed = [o for o in outcomes if not o.passed]
    if as_json:
        print_json({"cases": len(outcomes), "passed": len(outcomes) - len(failed),
                    "results": [{"case": o.case, "rule": o.rule, "passed": o.passed, "problems": o.problems,
                                 "expected": o.expected, "actual": o.actual} for o in outcomes]})
    else:
        for o in outcomes:
            if o.passed:
                print(f"PASS {o.case}: {o.expected['vector']} ({o.rule})")
            else:
                print(f"FAIL {o.case} ({o.rule}): " + "; ".join(terminal(p) for p in o.problems))
        print(f"{len(outcomes) - len(failed)} of {len(outcomes)} cases pass"
              + (f"; failing: {', '.join(o.case for o in failed)}" if failed else ""))
    if failed:
        raise typer.Exit(1)
