"""Option defaults from jailscale.toml, [tool.jailscale] in pyproject.toml and JAILSCALE_* variables,
in the documented order of precedence; a key that names nothing is an error naming file and key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from jailscale.cli._config import main_kwargs
from jailscale.cli.main import app
from jailscale.errors import UserError

runner = CliRunner()


@pytest.fixture
def two_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JAILSCALE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("JAILSCALE_DATABASE_URL", raising=False)
    monkeypatch.delenv("JAILSCALE_CONFIG", raising=False)
    for i in range(2):
        r = runner.invoke(app, ["demo", "--out", str(tmp_path / f"d{i}")])
        assert r.exit_code == 0, r.stderr
    # the second demo is the same content: give the store a second, different assessment
    r = runner.invoke(app, ["demo", "--out", str(tmp_path / "d2"), "--no-store"])
    assert r.exit_code == 0
    sub = tmp_path / "nob.yaml"
    import yaml

    from jailscale.runner.demo import demo_path

    doc = yaml.safe_load(demo_path().read_text(encoding="utf-8"))
    doc["id"] = "second"
    doc["evidence"] = [t for t in doc["evidence"] if t["condition"] != "baseline"]
    sub.write_text(yaml.safe_dump(doc), encoding="utf-8")
    r = runner.invoke(app, ["assess", str(sub), "--suite", "practice", "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.stderr
    return tmp_path


def _invoke(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(app, args, env=env, **main_kwargs(typer.main.get_command(app), cwd=cwd))


def _count(r: Any) -> int:
    assert r.exit_code == 0, r.stderr
    return len(json.loads(r.stdout))


def test_precedence_flag_env_toml_pyproject_default(two_stored: Path) -> None:
    cwd = two_stored / "work"
    cwd.mkdir()
    assert _count(_invoke(["list", "--json"], cwd)) == 2  # built-in default (50)
    (cwd / "pyproject.toml").write_text("[tool.jailscale.list]\nlimit = 1\n")
    assert _count(_invoke(["list", "--json"], cwd)) == 1  # pyproject
    (cwd / "jailscale.toml").write_text("[list]\nlimit = 2\njson = true\n")
    assert _count(_invoke(["list"], cwd)) == 2  # jailscale.toml wins over pyproject (and sets --json)
    assert _count(_invoke(["list"], cwd, {"JAILSCALE_LIST_LIMIT": "1"})) == 1  # environment over file
    assert _count(_invoke(["list", "--limit", "2"], cwd, {"JAILSCALE_LIST_LIMIT": "1"})) == 2  # flag first


def test_config_named_by_environment_and_global_options(two_stored: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = two_stored / "elsewhere.toml"
    cfg.write_text("max-input-mb = 0.001\n[list]\nrating = \"withheld\"\njson = true\n")
    monkeypatch.setenv("JAILSCALE_CONFIG", str(cfg))
    # the CLI writes the cap into os.environ for the run; let monkeypatch restore it afterwards
    monkeypatch.setenv("JAILSCALE_MAX_INPUT_MB", "256")
    monkeypatch.delenv("JAILSCALE_MAX_INPUT_MB")  # absent during the test, restored to absent after it
    rows = json.loads(_invoke(["list"], two_stored).stdout)
    assert len(rows) == 1 and rows[0]["withheld"]
    # the top-level key reached the option before the verb: a 1 KB input cap refuses the demo file
    from jailscale.runner.demo import demo_path

    r = _invoke(["assess", str(demo_path()), "--suite", "practice", "--no-store", "--out", str(two_stored / "x")],
                two_stored)
    assert r.exit_code == 2


@pytest.mark.parametrize(("text", "match"), [
    ("[lsit]\nlimit = 1\n", r"\[lsit\] is not a jailscale verb"),
    ("[list]\nlimt = 1\n", r"'list\.limt' is not an option here \(options: db, json, limit"),
    ("[policy.chek]\njson = true\n", r"\[policy\.chek\] is not a jailscale verb"),
    ("nope = 1\n", r"'nope' is not an option here"),
    ("[list\n", "is not valid TOML"),
])
def test_unknown_keys_and_bad_toml_are_errors(tmp_path: Path, text: str, match: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JAILSCALE_CONFIG", raising=False)
    (tmp_path / "jailscale.toml").write_text(text)
    with pytest.raises(UserError, match=match):
        main_kwargs(typer.main.get_command(app), cwd=tmp_path)


def test_nested_verbs_and_dashed_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JAILSCALE_CONFIG", raising=False)
    (tmp_path / "jailscale.toml").write_text('[policy.check]\njson = true\n[assess]\nfail-on = "High"\n'
                                             'show-responses = false\n')
    (tmp_path / "jailscale.toml").write_text('[policy.check]\njson = true\n[assess]\nfail-on = "High"\n'
                                             'show-responses = false\njudge-arg = ["source=x", "k=v"]\n')
    dm = main_kwargs(typer.main.get_command(app), cwd=tmp_path)["default_map"]
    assert dm == {"policy": {"check": {"as_json": True}},
                  "assess": {"fail_on": "High", "show_responses": False, "judge_arg": ["source=x", "k=v"]}}
