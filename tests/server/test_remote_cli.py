"""The remote CLI against a registry served on loopback: submit, move, assess, show, list, compare,
with the token from the environment; errors are one line with exit 2 (refused) or 3 (unreachable)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from jailscale.cli.main import app
from jailscale.cli.remote_verbs import rewrite
from jailscale.server.app import create_app
from jailscale.server.seed import example_submission
from registry_kit import GENEROUS, Kit, free_port, serve


def _cli(args: list[str]) -> tuple[int, str]:
    r = CliRunner().invoke(app, rewrite(args))
    return r.exit_code, r.output


def test_rewrite_puts_the_registry_after_the_verb() -> None:
    assert rewrite(["--registry", "http://x", "list", "--json"]) == ["remote", "list", "--json", "--registry", "http://x"]
    assert rewrite(["--registry=http://x", "show", "c"]) == ["remote", "show", "c", "--registry", "http://x"]
    assert rewrite(["list"]) == ["list"]


def test_remote_verbs(sqlite_kit: Kit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = tmp_path / "first.yaml"
    first.write_text(yaml.safe_dump(example_submission().model_dump(mode="json")), encoding="utf-8")
    second = tmp_path / "second.yaml"
    second.write_text(yaml.safe_dump(example_submission(sid="b", unlocked=16).model_dump(mode="json")),
                      encoding="utf-8")
    with serve(create_app(sqlite_kit.registry, GENEROUS)) as url:
        monkeypatch.delenv("JAILSCALE_TOKEN", raising=False)
        code, out = _cli(["--registry", url, "list"])
        assert code == 2 and "JAILSCALE_TOKEN" in out
        monkeypatch.setenv("JAILSCALE_TOKEN", sqlite_kit.tokens["lab-assessor"])
        code, out = _cli(["--registry", url, "submit", str(first), "--share", "Gov", "--json"])
        assert code == 0, out
        case = json.loads(out)["case"]["id"]
        code, out = _cli(["--registry", url, "assess", case])
        assert code == 2 and "refused (409)" in out and "triage it first" in out
        assert _cli(["--registry", url, "move", case, "triaged"])[0] == 0
        code, out = _cli(["--registry", url, "assess", case])
        assert code == 0 and re.match(r"asmt_[0-9a-f]{24}  JSS:", out), out
        a = out.split()[0]
        monkeypatch.setenv("JAILSCALE_TOKEN", sqlite_kit.tokens["gov-assessor"])
        code, out = _cli(["--registry", url, "assess", case, "--evidence", str(second)])
        assert code == 0, out
        b = out.split()[0]
        code, out = _cli(["--registry", url, "compare", case, a, b])
        assert code == 0 and out.startswith("Lab: ") and "deciding: " in out
        code, out = _cli(["--registry", url, "show", case])
        assert code == 0 and "organisations: Gov, Lab" in out and out.count("assessment asmt_") == 2
        code, out = _cli(["--registry", url, "list", "--state", "assessed"])
        assert code == 0 and case in out
        monkeypatch.setenv("JAILSCALE_TOKEN", sqlite_kit.tokens["other-admin"])
        code, out = _cli(["--registry", url, "show", case])
        assert code == 2 and "case not found" in out and out[-1] == "\n" and out.count("\n") == 1
    code, out = _cli(["--registry", f"http://127.0.0.1:{free_port()}", "list"])
    assert code == 3 and "cannot reach the registry" in out
