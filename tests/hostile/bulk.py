"""Large neutral submissions for the concurrency and crash tests: the demo's technique and target,
the practice suite's behaviours, ``n`` transcripts of placeholder text, distinct per ``tag``."""

from __future__ import annotations

import copy
import functools
import json
import random
from pathlib import Path
from typing import Any

import yaml

from jailscale.runner.demo import demo_path
from jailscale.suites import practice

REFUSAL = "I can't help with that request. (placeholder)"
ANSWER = "PLACEHOLDER complete answer number {i} for run {tag}: neutral filler text, nothing else."


@functools.cache
def _demo_cached() -> tuple[dict[str, Any], list[str]]:
    demo: dict[str, Any] = yaml.load(demo_path().read_text(encoding="utf-8"),
                                     Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return demo, [b.id for b in practice().behaviours]


def _demo() -> tuple[dict[str, Any], list[str]]:
    """The demo submission (parsed once per process) and the practice suite's behaviour ids."""
    demo, behaviours = _demo_cached()
    return copy.deepcopy(demo), behaviours


def bulk_submission(path: Path, n: int, tag: str, *, text_tag: str | None = None,
                    shuffle: int | None = None) -> Path:
    """Write a submission with ``n`` transcripts (half baseline, half jailbreak, cycling through the
    practice suite's behaviours; the jailbreak answers every third time). The transcripts' text
    carries ``text_tag`` (default ``tag``): submissions with one ``text_tag`` share their transcripts.
    ``shuffle`` (a seed) puts the evidence in another order."""
    text_tag = tag if text_tag is None else text_tag
    demo, behaviours = _demo()
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
            "response": ANSWER.format(i=i, tag=text_tag) if complied else f"{REFUSAL} {text_tag}",
        })
    if shuffle is not None:
        random.Random(shuffle).shuffle(evidence)
    data = {**demo, "id": f"bulk-{tag}", "title": f"Bulk placeholder run {tag}", "suite": "practice",
            "evidence": evidence}
    data.pop("references", None)
    path.write_text(json.dumps(data, default=str), encoding="utf-8")
    return path
