"""``jailscale score``, ``explain``, ``spec`` and ``cjs``: the calculator from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from .. import spec
from . import _calc
from ._common import app, user_errors


@app.command()
@user_errors
def score(
    vector: Annotated[str, typer.Argument(help="A JSS vector, e.g. JSS:2.0/HD:S/UN:H/FI:M/RL:M/SB:A "
                                          "(a JSS:1.0/... vector is scored under 1.0)")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Score a JSS vector: value, rating, label and the default policy's response.

    The prefix decides the version the vector is scored under (JSS:2.0/ or JSS:1.0/).

    Example: jailscale score JSS:2.0/HD:S/UN:H/FI:M/RL:M/SB:A/UP:M
    """
    _calc.score(vector, as_json)  # the same body as the fast path's (cli/_fast.py)


@app.command()
@user_errors
def explain(
    vector: Annotated[str, typer.Argument(help="A JSS vector.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Explain a score: the classes that set it, caps, and the single changes that move the rating.

    Example: jailscale explain JSS:2.0/HD:C/UN:L/FI:H/RL:H/SB:A/UP:N
    """
    _calc.explain(vector, as_json)


@app.command("spec")
@user_errors
def spec_table(
    as_json: Annotated[bool, typer.Option("--json", help="The whole metric table as JSON.")] = False,
    version: Annotated[str, typer.Option("--spec-version", help="The JSS version to show: "
                                         + ", ".join(spec.VERSIONS) + ".")] = spec.SPEC_VERSION,
) -> None:
    """Print the JSS metric table (groups, metrics, values from least to most severe).

    Example: jailscale spec --json > jss-2.0.json

    Example: jailscale spec --json --spec-version 1.0 > jss-1.0.json
    """
    _calc.spec_table(as_json, version)
