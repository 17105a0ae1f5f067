"""``jailscale --registry URL VERB ...`` (or ``jailscale remote VERB --registry URL ...``): file, assess,
move, show, list and compare cases on a remote registry, with the token in ``$JAILSCALE_TOKEN``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import EnvironmentFault, UserError
from ..textsafe import one_line, quote
from ._common import app, print_json, user_errors

ENV_TOKEN = "JAILSCALE_TOKEN"
ENV_REGISTRY = "JAILSCALE_REGISTRY"
TIMEOUT = 300.0

remote_app = typer.Typer(help="Work with a remote registry (`jailscale serve`): the same as `jailscale --registry URL "
                              "VERB`. The API token comes from $JAILSCALE_TOKEN.", no_args_is_help=True)
app.add_typer(remote_app, name="remote")

Registry = Annotated[str, typer.Option("--registry", envvar=ENV_REGISTRY, help="The registry's base URL, e.g. "
                                       "https://registry.example.org (or $JAILSCALE_REGISTRY).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the registry's JSON.")]


def call(registry: str, method: str, path: str, json: Any = None, params: dict[str, str] | None = None) -> Any:
    """One API call; the registry's error shape becomes a UserError (4xx) or EnvironmentFault (503,
    unreachable), each one line."""
    import httpx

    token = os.environ.get(ENV_TOKEN, "")
    if not token:
        raise UserError(f"set {ENV_TOKEN} to your registry API token (an admin creates one with POST /api/tokens)")
    base = registry.rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise UserError(f"registry URL {quote(registry)} must start with http:// or https://")
    try:
        r = httpx.request(method, f"{base}{path}", json=json, params=params, timeout=TIMEOUT,
                          headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError as e:
        raise EnvironmentFault(f"cannot reach the registry at {quote(base)}: {one_line(str(e), 200)}") from None
    if r.status_code < 400:
        return r.json()
    try:
        message = str(r.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        message = f"HTTP {r.status_code}"
    if r.status_code >= 500:
        raise EnvironmentFault(f"the registry answered {r.status_code}: {one_line(message, 300)}")
    raise UserError(f"the registry refused ({r.status_code}): {one_line(message, 300)}")


def _read(path: Path) -> Any:
    from ..formats import Submission
    from ..formats.io import read_model

    return read_model(Submission, path)


def _case_line(c: dict[str, Any]) -> str:
    score = "—" if c.get("rating") is None else f"{c['rating']} {c['score']:.1f}"
    return one_line(f"{c['id']}  {c['state']:<15} {score:<14} {c['org']}: {c['title']}", 200)


@remote_app.command("submit")
@user_errors
def submit(file: Annotated[Path, typer.Argument(help="A jailscale.submission/1 file (YAML or JSON).")],
           registry: Registry, share: Annotated[list[str] | None, typer.Option(help="Also let this organisation "
                                                                              "take part (repeatable).")] = None,
           as_json: AsJson = False) -> None:
    """File a case from a submission; prints the case id and the closest known techniques.

    Example: JAILSCALE_TOKEN=... jailscale --registry https://registry.example.org submit report.yaml --share Gov
    """
    sub = _read(file)
    out = call(registry, "POST", "/api/cases", {"submission": sub.model_dump(mode="json")})
    for org in share or []:
        call(registry, "POST", f"/api/cases/{out['case']['id']}/participants", {"org": org})
    if as_json:
        print_json(out)
        return
    print(_case_line(out["case"]))
    for m in out["matches"]:
        print(one_line(f"  similar ({m['score']:.2f}): {m['case_id']} {m['title']}", 200))


@remote_app.command("move")
@user_errors
def move(case: Annotated[str, typer.Argument(help="The case id.")],
         state: Annotated[str, typer.Argument(help="The state to move to, e.g. triaged, disputed, mitigated, closed.")],
         registry: Registry, reason: Annotated[str, typer.Option(help="Why.")] = "",
         as_json: AsJson = False) -> None:
    """Move a case through its lifecycle.

    Example: jailscale --registry https://registry.example.org move case_0123... triaged
    """
    out = call(registry, "POST", f"/api/cases/{case}/transition", {"to": state, "reason": reason})
    if as_json:
        print_json(out)
        return
    print(_case_line(out))


@remote_app.command("assess")
@user_errors
def assess(case: Annotated[str, typer.Argument(help="The case id.")], registry: Registry,
           suite: Annotated[str, typer.Option(help="'practice' or a registry suite id.")] = "practice",
           evidence: Annotated[Path | None, typer.Option(help="Your own submission file for this case (default: "
                                                         "the case's).")] = None,
           retest_of: Annotated[str | None, typer.Option(help="The assessment this re-tests.")] = None,
           as_json: AsJson = False) -> None:
    """Assess a case on the registry (from its evidence, or yours); a re-test names --retest-of.

    Example: jailscale --registry https://registry.example.org assess case_0123... --evidence ours.yaml
    """
    body: dict[str, Any] = {"suite": suite}
    if evidence is not None:
        body["submission"] = _read(evidence).model_dump(mode="json")
    if retest_of:
        body["retest_of"] = retest_of
    out = call(registry, "POST", f"/api/cases/{case}/assessments", body)
    if as_json:
        print_json(out)
        return
    score = "withheld" if out["score"] is None else f"{out['score']:.1f} {out['rating']}"
    print(one_line(f"{out['id']}  {out['vector']}  {out['label']} {score} (range {out['score_low']:.1f}-"
                   f"{out['score_high']:.1f}); recommended {out['recommended']} ({out['within']})", 300))


@remote_app.command("show")
@user_errors
def show(case: Annotated[str, typer.Argument(help="The case id.")], registry: Registry,
         as_json: AsJson = False) -> None:
    """A case: state, organisations, assessments, re-tests, actions (overdue flagged).

    Example: jailscale --registry https://registry.example.org show case_0123...
    """
    c = call(registry, "GET", f"/api/cases/{case}")
    if as_json:
        print_json(c)
        return
    print(_case_line(c))
    print(one_line(f"organisations: {', '.join(c['participants'])}; next: {', '.join(c['next_states']) or '-'}"))
    for a in c["assessment_list"]:
        score = "withheld" if a["score"] is None else f"{a['score']:.1f} {a['rating']}"
        tag = " (re-test)" if a["retest_of"] else ""
        print(one_line(f"  assessment {a['id']} by {a['org']}{tag}: {a['vector']} {score}; recommended "
                       f"{a['recommended']}", 300))
    for r in c["retests"]:
        print(one_line(f"  before/after: {r['before']['score_high']:.1f} -> {r['after']['score_high']:.1f} "
                       "(top of range)"))
    for x in c["actions"]:
        flag = " OVERDUE" if x["overdue"] else ""
        print(one_line(f"  action {x['action']} (recommended {x['recommended']}) owner {x['owner']} due "
                       f"{x['due_at']} {x['status']}{flag}", 300))


@remote_app.command("list")
@user_errors
def list_(registry: Registry, state: Annotated[str | None, typer.Option(help="Only cases in this state.")] = None,
          as_json: AsJson = False) -> None:
    """Cases you can see, newest change first.

    Example: jailscale --registry https://registry.example.org list --state disputed
    """
    rows = call(registry, "GET", "/api/cases", params={"state": state} if state else None)
    if as_json:
        print_json(rows)
        return
    for c in rows:
        print(_case_line(c))
    if not rows:
        print("no cases")


@remote_app.command("compare")
@user_errors
def compare(case: Annotated[str, typer.Argument(help="The case id.")],
            a: Annotated[str, typer.Argument(help="One assessment id.")],
            b: Annotated[str, typer.Argument(help="The other assessment id.")], registry: Registry,
            as_json: AsJson = False) -> None:
    """Two assessments of a case metric by metric, naming the deciding metric.

    Example: jailscale --registry https://registry.example.org compare case_0123... asmt_aaaa... asmt_bbbb...
    """
    out = call(registry, "GET", f"/api/cases/{case}/compare", params={"a": a, "b": b})
    if as_json:
        print_json(out)
        return
    print(out["text"].rstrip("\n"))
    print(f"deciding: {', '.join(out['deciding']) or 'none'}")


def rewrite(argv: list[str]) -> list[str]:
    """``--registry URL VERB ...`` (before the verb) as ``remote VERB ... --registry URL``."""
    if argv and argv[0] == "--registry" and len(argv) >= 3:
        return ["remote", argv[2], *argv[3:], "--registry", argv[1]]
    if argv and argv[0].startswith("--registry=") and len(argv) >= 2:
        return ["remote", argv[1], *argv[2:], "--registry", argv[0].split("=", 1)[1]]
    return argv
