"""Progress of a long assessment (issue 8): a bar on a terminal, plain lines otherwise, nothing for a
small submission or with --quiet."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jailscale.cli.main import app
from jailscale.runner import stages
from jailscale.runner.assess import assess
from jailscale.runner.demo import demo_inputs, demo_path

runner = CliRunner()


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_stages_for_chooses_by_terminal_and_size() -> None:
    assert isinstance(stages.stages_for(stages.MIN_BYTES - 1), stages.NoStages)
    assert isinstance(stages.stages_for(stages.MIN_BYTES, quiet=True), stages.NoStages)
    assert isinstance(stages.stages_for(stages.MIN_BYTES, stream=io.StringIO()), stages.LineStages)
    assert isinstance(stages.stages_for(stages.MIN_BYTES, stream=_Tty()), stages.BarStages)


def test_plain_lines_name_every_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("jailscale.runner.assess.CHUNK", 5)
    out = io.StringIO()
    sub, suite = demo_inputs()
    lines = stages.LineStages(out, interval=0.0)  # a line at every update
    assess(sub, suite, progress=lines)
    text = out.getvalue()
    assert "judging: started, " in text and "measuring: done in" in text
    updates = [ln for ln in text.splitlines() if ln.startswith("judging: ") and "/" in ln]
    assert updates[-1].startswith(f"judging: {len(sub.evidence)}/{len(sub.evidence)} (100%)")
    assert len(updates) == -(-len(sub.evidence) // 5)  # one per chunk of 5


def test_bar_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAILSCALE_HOME", str(tmp_path / "home"))
    tty = _Tty()
    bar = stages.BarStages(tty)
    sub, suite = demo_inputs()
    from jailscale.store import Store

    with Store.open() as store:
        assess(sub, suite, out_dir=tmp_path / "o", store=store, progress=bar)
    bar.close()
    text = tty.getvalue()
    for stage in ("judging", "measuring", "writing", "storing"):
        assert stage in text
    assert f"{len(sub.evidence)}/{len(sub.evidence)}" in text


def test_cli_prints_progress_lines_for_a_large_file_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAILSCALE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("JAILSCALE_DATABASE_URL", raising=False)
    args = ["assess", str(demo_path()), "--suite", "practice", "--no-store", "--out", str(tmp_path / "o")]
    small = runner.invoke(app, args)
    assert small.exit_code == 0 and small.stderr == ""
    monkeypatch.setattr(stages, "MIN_BYTES", 1)
    large = runner.invoke(app, [*args, "--json"])
    assert large.exit_code == 0, large.stderr
    for stage in ("reading", "judging", "measuring", "writing"):
        assert f"{stage}: started" in large.stderr and f"{stage}: done in" in large.stderr
    json.loads(large.stdout)  # progress never mixes into the JSON on stdout
    quiet = runner.invoke(app, [*args, "--quiet"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
