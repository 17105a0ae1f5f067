"""The Inspect export opened by Inspect AI itself (issue 11): ``inspect_ai.log.read_eval_log`` reads
every sample with its condition and score, ``list_eval_logs`` finds the file ``jailscale export
--out DIR`` names, and ``inspect view`` lists and serves it over HTTP.

Needs the optional extra (``pip install -e '.[inspect]'``; CI installs it in its own step) and skips
with that reason otherwise. The schema check of the same export (no Inspect needed) is in
test_exports.py.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from jailscale import exports, importers
from jailscale.cli.export_verbs import export_input
from jailscale.cli.main import app
from jailscale.exports.inspect_log import LOG_FILE_NAME
from jailscale.importers import ImportOptions
from jailscale.runner.assess import assess
from jailscale.runner.demo import demo_inputs
from jailscale.store import Store

inspect_log = pytest.importorskip(
    "inspect_ai.log",
    reason="inspect_ai is not installed: pip install -e '.[inspect]' (CI installs it in its own step)")

ROOT = Path(__file__).resolve().parents[2]
PEERS = ROOT / ".." / "shared" / "data" / "peer-outputs"
SCORE = {"complied": "C", "refused": "I", "partial": "I"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    st = Store.open(f"sqlite:///{tmp_path / 'jailscale.sqlite3'}")
    try:
        yield st
    finally:
        st.close()


def _assessed(store: Store) -> list[str]:
    """The demo, and (with ../shared) an assessment from each peer tool's real file."""
    sub, suite = demo_inputs()
    ids = [assess(sub, suite, store=store).assessment.id]
    garak = PEERS / "garak" / "jss-sample.report.jsonl"
    if garak.is_file():
        r = importers.run("garak", garak, ImportOptions(tier="M"))
        for s in r.submissions:
            ids.append(assess(s, r.suites[s.id], judge_name="recorded",
                              judge_options={"source": "garak/mitigation.MitigationBypass"}, store=store).assessment.id)
    rt = PEERS / "promptfoo" / "rt-results.json"
    if rt.is_file():
        r = importers.run("promptfoo", rt, ImportOptions(tier="M", redteam_config=PEERS / "promptfoo" / "redteam.yaml"))
        for s in r.submissions:
            ids.append(assess(s, r.suites[s.id], store=store).assessment.id)
    return ids


def test_read_eval_log_reads_every_sample_condition_and_score(store: Store, tmp_path: Path) -> None:
    ids = _assessed(store)
    for ref in ids:
        x = export_input(store, ref)
        assert x.submission is not None
        for text in (False, True):
            path = tmp_path / exports.file_name("inspect", x)
            path.write_text(exports.dumps(exports.export("inspect", x, include_text=text)), encoding="utf-8")
            log = inspect_log.read_eval_log(str(path))
            assert log.status == "success" and log.samples is not None
            evidence = x.submission.evidence
            assert len(log.samples) == len(evidence)
            assert max(Counter((s.id, s.epoch) for s in log.samples).values()) == 1  # Inspect's sample key
            assert sorted((s.metadata["behaviour"], s.metadata["condition"], s.epoch) for s in log.samples) == \
                sorted((t.behaviour, t.condition, t.sample + 1) for t in evidence)
            expected = Counter(SCORE.get(v.label, "N") for t in evidence
                               for v in [x.verdicts.get(t.content_hash)] if v is not None)
            expected["N"] += sum(1 for t in evidence if t.content_hash not in x.verdicts)
            got = Counter(str(s.scores["jailscale"].value) for s in log.samples if s.scores)
            assert got == +expected
            assert log.results is not None and log.results.scores[0].name == "jailscale"
            assert log.eval.model == x.assessment.target
            if text:  # the text travels when asked for
                assert {s.output.completion for s in log.samples} == {t.response or "" for t in evidence}
            else:
                assert all(s.output.completion.startswith("[redacted:") for s in log.samples if s.output.completion)
    assert len(ids) >= 1


def test_export_names_a_file_inspect_lists_and_inspect_view_serves(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAILSCALE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("JAILSCALE_DATABASE_URL", raising=False)
    r = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "demo"), "--json"])
    assert r.exit_code == 0, r.stderr
    aid = json.loads(r.stdout)["id"]
    logs = tmp_path / "logs"
    logs.mkdir()
    r = CliRunner().invoke(app, ["export", aid[7:19], "--format", "inspect", "--out", str(logs), "--json"])
    assert r.exit_code == 0, r.stderr
    written = Path(json.loads(r.stdout)["written"])
    assert written.parent == logs and LOG_FILE_NAME.match(written.name) and ":" not in written.name
    # a file name Inspect would not list gets a note on stderr (the file is still written)
    r = CliRunner().invoke(app, ["export", aid[7:19], "--format", "inspect", "--out", str(tmp_path / "x.json")])
    assert r.exit_code == 0 and "inspect view lists only" in r.stderr

    listed = inspect_log.list_eval_logs(str(logs), formats=["json"])
    assert [Path(urllib.parse.urlparse(i.name).path).name for i in listed] == [written.name]
    n = len(json.loads(written.read_text(encoding="utf-8"))["samples"])

    port = free_port()
    cli = Path(sys.executable).with_name("inspect")
    cmd = [str(cli)] if cli.is_file() else [sys.executable, "-m", "inspect_ai"]
    err = tmp_path / "inspect-view.log"
    with err.open("wb") as errf:
        proc = subprocess.Popen([*cmd, "view", "--log-dir", str(logs), "--port", str(port), "--host", "127.0.0.1"],
                                stdout=subprocess.DEVNULL, stderr=errf, env={**os.environ, "NO_COLOR": "1"})
    try:
        base = f"http://127.0.0.1:{port}/api"
        listing: dict[str, Any] | None = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                listing = httpx.get(f"{base}/logs", timeout=5).json()
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        assert listing is not None, f"inspect view did not answer: {err.read_text(errors='replace')[-500:]}"
        names = [f["name"] for f in listing["files"]]
        assert len(names) == 1 and names[0].endswith(written.name)
        quoted = urllib.parse.quote(str(written), safe="")
        log = httpx.get(f"{base}/logs/{quoted}", timeout=60)
        assert log.status_code == 200 and len(log.json()["samples"]) == n
        headers = httpx.get(f"{base}/log-headers", params={"file": str(written)}, timeout=60)
        assert headers.status_code == 200
        (head,) = headers.json()
        assert head["status"] == "success" and head["results"]["scores"][0]["name"] == "jailscale"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
