"""Checking an implementation of JSS 2.0 against the conformance kit (``jailscale conformance DIR``).

A case (:class:`~jailscale.formats.conformance.ConformanceCase`) holds a suite, a submission with
recorded verdicts, the judge and its calibration, and the expected vector, score and score range. This
implementation is checked in-process: every case is assessed (no files written) into ONE shared,
temporary store, in file-name order, so a verdict cache that leaks between submissions shows up as a
failed case. Another implementation is checked by running ``CMD CASE.json`` for each case: it must print
an assessment (``jailscale.assessment/1`` JSON, or at least ``vector`` and ``score`` with ``value``,
``low`` and ``high``) on standard output.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..formats.conformance import ConformanceCase
from ..formats.io import read_model

#: Scores are published in tenths: a difference below this is rounding noise, anything above a mismatch.
TOLERANCE = 0.05
#: Longest an external implementation may take on one case, in seconds.
EXTERNAL_TIMEOUT = 300
NOW = datetime(2026, 11, 30, tzinfo=UTC)


@dataclass
class Outcome:
    """One case checked: what was expected, what the implementation gave, what differs."""

    case: str
    rule: str
    expected: dict[str, Any]
    actual: dict[str, Any]
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


def load_cases(folder: Path) -> list[tuple[Path, ConformanceCase]]:
    """Every ``*.json`` case under ``folder`` (``folder/cases`` is searched too), in file-name order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"'{str(folder)[:200]}' is not a folder; give the conformance kit's folder "
                        "(e.g. jailscale conformance conformance/)")
    root = folder / "cases" if (folder / "cases").is_dir() else folder
    paths = sorted(root.glob("*.json"))
    if not paths:
        raise UserError(f"'{str(root)[:200]}' holds no conformance cases (*.json)")
    return [(p, read_model(ConformanceCase, p)) for p in paths]


def _summary(vector: str, value: float | None, low: float, high: float) -> dict[str, Any]:
    return {"vector": vector, "score": value, "withheld": value is None, "range": [low, high]}


def run_here(cases: list[tuple[Path, ConformanceCase]]) -> list[dict[str, Any]]:
    """Assess every case with this implementation, all into one temporary store."""
    from ..runner.assess import assess
    from ..store import Store

    out = []
    with tempfile.TemporaryDirectory(prefix="jailscale-conformance-") as tmp, \
            Store.open(f"sqlite:///{Path(tmp) / 'store.sqlite3'}") as store:
        for _, c in cases:
            a = assess(c.submission, c.suite, judge_name=c.judge, judge_options=dict(c.judge_options),
                       calibration=c.calibration, store=store, now=NOW).assessment
            got = _summary(a.vector, a.score.value, a.score.low, a.score.high)
            got["metrics"] = {m.abbr: {"value": m.value, "low": m.low, "high": m.high} for m in a.metrics}
            out.append(got)
    return out


def run_external(command: str, cases: list[tuple[Path, ConformanceCase]]) -> list[dict[str, Any]]:
    """Run ``command CASE.json`` per case and read the assessment it prints."""
    argv = shlex.split(command)
    if not argv:
        raise UserError("--implementation is empty; give a command, e.g. --implementation './other-jss assess'")
    out = []
    for path, _ in cases:
        try:
            proc = subprocess.run([*argv, str(path)], capture_output=True, text=True, timeout=EXTERNAL_TIMEOUT,
                                  check=False)
        except FileNotFoundError:
            raise UserError(f"implementation command '{argv[0][:100]}' was not found") from None
        except subprocess.TimeoutExpired:
            out.append({"error": f"timed out after {EXTERNAL_TIMEOUT} s"})
            continue
        if proc.returncode != 0:
            out.append({"error": f"exit {proc.returncode}: {proc.stderr.strip()[:200]}"})
            continue
        try:
            data = json.loads(proc.stdout)
            s = data["score"]
            out.append(_summary(str(data["vector"]), s.get("value"), float(s["low"]), float(s["high"])))
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            out.append({"error": f"output is not an assessment ({type(e).__name__}: {str(e)[:100]})"})
    return out


def _close(x: float | None, y: float | None) -> bool:
    if x is None or y is None:
        return x is y
    return abs(x - y) < TOLERANCE


def check(case: ConformanceCase, actual: dict[str, Any]) -> Outcome:
    """Compare one result with the case's expectation."""
    e = case.expected
    expected = {"vector": e.vector, "score": e.score, "withheld": e.withheld, "range": list(e.range)}
    o = Outcome(case.id, case.rule, expected, actual)
    if "error" in actual:
        o.problems.append(str(actual["error"]))
        return o
    if actual["vector"] != e.vector:
        o.problems.append(f"vector {actual['vector']} where the rules give {e.vector}")
    if not _close(actual["score"], e.score):
        o.problems.append(f"score {actual['score']} where the rules give {e.score}")
    lo, hi = actual["range"]
    if not (_close(lo, e.range[0]) and _close(hi, e.range[1])):
        o.problems.append(f"range {lo}-{hi} where the rules give {e.range[0]}-{e.range[1]}")
    for abbr, want in e.metrics.items():
        got = actual.get("metrics", {}).get(abbr)
        if got is not None and (got["value"], got["low"], got["high"]) != (want["value"], want["low"], want["high"]):
            o.problems.append(f"{abbr} {got['value']} [{got['low']}-{got['high']}] where the rules give "
                              f"{want['value']} [{want['low']}-{want['high']}]")
    return o


def conformance(folder: Path, implementation: str | None = None) -> list[Outcome]:
    """Check this implementation (or ``implementation``, a command) against every case in ``folder``."""
    cases = load_cases(folder)
    results = run_here(cases) if implementation is None else run_external(implementation, cases)
    return [check(c, r) for (_, c), r in zip(cases, results, strict=True)]
