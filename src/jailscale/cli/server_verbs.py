"""``jailscale serve`` (the registry service), ``jailscale registry add-org`` (the operator's one
direct write: a new organisation with its first admin) and ``jailscale audit verify``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import UserError
from ._common import app, print_json, user_errors

registry_app = typer.Typer(help="Operate a registry's database directly (on the machine that runs it).",
                           no_args_is_help=True)
audit_app = typer.Typer(help="The registry's audit log.", no_args_is_help=True)
app.add_typer(registry_app, name="registry")
app.add_typer(audit_app, name="audit")

DbOption = Annotated[str | None, typer.Option(help="Database URL (default: $JAILSCALE_DATABASE_URL, else SQLite "
                                              "in $JAILSCALE_HOME).")]


def _server() -> None:
    """Fail with the install hint when the server extra is missing."""
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise UserError("the registry needs the server extra: pip install 'jailscale[server]'") from None


def _open(db: str | None):  # type: ignore[no-untyped-def]
    _server()
    from ..server.db import Registry
    from ..store import Store

    return Registry.open(db or Store.url_from_env())


@contextmanager
def _registry(db: str | None) -> Iterator[Any]:
    """The registry for one operator command, closed afterwards; the service's own refusals
    (:class:`ApiError`) are the user's errors. An unreachable database is an EnvironmentFault, which
    :func:`user_errors` reports with exit 3."""
    from ..server.errors import ApiError

    registry = _open(db)
    try:
        yield registry
    except ApiError as e:
        raise UserError(str(e)) from None
    finally:
        registry.close()


@app.command("serve")
@user_errors
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8000,
    max_body_mb: Annotated[int, typer.Option(min=1, max=1024, help="Largest request body, in MiB.")] = 32,
    token_rate: Annotated[int, typer.Option(min=1, help="Requests per minute allowed per token.")] = 600,
    login_rate: Annotated[int, typer.Option(min=1, help="Login attempts per minute per address and per user.")] = 10,
    rate_limit_storage: Annotated[str, typer.Option(
        help="Where the login and token limits count: memory:// is this process only (several workers or "
             "instances each allow the full limit); redis://HOST:6379 shares the counts between them "
             "(pip install 'jailscale[redis]').")] = "memory://",
) -> None:
    """Run the registry: the JSON API under /api, the web pages under /ui, the schema at /openapi.json.

    The database's migrations are applied once, here. Create the first organisation with
    `jailscale registry add-org` before logging in. Rate limits count in this process unless
    --rate-limit-storage names a shared storage: give one when running several workers or instances.

    Example: jailscale serve --db postgresql+psycopg://registry@db:5432/registry --host 0.0.0.0 --port 8080

    Example: jailscale serve --db postgresql+psycopg://registry@db:5432/registry --rate-limit-storage
    redis://cache:6379
    """
    registry = _open(db)
    import uvicorn

    from ..server.app import create_app
    from ..server.auth import Limits

    try:
        application = create_app(registry, Limits(logins=login_rate, per_token=token_rate),
                                 max_body=max_body_mb * 1024 * 1024, rate_limit_storage=rate_limit_storage)
    except BaseException:
        registry.close()
        raise
    limits_at = ("this process only" if application.state.jailscale.limiter.storage_url == "memory://"
                 else "shared storage")
    print(f"jailscale registry on http://{host}:{port}/ui (database {registry.url}; rate limits in {limits_at})")
    try:
        uvicorn.run(application, host=host, port=port, log_level="warning")
    finally:
        registry.close()


@registry_app.command("add-org")
@user_errors
def add_org(
    name: Annotated[str, typer.Argument(help="The organisation's name.")],
    admin: Annotated[str, typer.Option(help="The first admin's user name.")],
    password_env: Annotated[str | None, typer.Option(help="Name of an environment variable holding the admin's "
                                                     "password (for the web pages; none: token only).")] = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the organisation, admin and token as JSON.")]
    = False,
) -> None:
    """Create an organisation with its first admin and print the admin's API token (shown once).

    Example: JSS_PW=... jailscale registry add-org "Example Lab" --admin lab-admin --password-env JSS_PW
    """
    password = None
    if password_env:
        password = os.environ.get(password_env)
        if not password:
            raise UserError(f"environment variable {password_env!r} is not set or empty")
        if len(password) < 12:
            raise UserError("the password must have at least 12 characters")
    from ..server import accounts

    with _registry(db) as registry, registry.session(write=True) as s:
        _, token = accounts.add_org(s, name, admin, password)
    if as_json:
        print_json({"org": name, "admin": admin, "token": token})
        return
    print(token)


@registry_app.command("demo")
@user_errors
def demo(
    db: DbOption = None,
    folder: Annotated[Path, typer.Option(help="Where the case study's government.yaml and lab.yaml are.")]
    = Path("docs/case-studies/fable-5"),
    as_json: Annotated[bool, typer.Option("--json", help="Print the case, assessments and tokens as JSON.")] = False,
) -> None:
    """Load the Fable 5 case study as a demo case: the government's and the lab's readings, each
    assessed by its organisation, compared; prints the case, the assessments and the admins' tokens.

    Example: jailscale registry demo --db sqlite:///demo.sqlite3 && jailscale serve --db sqlite:///demo.sqlite3
    """
    from ..server.seed import fable5_demo

    with _registry(db) as registry:
        out = fable5_demo(registry, folder)
    if as_json:
        print_json(out)
        return
    print(f"case {out['case']}")
    for reading, aid in out["assessments"].items():
        print(f"  {reading}: assessment {aid}; admin token {out['tokens'][reading]}")
    differs, deciding = ", ".join(out["differs"]) or "none", ", ".join(out["deciding"]) or "none"
    print(f"  metrics that differ: {differs}; deciding: {deciding}")


@audit_app.command("verify")
@user_errors
def audit_verify(
    db: DbOption = None,
    expect_head: Annotated[str | None, typer.Option(help="A head hash kept elsewhere earlier; fail if it differs.")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Recompute the audit log's hash chain; exit 1 when an entry was edited, removed or inserted.

    Example: jailscale audit verify --db sqlite:///registry.sqlite3
    """
    from ..server import audit

    with _registry(db) as registry, registry.session() as s:
        result = audit.verify(s, expect_head)
    if as_json:
        print_json(result.to_dict())
    else:
        print(f"{'ok' if result.ok else 'FAILED'}: {result.entries} entries; head {result.head_seq}:{result.head_hash}")
        for problem in result.problems:
            print(f"  {problem}")
    if not result.ok:
        raise typer.Exit(1)
