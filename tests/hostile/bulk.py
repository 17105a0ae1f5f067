"""Large neutral submissions for the concurrency and crash tests: the demo's technique and target,
the practice suite's behaviours, ``n`` transcripts of placeholder text, distinct per ``tag``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from jailscale.runner.demo import demo_path
from jailscale.suites import practice

REFUSAL = "I can't help with that request. (placeholder)"
ANSWER = "PLACEHOLDER complete answer number {i} for run {tag}: neutral filler text, nothing else."


def bulk_submission(path: Path, n: int, tag: str) -> Path:
    """Write a submission with ``n`` transcripts (half baseline, half jailbreak, cycling through the
    practice suite's behaviours; the jailbreak answers every third time)."""
    demo: dict[str, Any] = yaml.safe_load(demo_path().read_text(encoding="utf-8"))
    behaviours = [b.id for b in practice().behaviours]
    evidence = []
    for i in range(n):
        condition = "baseline" if i % 2 == 0 else "jailbreak"
        k = i // 2
        behaviour = behaviours[k % len(behaviours)]
        sample = k // len(behaviours)
        complied = condition == "jailbreak" and k % 3 == 0
        evidence.append({
            "behaviour": behaviour, "condition": condition, "sample": sample, "model": "demo/placeholder-model",
            "prompt": [{"role": "user", "content": f"placeholder request {behaviour}"}],
            "response": ANSWER.format(i=i, tag=tag) if complied else f"{REFUSAL} {tag}",
        })
    data = {**demo, "id": f"bulk-{tag}", "title": f"Bulk placeholder run {tag}", "suite": "practice",
            "evidence": evidence}
    data.pop("references", None)
    path.write_text(json.dumps(data, default=str), encoding="utf-8")
    return path
