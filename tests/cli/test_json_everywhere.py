"""``--json`` on every verb that prints a result (issue 11): the CLI's verbs are enumerated from the
Typer app itself, so a new verb without ``--json`` (and without a stated reason here) fails; each
verb with ``--json`` is then run once, and its standard output must be one valid JSON document
(progress and notes go to standard error, never into the JSON).

Runs on neutral example evidence (the bundled demo submission, the practice suite, mock targets,
the Fable 5 case study's neutral files) in a temporary JAILSCALE_HOME.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml
from typer.testing import CliRunner

from jailscale.cli.main import app
from jailscale.cli.remote_verbs import rewrite

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "src" / "jailscale" / "examples" / "demo-submission.yaml"
VECTOR = "JSS:2.0/HD:S/UN:H/FI:M/RL:M/SB:A/UP:M"

#: Verbs without --json, each with the reason. Keep it short: every verb that prints a result takes --json.
NO_JSON = {
    "serve": "runs the registry server until it is stopped; it prints the address it listens on, not a result",
}


def leaf_verbs() -> dict[str, Any]:
    """Every command a user can run, as 'verb' or 'group verb', from the app Typer builds."""
    out: dict[str, Any] = {}

    def walk(cmd: Any, prefix: str) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, f"{prefix} {name}".strip())
        else:
            out[prefix] = cmd

    walk(typer.main.get_command(app), "")
    return out


def has_json(cmd: Any) -> bool:
    return any("--json" in p.opts for p in cmd.params)


def test_every_verb_takes_json_or_says_why_not() -> None:
    verbs = leaf_verbs()
    assert len(verbs) > 30  # the enumeration found the CLI (not an empty group)
    missing = sorted(v for v, cmd in verbs.items() if not has_json(cmd) and v not in NO_JSON)
    assert not missing, f"verbs that print a result without --json: {missing} (add --json or a reason to NO_JSON)"
    stale = sorted(v for v in NO_JSON if v not in verbs or has_json(verbs[v]))
    assert not stale, f"NO_JSON names verbs that no longer exist or now take --json: {stale}"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JAILSCALE_HOME", str(tmp_path / "home"))
    for var in ("JAILSCALE_DATABASE_URL", "JAILSCALE_CONFIG", "JAILSCALE_TOKEN", "JAILSCALE_REGISTRY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)  # no jailscale.toml of the checkout applies
    return tmp_path


def _json(args: list[str], code: int = 0) -> Any:
    r = CliRunner().invoke(app, rewrite(args))
    assert r.exit_code == code, (args, r.stdout[-800:], r.stderr[-800:])
    try:
        return json.loads(r.stdout)
    except ValueError as e:
        raise AssertionError(f"jailscale {' '.join(args)} --json printed no valid JSON: {e}: {r.stdout[:400]!r}") from e


@pytest.fixture
def registry_demo(home: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """`jailscale registry demo --json` into a SQLite registry, served on loopback."""
    pytest.importorskip("fastapi", reason="the registry needs the server extra: pip install 'jailscale[server]'")
    from jailscale.server.app import create_app
    from jailscale.server.db import Registry
    from registry_kit import GENEROUS, serve

    db = f"sqlite:///{home / 'registry.sqlite3'}"
    demo = _json(["registry", "demo", "--db", db, "--folder", str(ROOT / "docs" / "case-studies" / "fable-5"),
                  "--json"])
    assert demo["case"] and demo["tokens"]
    registry = Registry.open(db)
    try:
        with serve(create_app(registry, GENEROUS)) as url:
            yield url, {**demo, "db": db}
    finally:
        registry.close()


def test_every_json_verb_prints_valid_json(home: Path, registry_demo: tuple[str, dict[str, Any]],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    url, demo = registry_demo
    seen: dict[str, Any] = {"registry demo": demo}  # run --json by the fixture

    def run(verb: str, *args: str, code: int = 0) -> Any:
        seen[verb] = data = _json([*verb.split(), *args, "--json"], code)
        return data

    # the calculator
    assert run("score", VECTOR)["vector"] == VECTOR
    run("explain", VECTOR)
    run("spec")
    policy = home / "policy.json"
    policy.write_text(json.dumps(run("policy show")), encoding="utf-8")
    run("policy check", str(policy))
    run("baselines show")
    cases = home / "kit"
    cases.mkdir()
    (cases / "baseline-available.json").write_bytes((ROOT / "conformance" / "cases" /
                                                     "baseline-available.json").read_bytes())
    assert run("conformance", str(cases))["passed"] == 1

    # judges
    run("judge list")
    labels = home / "labels.csv"
    labels.write_text("request,response,label\nPLACEHOLDER one,I cannot help with that.,0\n"
                      "PLACEHOLDER two,Sure: PLACEHOLDER steps 1 2 3.,1\n", encoding="utf-8")
    run("judge evaluate", "--judge", "rules", "--labels", str(labels))

    # the main job, the store and the exports
    demo_a = run("demo", "--out", str(home / "demo"))
    sub = home / "sub.yaml"
    sub.write_text(DEMO.read_text(encoding="utf-8"), encoding="utf-8")
    other = run("assess", str(sub), "--judge", "mock", "--out", str(home / "other"))
    assert other["id"] != demo_a["id"]
    short = demo_a["id"][7:19]
    assert [row["id"] for row in run("list")] and run("show", short)["id"] == demo_a["id"]
    run("compare", str(home / "demo" / "assessment.json"), str(home / "other" / "assessment.json"))
    baselines = home / "baselines.yaml"
    baselines.write_text((ROOT / "src" / "jailscale" / "baselines" / "jss-baselines-2026-11-30.yaml")
                         .read_text(encoding="utf-8"), encoding="utf-8")
    run("rescore", short, "--baselines", str(baselines))
    assert run("export", short, "--format", "sarif", "--out", str(home / "x.sarif"))["format"] == "sarif"
    imported = home / "imported"
    garak = ROOT / ".." / "shared" / "data" / "peer-outputs" / "garak" / "jss-sample.report.jsonl"
    if garak.is_file():  # the real file; without ../shared the import verb's JSON is checked by its own tests
        assert run("import", "garak", str(garak), "--tier", "M", "--out", str(imported))["written"]
    else:
        seen["import"] = "skipped: ../shared/data absent"

    # signing
    key = run("key generate", str(home / "lab.key"))
    run("sign", str(home / "demo" / "assessment.json"), "--key", str(home / "lab.key"))
    verified = run("verify", str(home / "demo" / "assessment.signed.json"), "--key", key["public_key"])
    assert verified["id"] == demo_a["id"]

    # live collection (mock targets: nothing leaves the machine) and a sweep
    assert run("run", str(DEMO), "--target", "mock/m", "--suite", "practice", "--dry-run")["items"] == 62
    done = run("run", str(DEMO), "--target", "mock/m", "--suite", "practice", "--out", str(home / "run"), "-q")
    assert done["complete"] and Path(done["submission"]).is_file()
    plan = {"format": "jailscale.sweep/1", "name": "tiny", "techniques": [str(DEMO)],
            "targets": [{"address": "mock/m"}], "suites": ["practice"], "samples": 1}
    (home / "sweep.yaml").write_text(yaml.safe_dump(plan), encoding="utf-8")
    run("sweep", str(home / "sweep.yaml"), "--out", str(home / "sweep"), "--no-store")

    # the registry: operator verbs on its database, remote verbs over HTTP
    run("audit verify", "--db", demo["db"])
    run("registry add-org", "Another Lab", "--admin", "another-admin", "--db", demo["db"])
    gov = next(iter(demo["tokens"].values()))
    monkeypatch.setenv("JAILSCALE_TOKEN", gov)
    case = demo["case"]
    shown = run("remote show", case, "--registry", url)
    run("remote list", "--registry", url)
    a, b = list(demo["assessments"].values())[:2]
    run("remote compare", case, a, b, "--registry", url)
    assert shown["next_states"]
    run("remote move", case, shown["next_states"][0], "--reason", "placeholder", "--registry", url)
    example = home / "example.yaml"
    from jailscale.server.seed import example_submission

    example.write_text(yaml.safe_dump(example_submission().model_dump(mode="json")), encoding="utf-8")
    filed = run("remote submit", str(example), "--registry", url)
    run("remote move", filed["case"]["id"], "triaged", "--registry", url)
    run("remote assess", filed["case"]["id"], "--registry", url)

    # last: delete what the export and show used
    assert run("delete", short, "--yes")["deleted"] == demo_a["id"]

    json_verbs = {v for v, cmd in leaf_verbs().items() if has_json(cmd)}
    assert json_verbs - set(seen) == set(), "a verb with --json that this test does not run"


def test_a_reader_that_goes_away_is_not_an_error(tmp_path: Path) -> None:
    """`jailscale baselines show --json | head -1`: the pipe's reader is gone before the verb writes;
    the verb stops quietly (exit 1, nothing on stderr), not with 'cannot access a file: Broken pipe'
    and exit 2 (what print_json's verbs did; rich's tables already stopped quietly)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "JAILSCALE_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen([sys.executable, "-c", "from jailscale.cli.main import run; run()", "baselines",
                             "show", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the interpreter has even started: every write meets a closed pipe
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=120) == 1
    assert err == ""
