"""Sweeps: techniques x targets x suites, one assessment per cell, a summary table; Ray optional."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from jailscale.cli.main import app
from jailscale.testkit.stub import Stub, StubServer


def write_sweep(tmp_path: Path, repo_root: Path, url: str) -> Path:
    demo = repo_root / "src" / "jailscale" / "examples" / "demo-submission.yaml"
    other = yaml.safe_load(demo.read_text())
    other.pop("evidence", None)
    other["id"] = "rot13-variant"
    other["technique"] = {"kind": "transforms", "name": "rot13 then frame", "transforms": ["rot13"],
                          "template": "PLACEHOLDER role-play frame: {request}"}
    (tmp_path / "rot13.yaml").write_text(yaml.safe_dump(other))
    sweep = {"format": "jailscale.sweep/1", "name": "demo-sweep", "techniques": [str(demo), "rot13.yaml"],
             "targets": [{"address": "openai/stub", "options": {"base_url": url}}, {"address": "mock/m"}],
             "suites": ["practice"], "samples": 3}
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(sweep))
    return path


def test_sweep_assesses_every_cell_and_writes_a_summary(tmp_path: Path, home: Path, repo_root: Path) -> None:
    stub = Stub()
    with StubServer(stub) as server:
        path = write_sweep(tmp_path, repo_root, server.url)
        res = CliRunner().invoke(app, ["sweep", str(path), "--out", str(tmp_path / "out"), "--no-store"])
        sent = sum(stub.received.values())
        # a second sweep on the same endpoints sends nothing: every answer comes from the cache
        again = CliRunner().invoke(app, ["sweep", str(path), "--out", str(tmp_path / "out2"), "--no-store"])
        assert again.exit_code == 0 and sum(stub.received.values()) == sent
    assert res.exit_code == 0, res.output
    # the baseline requests of the two techniques are the same requests: sent once
    assert sent == 31 * 3 + 2 * 31 * 3
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    cells = summary["cells"]
    assert [(c["technique"], c["target"]) for c in cells] == [
        ("demo-roleplay-frame", "openai/stub"), ("demo-roleplay-frame", "mock/m"),
        ("rot13-variant", "openai/stub"), ("rot13-variant", "mock/m")]
    assert all(c["items"] == "186/186" and c["errors"] == 0 and c["assessment"] for c in cells)
    for c in cells:
        assert (tmp_path / "out" / "cells" / c["cell"] / "report" / "assessment.json").is_file()
    assert len({c["assessment"] for c in cells}) == 4
    assert "| 01-demo-roleplay-frame-openai-stub-practice |" in (tmp_path / "out" / "summary.md").read_text()
    assert "demo-sweep" in res.output


def test_sweep_on_a_local_ray(tmp_path: Path, home: Path, repo_root: Path) -> None:
    ray = pytest.importorskip("ray", reason="ray is not installed (pip install 'jailscale[ray]'); CI installs it")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        with StubServer() as server:
            path = write_sweep(tmp_path, repo_root, server.url)
            res = CliRunner().invoke(app, ["sweep", str(path), "--out", str(tmp_path / "out"), "--no-store",
                                           "--executor", "ray", "--json"])
        assert res.exit_code == 0, res.output
        summary = json.loads((tmp_path / "out" / "summary.json").read_text())
        assert summary["executor"] == "ray" and len(summary["cells"]) == 4
        assert all(c["items"] == "186/186" and c["assessment"] for c in summary["cells"])
    finally:
        ray.shutdown()
