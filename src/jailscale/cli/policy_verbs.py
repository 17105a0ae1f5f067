"""``jailscale policy check|show``: validate and print response policies."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .. import spec
from ..textsafe import terminal
from ._common import app, fail, print_json, user_errors

policy_app = typer.Typer(help="Response policies: check a policy file, print the default.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")


@policy_app.command("check")
@user_errors
def check(
    file: Annotated[Path, typer.Argument(help="A policy YAML file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Check a policy for coverage, monotonicity, irrelevant inputs and the Suspend ceiling.

    Exit 0 when it passes, 1 when it fails a check, 2 when it cannot be read.
    Example: jailscale policy check docs/spec/policy-default.yaml
    """
    from ..policy_io import read_policy

    policy = read_policy(file)
    report = spec.check(policy)
    if as_json:
        print_json({"policy": report.policy, "ok": report.ok, "combinations": report.combinations,
                    "problems": list(report.problems)})
    elif report.ok:
        print(f"{terminal(str(file))}: policy {terminal(repr(report.policy))} passes: {report.combinations} input "
              "combinations "
              "covered, monotone, every input relevant, no narrow low-fidelity Suspend")
    else:
        for p in report.problems:
            print(f"{terminal(str(file))}: {terminal(p)}")
    if not report.ok:
        if as_json:
            raise typer.Exit(1)
        fail(f"policy {report.policy!r} fails {len(report.problems)} check(s)", 1)


@policy_app.command("show")
def show(as_json: Annotated[bool, typer.Option("--json", help="Print the policy as JSON.")] = False) -> None:
    """Print the default policy as YAML (or JSON).

    Example: jailscale policy show > my-policy.yaml
    """
    from ..policy_io import dump_policy

    if as_json:
        print_json(spec.DEFAULT_POLICY_DATA)
        return
    print(dump_policy(spec.DEFAULT_POLICY_DATA), end="")
