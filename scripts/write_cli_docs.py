"""Write docs/cli.md from the CLI's own --help texts, so the reference cannot drift from the code.

    .venv/bin/python scripts/write_cli_docs.py          # rewrite docs/cli.md
    .venv/bin/python scripts/write_cli_docs.py --check  # exit 1 if docs/cli.md is out of date
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

from jailscale.cli.main import app

OUT = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
#: The exit codes every verb keeps (jailscale.errors: UserError 2, EnvironmentFault 3).
EXIT_CODES = (
    ("0", "success", ""),
    ("1", "a check failed", "`policy check`, `verify`, `audit verify`, `conformance`; `assess --fail-on` reached; "
     "an incomplete `run`"),
    ("2", "bad input: the line quotes it and says what to do; nothing is written or stored",
     "a malformed file, vector or flag; a malformed database URL (`--db`, `JAILSCALE_DATABASE_URL`); a SQLite "
     "path in a folder that does not exist, or a file that is not a database; a request the remote registry "
     "refused"),
    ("3", "the environment failed: retrying later or fixing the machine may help, changing the input will not",
     "a database server that refuses the connection, an unknown host, a failed authentication, a database that "
     "does not exist or is lost mid-run; a full disk; a remote registry that cannot be reached"),
)
EXIT_TABLE = "\n".join(["| exit | meaning | examples |", "| --- | --- | --- |",
                        *(f"| {c} | {m} | {e} |" for c, m, e in EXIT_CODES)])
INTRO = """# jailscale command line

Generated from `--help` by `scripts/write_cli_docs.py`; a test keeps it current. Every verb that
prints a result takes `--json` and then prints one JSON document on standard output (progress and
notes go to standard error); the one exception is `serve`, which runs until stopped
(tests/cli/test_json_everywhere.py holds both). Every failure is one line on stderr (no traceback;
passwords in database URLs shown as `***`), and its exit code says whose fault it is:

{EXIT_TABLE}

Every verb that opens a store or a registry database (`assess`, `demo`, `list`, `show`, `delete`,
`export`, `compare`, `rescore`, `serve`, `registry add-org`, `registry demo`, `audit verify`) keeps
this table (tests/cli/test_database_exit_codes.py); a running `jailscale serve` answers the same
cases with HTTP 4xx and 503.

Environment: `JAILSCALE_HOME` (default `~/.jailscale`, holds the SQLite store),
`JAILSCALE_DATABASE_URL` (another database, e.g. PostgreSQL).

Install: `pip install 'jailscale[full]'` for every verb below. A calculator-only install
(`pip install jailscale`, standard library only) has `score`, `explain`, `spec` and `--version`, with
the same output; any other verb there exits 3 with one line saying to install `jailscale[full]`.
`score`, `explain`, `spec` and `--version` start without loading the rest of the command line unless
a configuration file or `JAILSCALE_*` variable sets one of their options.
""".replace("{EXIT_TABLE}", EXIT_TABLE)


def commands() -> list[list[str]]:
    click_app = typer.main.get_command(app)
    out: list[list[str]] = []
    for name, cmd in sorted(click_app.commands.items()):  # type: ignore[attr-defined]
        sub = getattr(cmd, "commands", None)
        if sub:
            out.extend([name, s] for s in sorted(sub))
        else:
            out.append([name])
    return out


def render() -> str:
    os.environ["COLUMNS"] = "100"
    os.environ["TERMINAL_WIDTH"] = "100"
    runner = CliRunner()
    parts = [INTRO]
    for path in commands():
        result = runner.invoke(app, [*path, "--help"], env={"NO_COLOR": "1", "COLUMNS": "100"})
        text = "\n".join(line.rstrip() for line in result.stdout.strip("\n").splitlines())
        parts.append(f"## jailscale {' '.join(path)}\n\n```text\n{text}\n```\n")
    return "\n".join(parts)


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        ok = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print("docs/cli.md up to date" if ok else "docs/cli.md is out of date: run scripts/write_cli_docs.py")
        return 0 if ok else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(commands())} verbs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
