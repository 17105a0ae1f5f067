"""SIGKILL a run in the middle, resume it, and count what the stub received per item.

The run is a real ``jailscale run`` process against the stub server (in this test's process). It is
killed with SIGKILL once part of the journal is written, then resumed with ``--resume``. Rules:

- every planned (behaviour, condition, sample) is in the final submission exactly once;
- an item recorded before the kill was never asked again;
- only items in flight at the kill (at most the concurrency) may have been asked twice.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from jailscale.testkit.stub import Faults, Stub, StubServer

from .conftest import label_counts

CONCURRENCY = 8


def _run(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", "from jailscale.cli.main import run; run()", "run", *args],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("cache", [True, False], ids=["cache", "no-cache"])
def test_sigkill_then_resume_loses_and_repeats_nothing(tmp_path: Path, cache: bool, repo_root: Path) -> None:
    sub = repo_root / "src" / "jailscale" / "examples" / "demo-submission.yaml"
    out = tmp_path / "run"
    env = {**os.environ, "JAILSCALE_HOME": str(tmp_path / "home")}
    stub = Stub(faults=Faults(latency=0.03))
    with StubServer(stub) as server:
        args = [str(sub), "--target", "openai/stub", "-T", f"base_url={server.url}", "--samples", "3",
                "--out", str(out), "--concurrency", str(CONCURRENCY), "-q", *([] if cache else ["--no-cache"])]
        proc = _run(args, env)
        journal = out / "journal.jsonl"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if journal.exists() and len(journal.read_bytes().splitlines()) > 40:
                break
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=10)
        assert proc.returncode == -signal.SIGKILL
        before = label_counts(journal)
        received_at_kill = Counter(stub.received)
        assert 0 < len(before) < 186, "killed mid-run"
        assert set(before.values()) == {1}

        done = _run([*args, "--resume"], env)
        stdout, stderr = done.communicate(timeout=120)
        assert done.returncode == 0, stderr
    final = label_counts(journal)
    assert len(final) == 186 and set(final.values()) == {1}, "each item recorded once, none lost"
    for label in before:
        assert stub.received[label] == 1, f"{label} was finished before the kill and asked again"
    repeated = {lab for lab, n in stub.received.items() if n > 1}
    assert repeated <= set(received_at_kill) - set(before), "only items in flight at the kill repeat"
    assert len(repeated) <= CONCURRENCY
    assert set(stub.received) == set(final)
    submission = json.loads((out / "submission.json").read_text())
    keys = Counter((t["behaviour"], t["condition"], t["sample"]) for t in submission["evidence"])
    assert len(keys) == 186 and set(keys.values()) == {1}
    assert "186/186" in stdout
