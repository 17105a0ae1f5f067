"""Fixtures for the live runner tests: plans over the practice suite, and a reader of journals."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from jailscale.formats import Submission
from jailscale.formats.io import read_model
from jailscale.runner.demo import demo_path
from jailscale.runner.plan import RunPlan, TargetSpec
from jailscale.suites import practice
from jailscale.targets import Sampling


def make_plan(address: str = "openai/stub", options: dict[str, str] | None = None, samples: int = 1,
              behaviours: list[str] | None = None, **technique: Any) -> RunPlan:
    sub = read_model(Submission, demo_path())
    if technique:
        sub = sub.model_copy(update={"technique": sub.technique.model_copy(update=technique)})
    st = practice()
    return RunPlan(submission=sub.model_copy(update={"evidence": []}), suite="practice",
                   suite_hash=st.content_hash, target=TargetSpec(address=address, options=options or {}),
                   samples=samples, sampling=Sampling(max_tokens=64), behaviours=behaviours)


def journal_results(path: Path) -> list[dict[str, Any]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec["type"] == "result":
            out.append(rec)
    return out


def label_counts(path: Path) -> Counter[str]:
    return Counter(r["item"] for r in journal_results(path))


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    h = tmp_path / "home"
    monkeypatch.setenv("JAILSCALE_HOME", str(h))
    return h
