"""Every verb that opens a store or a registry database tells the two failures apart: a database
that cannot be reached (refused, no such host, authentication failed) is the environment's fault,
exit 3; a malformed URL or a SQLite path in a folder that does not exist is the user's, exit 2. One
line each, password masked, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from jailscale.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
SUBMISSION = ROOT / "src" / "jailscale" / "examples" / "demo-submission.yaml"
BASELINES = ROOT / "src" / "jailscale" / "baselines" / "jss-baselines-2026-11-30.yaml"
REFUSED = "postgresql+psycopg://alice:s3cret@127.0.0.1:1/db"
MALFORMED = "postgresql+psycopg://alice:s3cret@127.0.0.1:notaport/db"

#: Each verb that takes --db, with the least it needs to reach the point of opening the database.
VERBS: list[list[str]] = [
    ["list"], ["show", "abcdef12"], ["delete", "abcdef12"], ["export", "abcdef12", "--format", "avid"],
    ["compare", "abcdef12", "abcdef34"], ["rescore", "abcdef12", "--baselines", str(BASELINES)],
    ["assess", str(SUBMISSION), "--suite", "practice"], ["demo"],
    ["serve", "--port", "0"], ["registry", "add-org", "Example", "--admin", "someone"], ["registry", "demo"],
    ["audit", "verify"],
]


def _run(args: list[str], url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    pytest.importorskip("psycopg", reason="the postgres extra is not installed")
    monkeypatch.setenv("JAILSCALE_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    extra = ["--out", str(tmp_path / "out")] if args[0] in ("assess", "demo") else []
    r = CliRunner().invoke(app, [*args, *extra, "--db", url])
    return r.exit_code, r.output


@pytest.mark.parametrize("args", VERBS, ids=lambda a: " ".join(a[:2]))
def test_unreachable_database_is_exit_3(args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = _run(args, REFUSED, tmp_path, monkeypatch)
    assert code == 3, out
    assert out.startswith("jailscale: error: cannot reach the database at 'postgresql+psycopg://alice:***@")
    assert out.count("\n") == 1 and "s3cret" not in out and "Traceback" not in out
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args", VERBS, ids=lambda a: " ".join(a[:2]))
def test_malformed_url_is_exit_2(args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = _run(args, MALFORMED, tmp_path, monkeypatch)
    assert code == 2, out
    assert out.startswith("jailscale: error: malformed database URL") and out.count("\n") == 1
    assert "s3cret" not in out


@pytest.mark.parametrize("args", [["list"], ["serve", "--port", "0"], ["audit", "verify"]], ids=lambda a: a[0])
def test_sqlite_path_mistake_is_exit_2(args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = _run(args, f"sqlite:///{tmp_path / 'no' / 'such' / 'folder' / 'x.sqlite3'}", tmp_path, monkeypatch)
    assert code == 2, out
    assert "cannot open the SQLite database" in out and "folder that exists" in out and out.count("\n") == 1
