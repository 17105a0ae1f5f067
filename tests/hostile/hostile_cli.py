"""Run the jailscale CLI in a child process and measure it: exit code, output, peak memory, time.

Each run is a fresh interpreter, so its peak resident set (``ru_maxrss`` of the child itself, written
by the child before it exits) is the run's own, not the test process's. The child's address space is
capped (RLIMIT_AS, :data:`AS_LIMIT_MB`) so a regression fails the test instead of the machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

AS_LIMIT_MB = 3000
_CHILD = r"""
import json, os, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (int(os.environ["_HOSTILE_AS"]) << 20,) * 2)
code = 0
try:
    from jailscale.cli.main import app
    app(args=sys.argv[1:], prog_name="jailscale")
except SystemExit as e:
    code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
finally:
    # VmHWM is this process's own peak; ru_maxrss also carries the parent's peak at fork (Linux keeps
    # it across exec), so a large pytest process would inflate it.
    try:
        with open("/proc/self/status") as st:
            peak = next(int(l.split()[1]) for l in st if l.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with open(os.environ["_HOSTILE_REPORT"], "w") as fh:
        json.dump({"code": code, "peak_mb": peak}, fh)
sys.exit(code)
"""


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    peak_mb: float
    seconds: float

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def run_cli(args: list[str], tmp: Path, *, env: dict[str, str] | None = None, stdin: int | None = None,
            timeout: float = 60, input_text: str | None = None) -> Run:
    report = tmp / f"run-{time.monotonic_ns()}.json"
    full_env = {**os.environ, "_HOSTILE_REPORT": str(report), "_HOSTILE_AS": str(AS_LIMIT_MB),
                "JAILSCALE_HOME": str(tmp / "home"), **(env or {})}
    full_env.pop("JAILSCALE_DATABASE_URL", None) if "JAILSCALE_DATABASE_URL" not in (env or {}) else None
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-c", _CHILD, *args], env=full_env, capture_output=True, text=True,
                       timeout=timeout, stdin=stdin if input_text is None else None, input=input_text,
                       cwd=tmp)
    seconds = time.monotonic() - t0
    data = json.loads(report.read_text()) if report.exists() else {"peak_mb": float("nan")}
    return Run(p.returncode, p.stdout, p.stderr, float(data["peak_mb"]), seconds)


def one_error_line(run: Run, code: int = 2) -> str:
    """The run failed with ``code`` and printed exactly one line, a jailscale error, with no control
    characters; returns it."""
    assert run.code == code, (run.code, run.stderr[-2000:])
    lines = run.error_lines
    assert len(lines) == 1, run.stderr[-3000:]
    line = lines[0]
    assert line.startswith("jailscale: error: "), line
    assert not any(ord(c) < 32 or 0x7f <= ord(c) <= 0x9f for c in line), repr(line)
    assert len(line) <= 2100
    return line


def run_here(args: list[str], tmp: Path, env: dict[str, str] | None = None) -> Run:
    """The same, in this process (faster; no memory figure): for cases that need no isolation."""
    from typer.testing import CliRunner

    from jailscale.cli.main import app

    full_env = {"JAILSCALE_HOME": str(tmp / "home"), "JAILSCALE_DATABASE_URL": "", **(env or {})}
    t0 = time.monotonic()
    old = os.getcwd()
    saved = dict(os.environ)  # the CLI's root options set variables for the process (--max-input-mb)
    os.chdir(tmp)
    try:
        r = CliRunner().invoke(app, args, env=full_env)
    finally:
        os.chdir(old)
        os.environ.clear()
        os.environ.update(saved)
    return Run(r.exit_code, r.stdout, r.stderr, float("nan"), time.monotonic() - t0)
